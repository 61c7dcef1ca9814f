"""Markdown for people: claims footnoted, sources listed with titles and URLs.

Every string from a source, the CRM or a model goes through `md_text` (or `md_url`,
`md_code`), so it reads as text: it opens no link, image, HTML tag, heading or table cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from agent.render.escape import md_cell, md_code, md_text, md_url
from agent.render.footnotes import marks, persona_title, source_numbers
from agent.schemas import Briefing, Claim, Evidence
from knowledge.retrieve import kind_titles


def to_markdown(briefing: Briefing) -> str:
    """The briefing as a Markdown document."""
    numbers = source_numbers(briefing)

    def cite(evidence: Sequence[Evidence]) -> str:
        return "".join(f"[^{n}]" for n in marks(evidence, numbers))

    out = [
        f"# {md_text(briefing.account.name)} — account brief",
        "",
        f"_Generated {briefing.generated_at:%Y-%m-%d %H:%M} UTC · {md_text(briefing.mode)} · "
        f"{len(briefing.sources)} sources cited_",
        "",
        *[f"> **Notice:** {md_text(notice)}\n" for notice in briefing.notices],
        f"**{md_text(briefing.headline)}**",
        "",
        f"**Focus now: {briefing.focus_layer.value}.** {md_text(briefing.focus_reason)}",
        "",
    ]
    out += _glance(briefing, cite)
    out += _kpi_map(briefing, cite)
    if briefing.changes is not None:
        changes = briefing.changes
        if changes.previous_brief_at is None:
            out += ["## Since your last brief", "", "This is your first brief of this account.", ""]
        else:
            when = f"{changes.previous_brief_at:%Y-%m-%d %H:%M}"
            out += [f"## Since your last brief ({when} UTC)", ""]
            out += [
                f"- **{s.severity}** {s.type.value}: {md_text(s.summary)} {cite(s.evidence)}"
                for s in changes.new_signals
            ] or ["- No new signals."]
            out.append("")
    if briefing.triage:
        t = briefing.triage
        flag = " · expansion opportunity" if t.expansion else ""
        out += [f"## Triage: {t.status.upper()}{flag}", ""]
        out += [f"- {md_text(reason)}" for reason in t.reasons] + [""]
        if t.plays:
            plays = [f"{i}. {md_text(p)}" for i, p in enumerate(t.plays, 1)]
            out += ["**Plays:**", "", *plays, ""]
    if briefing.signals:
        out += ["## Signals", ""]
        for signal in briefing.signals:
            when = f" ({signal.occurred_at})" if signal.occurred_at else ""
            out.append(
                f"- **{signal.severity}** {signal.type.value}{when}: {md_text(signal.summary)} "
                f"{cite(signal.evidence)}"
            )
        out.append("")
    titles = kind_titles()
    for name, layer in briefing.layers.items():
        out += [f"## {name.value.capitalize()}", "", md_text(layer.summary), ""]
        out += [f"- {_claim(claim, titles)} {cite(claim.evidence)}" for claim in layer.claims]
        if layer.claims:
            out.append("")
        if layer.gaps:
            out += ["**Unknown:**", "", *[f"- {md_text(gap)}" for gap in layer.gaps], ""]
        if layer.questions:
            out += ["**Ask in the call:**", "", *[f"- {md_text(q)}" for q in layer.questions], ""]
    if briefing.stakeholders:
        out += ["## Stakeholders", "", "| Name | Title | Status | Source |", "|---|---|---|---|"]
        for person in briefing.stakeholders:
            out.append(
                f"| {md_cell(person.name)} | {md_cell(person.title or 'unknown')} | "
                f"{md_cell(person.status)} | "
                f"{cite(person.evidence)} |"
            )
        out.append("")
    if briefing.messages:
        out += ["## Value messages", ""]
        for msg in briefing.messages:
            proof = [*msg.proof_points, *(msg.estimate.evidence if msg.estimate else [])]
            out += [
                f"### {persona_title(msg.persona)}",
                "",
                f"{md_text(msg.message)} {cite(proof)}",
                "",
            ]
    if briefing.source_gaps:
        out += ["## Source gaps", "", *[f"- {md_text(gap)}" for gap in briefing.source_gaps], ""]
    if briefing.sources:
        out += ["## Sources", ""]
        for ref in briefing.sources:
            date = f", {ref.published_at:%Y-%m-%d}" if ref.published_at else ""
            url = f" {md_url(ref.url)}" if ref.url else ""
            out.append(
                f"[^{numbers[ref.id]}]: *{md_text(ref.title)}* ({ref.kind.value}{date}){url} "
                f"{md_code(ref.id)}"
            )
        out.append("")
    return "\n".join(out)


Cite = Callable[[Sequence[Evidence]], str]


def _claim(claim: Claim, titles: dict[str, str]) -> str:
    """A claim, led by the kind of fact it states when known."""
    kind = titles.get(claim.kind or "")
    return f"**{md_text(kind)}.** {md_text(claim.text)}" if kind else md_text(claim.text)


def _glance(briefing: Briefing, cite: Cite) -> list[str]:
    """At a glance: priorities in their words, key numbers, what changed, what to ask."""
    glance = briefing.at_a_glance
    if glance is None:
        return []
    out = ["## At a glance", ""]
    if glance.priorities:
        out += ["**Their priorities, in their words:**", ""]
        out += [
            f"{i}. {md_text(c.text)} {cite(c.evidence)}" for i, c in enumerate(glance.priorities, 1)
        ]
        out.append("")
    if glance.key_numbers:
        out += ["| Key number | Figure | Period | Source |", "|---|---|---|---|"]
        out += [
            f"| {md_cell(n.metric)} | {md_cell(n.value)} | {md_cell(n.period or '—')} | "
            f"{cite(n.evidence)} |"
            for n in glance.key_numbers
        ]
        out.append("")
    if glance.changes:
        out += ["**What changed:**", ""]
        out += [f"- {md_text(c.text)} {cite(c.evidence)}" for c in glance.changes]
        out.append("")
    if glance.questions:
        out += ["**Ask first:**", ""]
        out += [f"{i}. {md_text(q)}" for i, q in enumerate(glance.questions, 1)]
        out.append("")
    return out


def _kpi_map(briefing: Briefing, cite: Cite) -> list[str]:
    """Their KPI ↔ our product, as a table."""
    if not briefing.kpi_map:
        return []
    seller = md_text(briefing.seller or "our company")
    out = [
        f"## Their KPI ↔ {seller}",
        "",
        "| Their KPI | Our product | Typical impact | They said it |",
        "|---|---|---|---|",
    ]
    out += [
        f"| {md_cell(k.client_kpi)} | {md_cell(k.product)} | {md_cell(k.impact)} | "
        f"{cite(k.evidence)} |"
        for k in briefing.kpi_map
    ]
    return [*out, ""]
