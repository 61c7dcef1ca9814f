"""The packaged MiniLM rebuilt from its own weights as onnxruntime's fused BERT operators.

The packaged file is a PyTorch export: each layer's attention is some forty small operators
(reshapes, transposes, a mask built from `Range`s, a `Where` around an `IsNaN` of the
softmax), which onnxruntime's optimizer does not recognise as attention, so each of them runs
on its own. For a chunk embedded alone they cost about as much as the matrix products.

`fuse_bert` reads the weights out of the (constant-folded, float) export and writes the same
network with the operators onnxruntime's BERT optimizer would produce: `EmbedLayerNormalization`,
per layer `Attention` (query, key and value in one weight) and `BiasGelu` (the erf GELU the
model was trained with), each residual layer norm as plain operators (`_add_and_norm`). The
float result gives the export's vectors to within float rounding (tests/knowledge/
test_embed.py), and `quantize_dynamic` turns its `Attention` into `QAttention`, so the int8
build computes attention's projections in int8 too (about 1.3x the chunks per second of the
unfused int8 build on this project's machine, each chunk run alone: bench/ingest.py).
Its attention mask is each text's length (`EmbedLayerNormalization` counts the mask's ones), so
padding must come after the text, as knowledge/embed.py pads.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import onnx

#: all-MiniLM-L6-v2: 12 heads of 32 over a hidden size of 384.
HEADS = 12
#: BERT's layer-norm epsilon.
EPSILON = 1e-12
#: The name of the epsilon constant the layer norms share.
_EPSILON = "epsilon"
_LINEAR = re.compile(r"(?:\w+\.)?encoder\.layer\.(\d+)\.(.+)\.bias$")
_EMBEDDINGS = (
    "word_embeddings.weight",
    "position_embeddings.weight",
    "token_type_embeddings.weight",
    "LayerNorm.weight",
    "LayerNorm.bias",
)


class NotBert(ValueError):
    """The graph is not the BERT encoder `fuse_bert` knows how to rebuild."""


def fuse_bert(model: onnx.ModelProto) -> onnx.ModelProto:
    """The encoder of `model` (a folded float BERT export with PyTorch's weight names) as fused
    operators, inputs int32 `input_ids`, `attention_mask`, `token_type_ids` and output
    `last_hidden_state`; NotBert when a weight it needs is not found."""
    from onnx import TensorProto, helper, numpy_helper

    weights = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    linear = _linear_layers(model, weights)
    layers = sorted({layer for layer, _ in linear})
    if not layers:
        raise NotBert("no encoder layer found")
    prefix = _prefix(weights)
    embeddings = _embeddings(weights, prefix)
    hidden = embeddings["word_embeddings.weight"].shape[1]
    initializers: list[onnx.TensorProto] = []

    def weight(name: str, array: np.ndarray) -> str:
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def layer_weight(layer: int, name: str) -> tuple[np.ndarray, np.ndarray]:
        try:
            return linear[(layer, name)]
        except KeyError:
            raise NotBert(f"layer {layer} has no {name}") from None

    def norm(layer: int, name: str) -> tuple[str, str]:
        stem = prefix + f"encoder.layer.{layer}.{name}.LayerNorm."
        if stem + "weight" not in weights or stem + "bias" not in weights:
            raise NotBert(f"layer {layer} has no {name} layer norm")
        return (
            weight(f"l{layer}.{name}.gamma", weights[stem + "weight"]),
            weight(f"l{layer}.{name}.beta", weights[stem + "bias"]),
        )

    nodes = [
        helper.make_node(
            "EmbedLayerNormalization",
            [
                "input_ids",
                "token_type_ids",
                *(weight(f"embeddings.{n}", embeddings[n]) for n in _EMBEDDINGS),
                "attention_mask",
            ],
            ["embedded", "mask_index"],
            domain="com.microsoft",
            epsilon=EPSILON,
        )
    ]
    weight(_EPSILON, np.array(EPSILON, dtype=np.float32))
    x = "embedded"
    for layer in layers:
        q, k, v = (layer_weight(layer, f"attention.self.{n}") for n in ("query", "key", "value"))
        qkv = weight(f"l{layer}.qkv.w", np.concatenate([q[0], k[0], v[0]], axis=1))
        qkv_bias = weight(f"l{layer}.qkv.b", np.concatenate([q[1], k[1], v[1]]))
        out_w, out_b = layer_weight(layer, "attention.output.dense")
        mid_w, mid_b = layer_weight(layer, "intermediate.dense")
        down_w, down_b = layer_weight(layer, "output.dense")
        attended = "last_hidden_state" if layer == layers[-1] else f"l{layer}.out"
        nodes += [
            helper.make_node(
                "Attention",
                [x, qkv, qkv_bias, "mask_index"],
                [f"l{layer}.context"],
                domain="com.microsoft",
                num_heads=HEADS,
            ),
            helper.make_node(
                "MatMul", [f"l{layer}.context", weight(f"l{layer}.o.w", out_w)], [f"l{layer}.o"]
            ),
            *_add_and_norm(
                f"l{layer}.o",
                x,
                weight(f"l{layer}.o.b", out_b),
                *norm(layer, "attention.output"),
                f"l{layer}.h",
            ),
            helper.make_node(
                "MatMul", [f"l{layer}.h", weight(f"l{layer}.mid.w", mid_w)], [f"l{layer}.mid"]
            ),
            helper.make_node(
                "BiasGelu",
                [f"l{layer}.mid", weight(f"l{layer}.mid.b", mid_b)],
                [f"l{layer}.gelu"],
                domain="com.microsoft",
            ),
            helper.make_node(
                "MatMul", [f"l{layer}.gelu", weight(f"l{layer}.down.w", down_w)], [f"l{layer}.down"]
            ),
            *_add_and_norm(
                f"l{layer}.down",
                f"l{layer}.h",
                weight(f"l{layer}.down.b", down_b),
                *norm(layer, "output"),
                attended,
            ),
        ]
        x = attended

    def ids(name: str) -> onnx.ValueInfoProto:
        return helper.make_tensor_value_info(name, TensorProto.INT32, ["batch", "sequence"])

    graph = helper.make_graph(
        nodes,
        "bert_fused",
        [ids("input_ids"), ids("attention_mask"), ids("token_type_ids")],
        [
            helper.make_tensor_value_info(
                "last_hidden_state", TensorProto.FLOAT, ["batch", "sequence", hidden]
            )
        ],
        initializers,
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
    )


def _add_and_norm(
    x: str, residual: str, bias: str, gamma: str, beta: str, out: str
) -> list[onnx.NodeProto]:
    """`LayerNorm(x + bias + residual)` as eleven plain operators: onnxruntime's CPU
    `LayerNormalization` and `SkipLayerNormalization` kernels accumulate in scalar double and
    took about 2.5x as long on a chunk's [97, 384] (a fifth of the whole run, the int8 matrix
    products being fast)."""
    from onnx import helper

    def step(op: str, inputs: list[str], name: str) -> onnx.NodeProto:
        if op == "ReduceMean":  # over the hidden axis, kept (opset 17 takes axes as attribute)
            return helper.make_node(op, inputs, [name], axes=[-1])
        return helper.make_node(op, inputs, [name])

    t = f"{out}.norm"
    return [
        step("Add", [x, bias], f"{t}.biased"),
        step("Add", [f"{t}.biased", residual], f"{t}.sum"),
        step("ReduceMean", [f"{t}.sum"], f"{t}.mean"),
        step("Sub", [f"{t}.sum", f"{t}.mean"], f"{t}.centred"),
        step("Mul", [f"{t}.centred", f"{t}.centred"], f"{t}.squared"),
        step("ReduceMean", [f"{t}.squared"], f"{t}.variance"),
        step("Add", [f"{t}.variance", _EPSILON], f"{t}.padded"),
        step("Sqrt", [f"{t}.padded"], f"{t}.deviation"),
        step("Div", [f"{t}.centred", f"{t}.deviation"], f"{t}.normal"),
        step("Mul", [f"{t}.normal", gamma], f"{t}.scaled"),
        step("Add", [f"{t}.scaled", beta], out),
    ]


def _prefix(weights: dict[str, np.ndarray]) -> str:
    """What the export puts before `embeddings.` and `encoder.` (`inner.`, `bert.` or nothing)."""
    for name in weights:
        if name.endswith("embeddings.word_embeddings.weight"):
            return name[: -len("embeddings.word_embeddings.weight")]
    raise NotBert("no word embeddings")


def _embeddings(weights: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    names = {n: f"{prefix}embeddings.{n}" for n in _EMBEDDINGS}
    missing = [n for n, name in names.items() if name not in weights]
    if missing:
        raise NotBert(f"no embeddings {', '.join(missing)}")
    return {n: weights[name] for n, name in names.items()}


def _linear_layers(
    model: onnx.ModelProto, weights: dict[str, np.ndarray]
) -> dict[tuple[int, str], tuple[np.ndarray, np.ndarray]]:
    """Each linear layer's (weight as [in, out], bias), keyed by (layer, name): the export names
    the biases, and the weight is the constant of the `MatMul` whose output the bias is added to."""
    made_by = {out: node for node in model.graph.node for out in node.output}
    linear: dict[tuple[int, str], tuple[np.ndarray, np.ndarray]] = {}
    for node in model.graph.node:
        if node.op_type != "Add":
            continue
        for bias, other in ((node.input[0], node.input[1]), (node.input[1], node.input[0])):
            match = _LINEAR.fullmatch(bias)
            product = made_by.get(other)
            if (
                match
                and bias in weights
                and product is not None
                and product.op_type == "MatMul"
                and product.input[1] in weights
            ):
                linear[(int(match[1]), match[2])] = (weights[product.input[1]], weights[bias])
    return linear
