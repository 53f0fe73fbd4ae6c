"""Building QONNX/FINN-style ONNX graphs with onnx.helper for the frontend tests."""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

QONNX = "qonnx.custom_op.general"


class GraphBuilder:
    """Nodes and initializers, named automatically; `model()` wraps them in a ModelProto."""

    def __init__(self, dtype=np.float32):
        self.nodes, self.inits, self.n = [], [], 0
        self.dtype = dtype

    def _name(self, prefix):
        self.n += 1
        return f"{prefix}{self.n}"

    def const(self, value, name=None, dtype=None):
        name = name or self._name("c")
        arr = np.asarray(value)
        if arr.dtype.kind == "f":
            arr = arr.astype(dtype or self.dtype)
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def op(self, op_type, inputs, name=None, outputs=1, domain=None, **attrs):
        name = name or self._name(op_type.lower())
        outs = [f"{name}_out{i}" if i else f"{name}_out" for i in range(outputs)]
        kw = {"domain": domain} if domain else {}
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=name, **kw,
                                           **attrs))
        return outs[0] if outputs == 1 else outs

    # QONNX / FINN ops
    def bipolar_quant(self, x, scale=1.0, name=None):
        return self.op("BipolarQuant", [x, self.const(np.asarray(scale))], name=name,
                       domain=QONNX)

    def quant(self, x, scale, zeropt=0.0, bits=1.0, signed=1, narrow=0, name=None,
              rounding_mode="ROUND"):
        return self.op("Quant", [x, self.const(np.asarray(scale)), self.const(
            np.asarray(zeropt)), self.const(np.asarray(bits, dtype=np.float32))], name=name,
            domain=QONNX, signed=signed, narrow=narrow, rounding_mode=rounding_mode)

    def multithreshold(self, x, thresholds, out_scale=2.0, out_bias=-1.0, layout="NCHW",
                       name=None):
        return self.op("MultiThreshold", [x, self.const(thresholds)], name=name, domain=QONNX,
                       out_dtype="BIPOLAR" if out_scale == 2 else "BINARY",
                       out_scale=float(out_scale), out_bias=float(out_bias), data_layout=layout)

    def batchnorm(self, x, gamma, beta, mean, var, eps=1e-5, name=None):
        return self.op("BatchNormalization", [x, self.const(gamma), self.const(beta),
                                              self.const(mean), self.const(var)],
                       name=name, epsilon=eps)

    def model(self, input_name, input_shape, outputs, elem=TensorProto.FLOAT):
        inp = helper.make_tensor_value_info(input_name, elem, input_shape)
        outs = [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outputs]
        graph = helper.make_graph(self.nodes, "g", [inp], outs, initializer=self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                       helper.make_opsetid(QONNX, 1)],
                                 producer_name="bnn-hls-tests")


def random_bn(rng, c, negative=True, mean_sd=2.0):
    """gamma, beta, mean, var; some gammas negative. A small mean_sd for the last layer keeps
    the random network's predictions spread over the classes."""
    gamma = rng.uniform(0.5, 2.0, c) * (rng.choice([-1, 1], c) if negative else 1)
    beta = rng.normal(0, 0.5 if mean_sd > 1 else 0.1, c)
    return gamma, beta, rng.normal(0, mean_sd, c), rng.uniform(0.5, 4.0, c)


def calibrate_batchnorms(model, x, rng):
    """Set every BatchNormalization's mean/var to the statistics of its input on x (in graph
    order, plus a little noise), as training would: keeps a random network's activations and
    predictions from saturating, so that the tests compare informative outputs."""
    import onnx_ref
    from onnx import TensorProto
    inits = {t.name: t for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type != "BatchNormalization":
            continue
        probe = helper.make_tensor_value_info(node.input[0], TensorProto.UNDEFINED, None)
        model.graph.output.append(probe)
        h = onnx_ref.run(model, x)[node.input[0]]
        model.graph.output.pop()
        axes = tuple(i for i in range(h.ndim) if i != 1)
        mean = h.mean(axis=axes) + rng.normal(0, 0.1, h.shape[1]) * h.std(axis=axes)
        var = h.var(axis=axes) + 0.05
        for name, value in ((node.input[3], mean), (node.input[4], var)):
            old = inits[name]
            new = numpy_helper.from_array(value.astype(numpy_helper.to_array(old).dtype), name)
            old.CopyFrom(new)
    return model
