"""The one error type every frontend raises for a network it cannot express."""


class ConversionError(Exception):
    """A network (or one node/layer of it) that the model format cannot express.

    `where` names the ONNX node, Keras layer or PyTorch module; the message says why.
    """

    def __init__(self, where, why):
        self.where, self.why = where, why
        super().__init__(f"{where}: {why}" if where else why)
