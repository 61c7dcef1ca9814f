"""Build knowledge/signal_model.json, the sentence classifier of agent/assess/classifier.py.

Run: .venv/bin/python -m knowledge.build_signal_model [--check]

Trains a multinomial logistic regression (numpy, full-batch gradient descent with momentum,
L2, classes weighted to equal total weight) on knowledge/signal_examples.yaml: invented
sentences, never the real documents that measure the model. Deterministic: the same examples
and taxonomy give the same weights. `--check` prints the 5-fold cross-validated accuracy
instead of writing the model.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path

import numpy as np

from agent.assess.classifier import MODEL_FILE, NONE, embed, features, taxonomy_digest
from knowledge.embed import DIMENSION
from knowledge.taxonomy import EXTERNAL_TYPES
from knowledge.yaml_text import load_yaml

HERE = Path(__file__).parent
EXAMPLES = HERE / "signal_examples.yaml"
#: Embeddings are unit vectors; scaled up, their weights need less L2 pull to matter.
EMBEDDING_SCALE = 3.0
L2 = 1e-4
EPOCHS = 1200
RATE = 0.5
MOMENTUM = 0.9


def load_examples(path: Path = EXAMPLES) -> tuple[list[str], list[str]]:
    """(sentences, classes) of the examples file; every class an external type or `none`."""
    data = load_yaml(path.read_text(encoding="utf-8"))
    known = {t.value for t in EXTERNAL_TYPES} | {NONE}
    sentences, classes = [], []
    for name, items in data.items():
        if name not in known:
            raise SystemExit(f"{path}: unknown class {name!r}")
        for item in items:
            sentences.append(str(item))
            classes.append(name)
    return sentences, classes


def examples_digest(path: Path = EXAMPLES) -> str:
    """A digest of the examples file, recorded in the model to tell a stale model."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def train(x: np.ndarray, y: np.ndarray, n_classes: int) -> tuple[np.ndarray, np.ndarray]:
    """Weights and bias of a class-balanced multinomial logistic regression."""
    counts = Counter(y.tolist())
    sample = np.array([1.0 / counts[k] for k in y.tolist()], dtype=np.float32)
    sample /= sample.sum()
    target = np.eye(n_classes, dtype=np.float32)[y]
    weights = np.zeros((x.shape[1], n_classes), dtype=np.float32)
    bias = np.zeros(n_classes, dtype=np.float32)
    velocity_w, velocity_b = np.zeros_like(weights), np.zeros_like(bias)
    for _ in range(EPOCHS):
        z = x @ weights + bias
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - target) * sample[:, None]
        velocity_w = MOMENTUM * velocity_w - RATE * (x.T @ g + L2 * weights)
        velocity_b = MOMENTUM * velocity_b - RATE * g.sum(axis=0)
        weights += velocity_w
        bias += velocity_b
    return weights, bias


def design(sentences: list[str]) -> np.ndarray:
    """The feature matrix, with the embedding part scaled (the scale is folded into the
    stored weights, so inference reads plain features)."""
    x = features(sentences, embed(sentences))
    x[:, :DIMENSION] *= EMBEDDING_SCALE
    return x


def cross_validate(x: np.ndarray, y: np.ndarray, n_classes: int, folds: int = 5) -> float:
    """Accuracy over `folds` interleaved folds."""
    right = 0
    for k in range(folds):
        test = np.arange(len(y)) % folds == k
        w, b = train(x[~test], y[~test], n_classes)
        right += int(((x[test] @ w + b).argmax(axis=1) == y[test]).sum())
    return right / len(y)


def main() -> None:
    """Train on the examples and write the model (or, with --check, cross-validate)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="cross-validate, write nothing")
    args = parser.parse_args()
    sentences, names = load_examples()
    classes = sorted(set(names))
    y = np.array([classes.index(n) for n in names])
    x = design(sentences)
    if args.check:
        print(f"5-fold accuracy: {cross_validate(x, y, len(classes)):.3f} on {len(y)} examples")
        return
    weights, bias = train(x, y, len(classes))
    weights[:DIMENSION] *= EMBEDDING_SCALE
    model = {
        "classes": classes,
        "taxonomy": taxonomy_digest(),
        "examples": examples_digest(),
        "weights": [[round(float(v), 5) for v in row] for row in weights],
        "bias": [round(float(v), 5) for v in bias],
    }
    (HERE / MODEL_FILE).write_text(json.dumps(model, separators=(",", ":")) + "\n")
    print(f"wrote knowledge/{MODEL_FILE}: {len(classes)} classes, {weights.shape[0]} features")


if __name__ == "__main__":
    main()
