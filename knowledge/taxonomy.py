"""The signal taxonomy and the vendor lexicon, as data: `taxonomy.yaml` and `vendors.yaml`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, cast, get_args

from agent.errors import ConfigError
from agent.schemas import Polarity, Severity, SignalType
from knowledge.yaml_text import load_yaml

#: Types that come from the CSM's own data; they have no text patterns.
CRM_TYPES = frozenset(
    {
        SignalType.usage_decline,
        SignalType.seat_limit,
        SignalType.support_spike,
        SignalType.champion_departure,
        SignalType.renewal_window,
        SignalType.missed_qbr,
        SignalType.health_decline,
    }
)
EXTERNAL_TYPES = tuple(t for t in SignalType if t not in CRM_TYPES)


@dataclass(frozen=True)
class SignalSpec:
    """One signal type: its defaults, what it means, how to find it, and the play to run."""

    type: SignalType
    severity: Severity
    polarity: Polarity
    description: str
    patterns: list[str]
    prototypes: list[str]
    play: str

    def compiled(self) -> list[re.Pattern[str]]:
        """The patterns compiled case-insensitively."""
        return _compile(tuple(self.patterns))

    def any_pattern(self) -> re.Pattern[str] | None:
        """All patterns as one regex, to rule a sentence out with a single search."""
        return _combine(tuple(self.patterns))


#: Typographic quotes as the patterns write them ("we’re" is "we're"), one character for one.
_STRAIGHT = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def straight_quotes(text: str) -> str:
    """The text with typographic quotes made straight; offsets into it are offsets into the
    text (trigger patterns are written with straight quotes)."""
    return text.translate(_STRAIGHT)


@cache
def _combine(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE) if patterns else None


@cache
def _compile(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p, re.IGNORECASE) for p in patterns]


def _read(name: str) -> Any:
    text = resources.files("knowledge").joinpath(name).read_text(encoding="utf-8")
    return load_yaml(text)


def _spec(name: str, entry: Any) -> SignalSpec:
    try:
        kind = SignalType(name)
    except ValueError:
        raise ConfigError(f"taxonomy.yaml: unknown signal type {name!r}") from None
    if not isinstance(entry, dict):
        raise ConfigError(f"taxonomy.yaml: {name!r} is not a mapping")
    severity, polarity = entry.get("severity"), entry.get("polarity")
    if severity not in get_args(Severity) or polarity not in get_args(Polarity):
        raise ConfigError(f"taxonomy.yaml: {name!r} has a bad severity or polarity")
    patterns = [str(p) for p in entry.get("patterns") or []]
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"taxonomy.yaml: {name!r} pattern {pattern!r}: {exc}") from None
    return SignalSpec(
        type=kind,
        severity=cast(Severity, severity),
        polarity=cast(Polarity, polarity),
        description=str(entry.get("description") or ""),
        patterns=patterns,
        prototypes=[str(p) for p in entry.get("prototypes") or []],
        play=" ".join(str(entry.get("play") or "").split()),
    )


@cache
def load_taxonomy() -> dict[SignalType, SignalSpec]:
    """All 25 signal types from knowledge/taxonomy.yaml; ConfigError when one is missing."""
    data = _read("taxonomy.yaml")
    specs = {SignalType(name): _spec(name, entry) for name, entry in (data or {}).items()}
    missing = [t.value for t in SignalType if t not in specs]
    if missing:
        raise ConfigError(f"taxonomy.yaml: missing signal types {', '.join(missing)}")
    return specs


@cache
def load_vendors() -> dict[str, list[str]]:
    """Vendor names by category from knowledge/vendors.yaml."""
    data = _read("vendors.yaml")
    return {str(category): [str(v) for v in names] for category, names in data.items()}


@cache
def vendor_categories() -> dict[str, str]:
    """Each vendor name with its category (the first category that lists it)."""
    found: dict[str, str] = {}
    for category, names in load_vendors().items():
        for name in names:
            found.setdefault(name, category)
    return found
