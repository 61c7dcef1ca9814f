"""Markdown for people: claims footnoted, sources listed with titles and URLs."""

from __future__ import annotations

from collections.abc import Sequence

from agent.render.footnotes import marks, persona_title, source_numbers
from agent.schemas import Briefing, Evidence


def to_markdown(briefing: Briefing) -> str:
    """The briefing as a Markdown document."""
    numbers = source_numbers(briefing)

    def cite(evidence: Sequence[Evidence]) -> str:
        return "".join(f"[^{n}]" for n in marks(evidence, numbers))

    out = [
        f"# {briefing.account.name} — account brief",
        "",
        f"_Generated {briefing.generated_at:%Y-%m-%d %H:%M} UTC · {briefing.mode} · "
        f"{len(briefing.sources)} sources cited_",
        "",
        *[f"> **Notice:** {notice}\n" for notice in briefing.notices],
        f"**{briefing.headline}**",
        "",
        f"**Focus now: {briefing.focus_layer.value}.** {briefing.focus_reason}",
        "",
    ]
    if briefing.changes is not None:
        changes = briefing.changes
        if changes.previous_brief_at is None:
            out += ["## Since your last brief", "", "This is your first brief of this account.", ""]
        else:
            when = f"{changes.previous_brief_at:%Y-%m-%d %H:%M}"
            out += [f"## Since your last brief ({when} UTC)", ""]
            out += [
                f"- **{s.severity}** {s.type.value}: {s.summary} {cite(s.evidence)}"
                for s in changes.new_signals
            ] or ["- No new signals."]
            out.append("")
    if briefing.triage:
        t = briefing.triage
        flag = " · expansion opportunity" if t.expansion else ""
        out += [f"## Triage: {t.status.upper()}{flag}", ""]
        out += [f"- {reason}" for reason in t.reasons] + [""]
        if t.plays:
            out += ["**Plays:**", ""] + [f"{i}. {p}" for i, p in enumerate(t.plays, 1)] + [""]
    if briefing.signals:
        out += ["## Signals", ""]
        for signal in briefing.signals:
            when = f" ({signal.occurred_at})" if signal.occurred_at else ""
            out.append(
                f"- **{signal.severity}** {signal.type.value}{when}: {signal.summary} "
                f"{cite(signal.evidence)}"
            )
        out.append("")
    for name, layer in briefing.layers.items():
        out += [f"## {name.value.capitalize()}", "", layer.summary, ""]
        out += [f"- {claim.text} {cite(claim.evidence)}" for claim in layer.claims]
        if layer.claims:
            out.append("")
        if layer.gaps:
            out += ["**Unknown:**", ""] + [f"- {gap}" for gap in layer.gaps] + [""]
        if layer.questions:
            out += ["**Ask in the call:**", ""] + [f"- {q}" for q in layer.questions] + [""]
    if briefing.stakeholders:
        out += ["## Stakeholders", "", "| Name | Title | Status | Source |", "|---|---|---|---|"]
        for person in briefing.stakeholders:
            out.append(
                f"| {person.name} | {person.title or 'unknown'} | {person.status} | "
                f"{cite(person.evidence)} |"
            )
        out.append("")
    if briefing.messages:
        out += ["## Value messages", ""]
        for msg in briefing.messages:
            out += [
                f"### {persona_title(msg.persona)}",
                "",
                f"{msg.message} {cite(msg.proof_points)}",
                "",
            ]
    if briefing.source_gaps:
        out += ["## Source gaps", ""] + [f"- {gap}" for gap in briefing.source_gaps] + [""]
    if briefing.sources:
        out += ["## Sources", ""]
        for ref in briefing.sources:
            date = f", {ref.published_at:%Y-%m-%d}" if ref.published_at else ""
            url = f" <{ref.url}>" if ref.url else ""
            out.append(
                f"[^{numbers[ref.id]}]: *{ref.title}* ({ref.kind.value}{date}){url} `{ref.id}`"
            )
        out.append("")
    return "\n".join(out)
