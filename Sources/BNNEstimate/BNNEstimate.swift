// The estimate module: cost model, folding optimizer, FIFO sizing, reports (see README).
