"""The sentence classifier: which signal type a sentence reports, read from its meaning.

A sentence becomes a feature vector: its embedding from the bundled MiniLM model, one feature
per taxonomy type whose trigger patterns match it, and a few cues a regex reads exactly
(figures, first person, questions, negation, conditionals, dates). A multinomial logistic
regression over the 18 external types and `none` turns that into probabilities. It is trained
by `knowledge/build_signal_model.py` on `knowledge/signal_examples.yaml`, sentences invented
for dossier in the voices of calls, news, filings, postings and reviews, and stored as plain
numbers in `knowledge/signal_model.json`. Real documents only measure it.

Why a model and not more patterns: patterns tuned sentence by sentence fit the sentences they
were written for; the embedding carries what a sentence means in words no pattern lists.

Embeddings are the cost: vectors are kept per sentence text (boilerplate repeated across
postings, syndicated copies and re-read sources are embedded once per process).
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from agent.errors import ConfigError
from agent.schemas import SignalType
from knowledge.embed import DIMENSION, default_embedder
from knowledge.taxonomy import EXTERNAL_TYPES, load_taxonomy, straight_quotes

MODEL_FILE = "signal_model.json"
#: The class of a sentence that reports no signal.
NONE = "none"
#: Vectors and scores kept per sentence text; past this many the cache starts over (a brief
#: of a long call reads about 1,100 sentences; a larger cache only grows a scan's memory).
CACHE_SIZE = 4_000
#: Characters of a sentence the model reads (MiniLM reads 256 tokens at most anyway).
MAX_CHARS = 1000

#: Cues a regex reads exactly, in feature order.
CUES = (
    r"\bexpect|\bguidance\b|\boutlook\b|\bforecast|\bproject(?:s|ed|ing)?\b|\banticipat",
    r"\bgrew\b|\bgrowth\b|\bincreas|\bdeclin|\brose\b|\bfell\b|\bup \d|\bdown \d|\breported\b",
    r"\d+(?:\.\d+)?\s?%|\bper ?cent\b|\bbasis points\b",
    r"\$\s?\d|\b\d+(?:\.\d+)? ?(?:billion|million|bn)\b",
    r"\bwe\b|\bour\b|\bus\b",
    r"\?\s*$",
    r"\bnot\b|\bno\b|\bnever\b|\bdenie[sd]\b|n't\b",
    r"\bif\b|\bcould\b|\bwould\b|\bmight\b|\bmay\b",
    r"\bI\b|\bI'm\b",
    r"^\s*[-•*]",
    r"\b(?:19|20)\d\d\b",
    r"\bthank|\bgood (?:morning|afternoon|evening)|\bwelcome\b",
)
_CUE_RES = [re.compile(c, re.IGNORECASE) for c in CUES]
#: Types whose trigger patterns are features (the others have none).
PATTERN_TYPES = tuple(t for t in EXTERNAL_TYPES if load_taxonomy()[t].patterns)


def pattern_features(sentences: Sequence[str]) -> np.ndarray:
    """Per sentence: which types' trigger patterns match, the cues, and its length."""
    taxonomy = load_taxonomy()
    width = len(PATTERN_TYPES) + len(_CUE_RES) + 1
    out = np.zeros((len(sentences), width), dtype=np.float32)
    for i, sentence in enumerate(map(straight_quotes, sentences)):
        for j, kind in enumerate(PATTERN_TYPES):
            combined = taxonomy[kind].any_pattern()
            out[i, j] = combined is not None and combined.search(sentence) is not None
        base = len(PATTERN_TYPES)
        for j, cue in enumerate(_CUE_RES):
            out[i, base + j] = cue.search(sentence) is not None
        out[i, -1] = min(len(sentence.split()), 60) / 60
    return out


def features(sentences: Sequence[str], vectors: np.ndarray) -> np.ndarray:
    """The model's input: embeddings next to the pattern and cue features."""
    return np.hstack([vectors, pattern_features(sentences)]).astype(np.float32)


def taxonomy_digest() -> str:
    """A digest of what the pattern features mean; a model built on other patterns is stale."""
    taxonomy = load_taxonomy()
    text = json.dumps([[t.value, taxonomy[t].patterns] for t in PATTERN_TYPES] + [list(CUES)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SignalModel:
    """Weights of the logistic regression and the classes they score."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (features, classes)
    bias: np.ndarray  # (classes,)
    taxonomy: str
    examples: str

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities of each row of features."""
        z = x @ self.weights + self.bias
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)


def model_from(data: dict[str, Any]) -> SignalModel:
    """A model from its JSON form (what knowledge/build_signal_model.py writes)."""
    try:
        return SignalModel(
            classes=tuple(str(c) for c in data["classes"]),
            weights=np.asarray(data["weights"], dtype=np.float32),
            bias=np.asarray(data["bias"], dtype=np.float32),
            taxonomy=str(data["taxonomy"]),
            examples=str(data["examples"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"knowledge/{MODEL_FILE}: not a signal model ({exc})") from None


@cache
def load_model() -> SignalModel:
    """The bundled model; ConfigError when it is missing, damaged or built for other patterns."""
    try:
        text = resources.files("knowledge").joinpath(MODEL_FILE).read_text(encoding="utf-8")
        model = model_from(json.loads(text))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"knowledge/{MODEL_FILE}: {exc}") from None
    if model.taxonomy != taxonomy_digest():
        raise ConfigError(
            f"knowledge/{MODEL_FILE} was built for other taxonomy patterns: "
            "run `python -m knowledge.build_signal_model`"
        )
    return model


_VECTORS: dict[str, np.ndarray] = {}
_LOCK = threading.Lock()


def embed(sentences: Sequence[str]) -> np.ndarray:
    """Unit vectors of the sentences, each text embedded once per process."""
    keys = [s[:MAX_CHARS] for s in sentences]
    known = {k: v for k in set(keys) if (v := _VECTORS.get(k)) is not None}
    missing = [k for k in dict.fromkeys(keys) if k not in known]
    if missing:
        known.update(zip(missing, default_embedder().embed(missing), strict=True))
        with _LOCK:
            if len(_VECTORS) + len(missing) > CACHE_SIZE:
                _VECTORS.clear()
            _VECTORS.update((k, known[k]) for k in missing)
    out = np.zeros((len(keys), DIMENSION), dtype=np.float32)
    for i, key in enumerate(keys):
        out[i] = known[key]
    return out


_SCORES: dict[str, dict[SignalType | None, float]] = {}


def classify(sentences: Sequence[str]) -> list[dict[SignalType | None, float]]:
    """Per sentence, the probability of each external type (None: no signal); each text is
    classified once per process."""
    known = {t: v for t in set(sentences) if (v := _SCORES.get(t)) is not None}
    missing = [t for t in dict.fromkeys(sentences) if t not in known]
    if missing:
        model = load_model()
        kinds = [None if c == NONE else SignalType(c) for c in model.classes]
        rows = model.probabilities(features(missing, embed(missing)))
        for text, row in zip(missing, rows, strict=True):
            known[text] = dict(zip(kinds, (float(p) for p in row), strict=True))
        with _LOCK:
            if len(_SCORES) + len(missing) > CACHE_SIZE:
                _SCORES.clear()
            _SCORES.update((t, known[t]) for t in missing)
    return [known[t] for t in sentences]
