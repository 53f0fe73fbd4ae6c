#!/usr/bin/env python3
"""Writes the malformed-input corpus that MalformedInputTests and FuzzTests read.

    python3 Tests/Corpus/make_corpus.py

Every file is derived from two tiny valid models written below (a 2-layer MLP on uint8 input and a
small CNN on bipolar input), so each case differs from a valid model in one way. The output is
deterministic; the generated files are committed beside this script. Expected messages live in
Tests/BNNEndToEndTests/MalformedInputTests.swift.
"""

import base64
import copy
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240601)


# ---------------------------------------------------------------------------------------------
# The two valid base models

def signs(*shape):
    return rng.choice([-1.0, 1.0], size=shape).tolist()


def floats(n, low, high):
    return [round(float(x), 4) for x in rng.uniform(low, high, size=n)]


def base_mlp():
    """8 uint8 inputs -> fc1 (4 units) + bn + sign -> fc2 (2 units) + bn -> logits."""
    return {
        "format": "bnn-hls-model",
        "version": 1,
        "name": "tiny_mlp",
        "input": {"shape": [8], "encoding": "uint8", "scale": 0.5, "zero_point": 3},
        "layers": [
            {"type": "dense", "name": "fc1", "units": 4, "weight": signs(4, 8), "bias": floats(4, -1, 1)},
            {"type": "batchnorm", "gamma": floats(4, 0.5, 1.5), "beta": floats(4, -0.5, 0.5),
             "mean": floats(4, -2, 2), "var": floats(4, 0.5, 4), "eps": 1e-5},
            {"type": "sign"},
            {"type": "dense", "name": "fc2", "units": 2, "weight": signs(2, 4), "alpha": floats(2, 0.5, 2)},
            {"type": "batchnorm", "gamma": [1.0, -0.75], "beta": [0.1, -0.2], "mean": [0.5, 0.0], "var": [1.0, 2.0]},
        ],
        "output": {"mode": "logits"},
        "labels": ["no", "yes"],
    }


def base_cnn():
    """[6, 6, 2] bipolar -> conv1 3x3 (4 filters, pad 1) + pool + bn + sign -> flatten -> fc (3) + bn -> argmax."""
    return {
        "format": "bnn-hls-model",
        "version": 1,
        "name": "tiny_cnn",
        "input": {"shape": [6, 6, 2], "encoding": "bipolar"},
        "layers": [
            {"type": "conv2d", "name": "conv1", "filters": 4, "kernel": [3, 3], "stride": 1, "padding": 1,
             "pad_value": -1, "weight": signs(4, 2, 3, 3)},
            {"type": "maxpool2d", "name": "pool1", "pool": 2},
            {"type": "batchnorm", "name": "bn1", "gamma": floats(4, 0.5, 1.5), "beta": 0.0,
             "mean": floats(4, -3, 3), "var": floats(4, 1, 9)},
            {"type": "sign"},
            {"type": "flatten", "order": "CHW"},
            {"type": "dense", "name": "fc", "units": 3, "weight": b64_tensor(signs(3, 36), "bipolar")},
            {"type": "batchnorm", "name": "bn2", "gamma": 1.0, "beta": floats(3, -0.5, 0.5), "mean": 0.0, "var": 36.0},
        ],
        "output": {"mode": "argmax"},
    }


def b64_tensor(values, dtype):
    array = np.asarray(values, dtype=np.float64)
    if dtype == "bipolar":
        bits = (array.reshape(-1) >= 0).astype(np.uint8)
        raw = np.packbits(bits, bitorder="little").tobytes()
    else:
        raw = array.astype({"float32": "<f4", "float64": "<f8", "int8": "i1"}[dtype]).tobytes()
    return {"shape": list(array.shape), "dtype": dtype, "base64": base64.b64encode(raw).decode("ascii")}


# ---------------------------------------------------------------------------------------------
# Writing

def dump(model):
    """One top-level key per line and one layer per line, so line:column in messages stay short."""
    lines = ["{"]
    keys = list(model.keys())
    for i, key in enumerate(keys):
        comma = "," if i + 1 < len(keys) else ""
        value = model[key]
        if key == "layers" and isinstance(value, list) and value:
            lines.append(f' "layers": [')
            for j, layer in enumerate(value):
                lines.append("  " + json.dumps(layer) + ("," if j + 1 < len(value) else ""))
            lines.append(" ]" + comma)
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


written = []


