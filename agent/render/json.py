"""JSON exactly as the `Briefing` schema."""

from __future__ import annotations

from agent.schemas import Briefing


def to_json(briefing: Briefing) -> str:
    """The briefing as indented JSON."""
    return briefing.model_dump_json(indent=2)
