"""Numbering of cited sources shared by the Markdown and HTML renderings."""

from __future__ import annotations

from collections.abc import Iterable

from agent.schemas import Briefing, Evidence, Persona


def source_numbers(briefing: Briefing) -> dict[str, int]:
    """Footnote number of each cited source, in the order the briefing lists them."""
    return {ref.id: i for i, ref in enumerate(briefing.sources, start=1)}


def marks(evidence: Iterable[Evidence], numbers: dict[str, int]) -> list[int]:
    """The footnote numbers one statement cites, each once."""
    return sorted({numbers[e.source_id] for e in evidence if e.source_id in numbers})


def persona_title(persona: Persona) -> str:
    """A persona as a heading."""
    return persona.value.replace("_", " ").capitalize()