def write_bytes(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
    written.append(name)


def write_text(name, text):
    write_bytes(name, text.encode("utf-8"))


def write_model(name, model):
    write_text(name, dump(model))


def mlp_with(edit):
    model = base_mlp_model()
    edit(model)
    return model


def cnn_with(edit):
    model = base_cnn_model()
    edit(model)
    return model


def npy_bytes(array, descr=None, magic=b"\x93NUMPY"):
    """A version 1.0 .npy file as numpy writes it (optionally lying about descr or magic)."""
    descr = descr or np.lib.format.dtype_to_descr(array.dtype)
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, repr(tuple(array.shape)))
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + " " * (pad % 64) + "\n"
    return magic + b"\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + array.tobytes()


def base_v2():
    """Version 2, no random draws: [4, 4, 2] int8 -> 2-bit conv (odd_even pad) + bn + quantize q1;
    a sign s1 on q1; conv2 reads q1 (`input`), bn, prelu, add s1, clamp, multithreshold, global
    avgpool, 8-bit dense, shift."""
    def ternary(*shape):
        values = [((i * 7) % 4) - 2 for i in range(int(np.prod(shape)))]
        return np.array(values, dtype=float).reshape(shape).astype(int).tolist()
    return {
        "format": "bnn-hls-model",
        "version": 2,
        "name": "tiny_v2",
        "input": {"shape": [4, 4, 2], "encoding": "int8", "scale": 0.25},
        "layers": [
            {"type": "conv2d", "name": "conv1", "filters": 2, "kernel": 3, "padding": 1, "pad_value": "odd_even",
             "weight_bits": 2, "weight": ternary(2, 2, 3, 3)},
            {"type": "batchnorm", "name": "bn1", "gamma": [0.5, -0.25], "beta": 0.5, "mean": 0.0, "var": 1.0, "eps": 0},
            {"type": "quantize", "name": "q1", "bits": 2, "scale": 0.5, "rounding": "half_up"},
            {"type": "sign", "name": "s1", "offset": 0.75},
            {"type": "conv2d", "name": "conv2", "input": "q1", "filters": 2, "kernel": 3, "padding": 1,
             "weight_bits": 2, "weight": ternary(2, 2, 3, 3)},
            {"type": "batchnorm", "name": "bn2", "gamma": [0.25, 0.5], "beta": 0.0, "mean": [0.0, 1.0], "var": 1.0, "eps": 0},
            {"type": "prelu", "name": "prelu", "slope": 0.25},
            {"type": "add", "name": "add1", "from": "s1"},
            {"type": "clamp", "name": "clamp", "min": -2.0, "max": 2.0},
            {"type": "multithreshold", "name": "mt1", "thresholds": [[-1.0, 0.0, 1.0], [-0.5, -0.5, 0.5]], "out_bias": -1.5},
            {"type": "avgpool2d", "name": "gap", "pool": 4},
            {"type": "dense", "name": "fc", "units": 3, "weight_bits": 8, "weight": [[9, -3], [-9, 4], [1, 1]]},
            {"type": "shift", "name": "out", "value": [0.0, 0.125, -0.25]},
        ],
        "output": {"mode": "logits"},
    }


# The base models are drawn once, so every variant shares the same weights.
MLP = base_mlp()
CNN = base_cnn()


def base_mlp_model():
    return copy.deepcopy(MLP)


def base_cnn_model():
    return copy.deepcopy(CNN)


