"""The signal taxonomy and vendor lexicon load as data, complete and well-formed."""

from __future__ import annotations

import re

from agent.schemas import SignalType
from knowledge.taxonomy import CRM_TYPES, EXTERNAL_TYPES, load_taxonomy, load_vendors


def test_all_25_types_with_plays() -> None:
    specs = load_taxonomy()
    assert set(specs) == set(SignalType)
    for kind, spec in specs.items():
        assert spec.type is kind and spec.description and spec.play
        assert spec.severity in ("red", "yellow", "info")
        assert spec.polarity in ("risk", "opportunity", "context")


def test_crm_types_have_no_patterns_and_external_types_do() -> None:
    specs = load_taxonomy()
    assert len(CRM_TYPES) == 7 and len(EXTERNAL_TYPES) == 18
    assert all(not specs[t].patterns for t in CRM_TYPES)
    aggregate = {SignalType.tech_stack, SignalType.employee_sentiment}
    assert all(specs[t].patterns for t in EXTERNAL_TYPES if t not in aggregate)
    for spec in specs.values():
        for pattern in spec.patterns:
            re.compile(pattern)


def test_red_plays_escalate_and_opportunities_talk_expansion() -> None:
    specs = load_taxonomy()
    for spec in specs.values():
        if spec.severity == "red":
            assert "30-60-90" in spec.play and "escalat" in spec.play.lower(), spec.type


def test_vendors() -> None:
    vendors = load_vendors()
    assert sum(len(v) for v in vendors.values()) >= 100
    for category in ("cloud", "data warehouse", "CRM", "payments", "EHR", "ITSM", "HR"):
        assert vendors[category]
    assert "Snowflake" in vendors["data warehouse"]