def main():
    for name in os.listdir(HERE):
        if name.endswith((".json", ".npy", ".bin")) or name.startswith("valid_"):
            os.remove(os.path.join(HERE, name))

    # -- valid bases (also the fuzzer's seeds) and their inputs
    write_model("valid_mlp.json", MLP)
    write_model("valid_cnn.json", CNN)
    mlp_inputs = rng.integers(0, 256, size=(5, 8), dtype=np.uint8)
    cnn_inputs = rng.choice(np.array([-1, 1], dtype=np.int8), size=(4, 6, 6, 2))
    write_bytes("valid_mlp_inputs.npy", npy_bytes(mlp_inputs))
    write_bytes("valid_cnn_inputs.npy", npy_bytes(cnn_inputs))
    write_text("valid_mlp_folding.json", '{"fc1": {"pe": 2, "simd": 4}, "fc2": {"pe": 1, "simd": 2}}\n')

    valid_text = dump(MLP)

    # -- text and JSON syntax
    write_text("syntax_missing_comma.json", valid_text.replace('"version": 1,', '"version": 1', 1))
    write_text("syntax_trailing_comma.json", valid_text.replace('"labels": ["no", "yes"]', '"labels": ["no", "yes",]', 1))
    write_text("syntax_comment.json", valid_text.replace('"version": 1,', '"version": 1, // v1', 1))
    write_text("syntax_single_quotes.json", valid_text.replace('"name": "tiny_mlp"', "'name': 'tiny_mlp'", 1))
    write_text("truncated.json", valid_text[: len(valid_text) // 2])
    write_bytes("empty.json", b"")
    write_text("whitespace_only.json", "  \n\t\n")
    write_text("top_level_array.json", "[" + valid_text + "]")
    write_bytes("utf16_bom.json", valid_text.encode("utf-16"))  # BOM + UTF-16 LE
    write_bytes("utf8_bom.json", b"\xef\xbb\xbf" + valid_text.encode("utf-8"))
    write_bytes("invalid_utf8.json", valid_text.replace('"tiny_mlp"', '"tiny_\x00mlp"', 1).encode().replace(b"\x00", b"\xff"))
    write_text("duplicate_key.json", valid_text.replace('"version": 1,', '"version": 1,\n "version": 1,', 1))
    write_text("duplicate_key_in_layer.json", valid_text.replace('"units": 4,', '"units": 4, "units": 4,', 1))
    write_text("nan_token.json", valid_text.replace('"eps": 1e-05', '"eps": NaN', 1))
    first_bias = json.dumps(MLP["layers"][0]["bias"][0])
    write_text("infinity_token.json", valid_text.replace('"bias": [' + first_bias, '"bias": [-Infinity', 1))
    write_text("out_of_range_number.json", valid_text.replace('"scale": 0.5', '"scale": 1e400', 1))
    nested = "[" * 10000 + "]" * 10000
    write_text("deep_nesting.json", valid_text.replace('"alpha": [', '"alpha": ' + nested + ', "x": [', 1))

    # -- top level
    write_model("wrong_format.json", mlp_with(lambda m: m.update(format="bnn-model")))
    write_model("wrong_version.json", mlp_with(lambda m: m.update(version=3)))
    write_model("version_as_string.json", mlp_with(lambda m: m.update(version="1")))
    write_model("missing_layers.json", mlp_with(lambda m: m.pop("layers")))
    write_model("unknown_top_key.json", mlp_with(lambda m: m.update(lables=["no", "yes"]) or m.pop("labels")))
    write_model("name_not_identifier.json", mlp_with(lambda m: m.update(name="tiny mlp")))
    write_model("name_reserved.json", mlp_with(lambda m: m.update(name="class")))
    write_model("labels_count.json", mlp_with(lambda m: m.update(labels=["no", "yes", "maybe"])))
    write_model("output_mode.json", mlp_with(lambda m: m.update(output={"mode": "softmax"})))
    write_model("empty_layers.json", mlp_with(lambda m: m.update(layers=[])))

    # -- input
    write_model("input_scale_zero.json", mlp_with(lambda m: m["input"].update(scale=0)))
    write_model("input_scale_negative.json", mlp_with(lambda m: m["input"].update(scale=-0.5)))
    write_model("input_zero_point_range.json", mlp_with(lambda m: m["input"].update(zero_point=300)))
    write_model("input_encoding.json", mlp_with(lambda m: m["input"].update(encoding="float32")))
    write_model("input_bipolar_scale.json", cnn_with(lambda m: m["input"].update(scale=1.0)))
    write_model("input_shape_rank.json", mlp_with(lambda m: m["input"].update(shape=[2, 4])))
    write_model("input_shape_overflow.json", mlp_with(lambda m: m["input"].update(shape=[2 ** 24, 2 ** 24, 2 ** 24])))

    # -- layers: keys and values
    def mlp_layer(i, **changes):
        def edit(m):
            m["layers"][i].update(changes)
        return mlp_with(edit)

    def cnn_layer(i, **changes):
        def edit(m):
            m["layers"][i].update(changes)
        return cnn_with(edit)

    write_model("unknown_layer_type.json", mlp_with(lambda m: m["layers"][2].update(type="dropout")))
    def misspell(m):
        bn = m["layers"][1]
        m["layers"][1] = {("gama" if k == "gamma" else k): v for k, v in bn.items()}
    write_model("misspelt_key.json", mlp_with(misspell))
    # User text in a message must not break it into several lines.
    def newline_key(m):
        bn = m["layers"][1]
        m["layers"][1] = {("ga\nma" if k == "gamma" else k): v for k, v in bn.items()}
    write_model("key_with_newline.json", mlp_with(newline_key))
    write_model("name_with_line_separator.json", mlp_layer(3, name="fc\u20282", weight=[[1.0] * 5] * 2))
    write_model("missing_type.json", mlp_with(lambda m: m["layers"][2].pop("type")))
    write_model("missing_weight.json", mlp_with(lambda m: m["layers"][3].pop("weight")))
    write_model("duplicate_layer_name.json", mlp_layer(3, name="fc1"))
    write_model("shape_mismatch_between_layers.json", mlp_layer(3, weight=signs(2, 5)))
    write_model("wrong_weight_shape.json", mlp_layer(0, weight=signs(8, 4)))
    write_model("ragged_weight.json", mlp_with(lambda m: m["layers"][0]["weight"][2].pop()))
    write_model("per_channel_length.json", mlp_layer(1, mean=[0.0, 0.0, 0.0]))
    write_model("nan_string.json", mlp_with(lambda m: m["layers"][1]["gamma"].__setitem__(2, "NaN")))
    write_model("infinity_string.json", mlp_layer(1, eps="Infinity"))
    write_model("negative_var.json", mlp_with(lambda m: m["layers"][1]["var"].__setitem__(1, -0.25)))
    write_model("var_plus_eps_zero.json", mlp_layer(4, var=[1.0, 0.0], eps=0))
    write_model("negative_eps.json", mlp_layer(4, eps=-1e-5))
    write_model("non_integer_units.json", mlp_layer(0, units=4.0))
    write_model("units_huge.json", mlp_layer(0, units=10 ** 12))
    write_model("units_string.json", mlp_layer(0, units="4"))
    write_model("flatten_order.json", cnn_layer(4, order="NCHW"))
    write_model("flatten_no_order.json", cnn_with(lambda m: m["layers"][4].pop("order")))

    # -- convolution and pooling geometry
    write_model("kernel_too_large.json", cnn_layer(0, kernel=9, weight=signs(4, 2, 9, 9)))
    write_model("stride_zero.json", cnn_layer(0, stride=[1, 0]))
    write_model("negative_padding.json", cnn_layer(0, padding=[1, 1, -1, 1]))
    write_model("padding_length.json", cnn_layer(0, padding=[1, 1]))
    write_model("pad_value.json", cnn_layer(0, pad_value=2))
    write_model("pool_does_not_fit.json", cnn_layer(1, pool=[2, 8]))
    write_model("conv_weight_shape.json", cnn_layer(0, weight=signs(4, 3, 3, 3)))
    # Loads without the activation bound: the 65536-padded conv's [131076, 131076, 4] output is
    # pooled back to [2, 2, 4] before the dense layer, so no tensor in the file is large.
    def huge_activation(m):
        m["layers"][0]["padding"] = 65536
        m["layers"][1]["pool"] = 65536
        m["layers"][5]["weight"] = [[1.0] * 16] * 3
    write_model("conv_output_too_large.json", cnn_with(huge_activation))

    # -- tensors in base64
    def fc_weight(**changes):
        def edit(m):
            m["layers"][5]["weight"].update(changes)
        return cnn_with(edit)

    good = CNN["layers"][5]["weight"]["base64"]
    write_model("base64_wrong_length.json", fc_weight(base64=good[:8]))
    write_model("base64_invalid.json", fc_weight(base64="@@" + good[2:]))
    write_model("base64_padding_bits.json", fc_weight(base64=base64.b64encode(b"\xff" * 14).decode()))
    write_model("unknown_dtype.json", fc_weight(dtype="float16"))
    write_model("base64_missing_dtype.json", cnn_with(lambda m: m["layers"][5]["weight"].pop("dtype")))
    write_model("base64_huge_tensor.json", fc_weight(shape=[3, 333333334]))
    nan_mean = b64_tensor([0.0, 1.0, 0.0, 0.0], "float64")
    nan_mean["base64"] = base64.b64encode(np.array([0.0, 1.0, np.nan, 0.0]).astype("<f8").tobytes()).decode()
    write_model("base64_nan.json", cnn_layer(2, mean=nan_mean))

    # -- arrangements the compiler refuses
    L = MLP["layers"]
    write_model("two_dense.json", mlp_with(lambda m: m.update(layers=[L[0], dict(L[3], weight=signs(2, 4))])))
    write_model("trailing_sign.json", mlp_with(lambda m: m.update(layers=L[:4] + [L[4], {"type": "sign"}])))
    write_model("batchnorm_first.json", mlp_with(lambda m: m.update(
        layers=[{"type": "batchnorm", "gamma": 1.0, "beta": 0.0, "mean": 0.0, "var": 1.0}] + L)))
    write_model("maxpool_after_dense.json", mlp_with(lambda m: m.update(
        layers=L[:1] + [{"type": "maxpool2d", "pool": 1}] + L[1:])))
    C = CNN["layers"]
    write_model("conv_last.json", cnn_with(lambda m: m.update(layers=C[:4] + [
        {"type": "conv2d", "name": "conv2", "filters": 2, "kernel": 3, "weight": signs(2, 4, 3, 3)}])))

    # -- names: refused model names and layer names or labels that could break out of a generated file
    write_model("name_keyword_alt_token.json", mlp_with(lambda m: m.update(name="xor_eq")))
    write_model("name_header_type.json", mlp_with(lambda m: m.update(name="uint8_t")))
    write_model("name_header_macro.json", mlp_with(lambda m: m.update(name="EOF")))
    write_model("name_library_prefix.json", mlp_with(lambda m: m.update(name="bnn_mvau")))
    write_model("layer_name_newline.json", mlp_layer(0, name='fc1\nstatic int x = system("touch pwned");//'))
    write_model("layer_name_nul.json", mlp_layer(0, name="fc\x001"))
    write_model("layer_name_bidi.json", mlp_layer(3, name="fc\u202e2"))
    write_model("layer_name_too_long.json", mlp_layer(3, name="x" * 10000))
    write_model("label_control.json", mlp_with(lambda m: m.update(labels=["no", "yes\r"])))
    write_model("label_bidi.json", mlp_with(lambda m: m.update(labels=["\u2066no", "yes"])))
    # Accepted: visible text that would end a C++ comment, a Markdown cell, an SVG element or run a
    # command in make or Tcl if copied raw (GeneratedProjectTests builds both with g++). Only the
    # layers named here and in the CNN's conv1, pool1 and fc reach the generated files.
    long_name = "bn2 " + "\u00e9" * 126  # 256 bytes of UTF-8, the limit
    write_model("hostile_names_mlp.json", mlp_with(lambda m: (
        m.update(name="io", labels=["no */ \\", "yes <b>|`$(shell touch pwned_label)`"]),
        m["layers"][0].update(name="fc1 */ /* $(shell touch ../pwned_make) [exec touch pwned_tcl] <script>alert(1)</script> \\"),
        m["layers"][1].update(name="bn1 ??/"),
        m["layers"][2].update(name="sign1 ??= %s %n \\n"),
        m["layers"][3].update(name="fc2 | &amp; [x](http://e) \"q\" 'q' `touch pwned_sh` #include <cstdlib> \u00e9\U0001f600 ??/"),
        m["layers"][4].update(name=long_name))))
    write_model("hostile_names_cnn.json", cnn_with(lambda m: (
        m.update(name="int8"),
        m["layers"][0].update(name="conv1 ??/"),
        m["layers"][1].update(name="pool1 */ \\"),
        m["layers"][2].update(name="<svg onload=alert(1)>"),
        m["layers"][3].update(name="[exec touch pwned_tcl2]"),
        m["layers"][4].update(name="$(shell touch pwned_make2)"),
        m["layers"][5].update(name="fc <svg onload=alert(1)> $(shell touch pwned_make3) [exec touch pwned_tcl3] | ` \\"),
        m["layers"][6].update(name="bn2 \"'"))))

    # -- .npy inputs
    write_bytes("npy_bad_magic.npy", npy_bytes(mlp_inputs, magic=b"\x93NUMPZ"))
    write_bytes("npy_wrong_dtype.npy", npy_bytes(mlp_inputs.astype(np.int8)))
    write_bytes("npy_float_inputs.npy", npy_bytes(mlp_inputs.astype(np.float32)))
    write_bytes("npy_shape_mismatch.npy", npy_bytes(rng.integers(0, 256, size=(5, 9), dtype=np.uint8)))
    write_bytes("npy_truncated.npy", npy_bytes(mlp_inputs)[:-3])
    zero = cnn_inputs.copy()
    zero[2, 1, 3, 1] = 0
    write_bytes("npy_bipolar_zero.npy", npy_bytes(zero))
    write_bytes("npy_big_endian.npy", npy_bytes(mlp_inputs.astype(">i2"), descr=">i2"))
    write_bytes("npy_bad_labels.npy", npy_bytes(np.array([0, 1, 2, 1, 0], dtype=np.int64)))

    # -- --fold files
    write_text("fold_unknown_layer.json", '{"fc3": {"pe": 1, "simd": 1}}\n')
    write_text("fold_pe_string.json", '{"fc1": {"pe": "2", "simd": 4}}\n')
    write_text("fold_syntax.json", '{"fc1": {"pe": 2 "simd": 4}}\n')

    write_version2_cases()

    with open(os.path.join(HERE, "MANIFEST.txt"), "w") as f:
        f.write("# generated by make_corpus.py; do not edit\n")
        for name in sorted(written):
            f.write(name + "\n")
    print(f"wrote {len(written)} files to {HERE}")


def write_version2_cases():
    """Version 2: the valid base (loads and runs in the reference, refused by the compiler) and
    one mistake per file. No random draws, so the files above stay as they are."""
    V2 = base_v2()
    write_model("valid_v2.json", V2)
    inputs = ((np.arange(3 * 4 * 4 * 2) * 37) % 256 - 128).astype(np.int8).reshape(3, 4, 4, 2)
    write_bytes("valid_v2_inputs.npy", npy_bytes(inputs))

    def v2_layer(i, **changes):
        model = copy.deepcopy(V2)
        model["layers"][i].update(changes)
        return model

    def v2_with(edit):
        model = copy.deepcopy(V2)
        edit(model)
        return model

    write_model("v2_weight_bits_range.json", v2_layer(0, weight_bits=9))
    write_model("v2_weight_out_of_range.json", v2_with(lambda m: m["layers"][0]["weight"][0][1][2].__setitem__(0, 2)))
    write_model("v2_weight_fraction.json", v2_with(lambda m: m["layers"][11]["weight"][1].__setitem__(0, 0.5)))
    write_model("v2_weight_int8_range.json", v2_layer(11, weight_bits=2, weight=b64_tensor([[1, -2], [0, 5], [1, 1]], "int8")))
    write_model("v2_quantize_bits.json", v2_layer(2, bits=1))
    write_model("v2_quantize_scale.json", v2_layer(2, scale=0))
    write_model("v2_unknown_rounding.json", v2_layer(2, rounding="nearest"))
    write_model("v2_signed_not_bool.json", v2_layer(2, signed="yes"))
    write_model("v2_thresholds_decreasing.json", v2_layer(9, thresholds=[[-1.0, 0.0, 1.0], [0.5, -0.5, 0.5]]))
    write_model("v2_thresholds_rows.json", v2_layer(9, thresholds=[[-1.0, 0.0, 1.0]] * 3))
    write_model("v2_out_scale.json", v2_layer(9, out_scale=-1.0))
    write_model("v2_clamp_min_max.json", v2_layer(8, min=1.0, max=1.0))
    write_model("v2_from_later.json", v2_layer(7, **{"from": "mt1"}))
    write_model("v2_from_unknown.json", v2_layer(7, **{"from": "s2"}))
    write_model("v2_from_self.json", v2_layer(7, **{"from": "add1"}))
    write_model("v2_input_later.json", v2_layer(4, input="fc"))
    write_model("v2_input_self.json", v2_layer(4, input="conv2"))
    write_model("v2_input_unknown.json", v2_layer(4, input="q2"))
    write_model("v2_add_shape_mismatch.json", v2_layer(4, stride=2))
    write_model("v2_pad_value_string.json", v2_layer(0, pad_value="even_odd"))
    write_model("v2_misspelt_key.json", v2_with(lambda m: m["layers"][2].update(bit=m["layers"][2].pop("bits"))))
    # Version-2 keys and types in version-1 files.
    write_model("v2_key_in_v1.json", mlp_layer_v1(0, weight_bits=2))
    write_model("v2_input_in_v1.json", mlp_layer_v1(3, input="fc1"))
    write_model("v2_type_in_v1.json", mlp_with(lambda m: m["layers"].__setitem__(2, {"type": "quantize", "bits": 2, "scale": 1.0})))
    write_model("v2_odd_even_in_v1.json", cnn_with(lambda m: m["layers"][0].update(pad_value="odd_even")))


def mlp_layer_v1(i, **changes):
    model = base_mlp_model()
    model["layers"][i].update(changes)
    return model


if __name__ == "__main__":
    main()
