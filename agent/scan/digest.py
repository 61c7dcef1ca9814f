"""The scan digest: accounts red first, then yellow, then expansion, then green, each with its
new signals, evidence links and plays — as Markdown, JSON and a self-contained HTML page."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, ValidationError

from agent.atomic import write_atomic
from agent.config import Settings
from agent.render.escape import md_link, md_text, web_url
from agent.render.html import environment
from agent.schemas import Signal, TriageStatus

if TYPE_CHECKING:
    from agent.scan.ledger import Recorded  # the database layer loads only when a scan runs

log = logging.getLogger(__name__)

DigestFormat = Literal["md", "json", "html"]
_RANK = {"red": 0, "yellow": 1, "expansion": 2, "green": 3, None: 4}


class DigestAccount(BaseModel):
    """One account in the digest; `triage` is null when the account could not be assessed."""

    account_id: str
    name: str
    triage: TriageStatus | None
    expansion: bool = False
    new_signals: list[Signal] = Field(default_factory=list)
    plays: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    #: Ledger fingerprints of `new_signals`, in the same order (what the run reports).
    fingerprints: list[str] = Field(default_factory=list, exclude=True)
    #: Source id → URL of the evidence, for links.
    links: dict[str, str] = Field(default_factory=dict, exclude=True)

    @property
    def rank(self) -> int:
        """Red, yellow, expansion-only, green, then unassessed."""
        if self.triage == "green" and self.expansion:
            return _RANK["expansion"]
        return _RANK[self.triage]

    def link(self, source_id: str) -> str | None:
        """A web address for an evidence source (never a `javascript:` URL from a page)."""
        return web_url(self.links.get(source_id))


class Digest(BaseModel):
    """What one scan reports."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    accounts: list[DigestAccount]

    def counts(self) -> dict[str, int]:
        """How many accounts are red, yellow, expansion, and how many new signals in all."""
        return {
            "red": sum(a.triage == "red" for a in self.accounts),
            "yellow": sum(a.triage == "yellow" for a in self.accounts),
            "expansion": sum(a.expansion for a in self.accounts),
            "new_signals": sum(len(a.new_signals) for a in self.accounts),
            "errors": sum(bool(a.errors) for a in self.accounts),
        }

    def worth_reading(self) -> list[DigestAccount]:
        """The accounts with something new or an error, in digest order."""
        return [a for a in self.accounts if a.new_signals or a.errors]


def build_digest(
    run_id: str,
    started_at: datetime,
    finished_at: datetime,
    accounts: Sequence[DigestAccount],
    new: Sequence[Recorded],
) -> Digest:
    """The digest of a run: its accounts, each given the ledger's unreported signals of it."""
    by_account: dict[str, list[Recorded]] = defaultdict(list)
    for item in new:
        by_account[item.account_id].append(item)
    entries = []
    for account in accounts:
        fresh = by_account.get(account.account_id, [])
        update = {
            "new_signals": [r.signal for r in fresh],
            "fingerprints": [r.fingerprint for r in fresh],
        }
        entries.append(account.model_copy(update=update))
    entries.sort(key=lambda a: (a.rank, -len(a.new_signals), a.name.casefold(), a.account_id))
    return Digest(run_id=run_id, started_at=started_at, finished_at=finished_at, accounts=entries)


def render_digest(digest: Digest, fmt: DigestFormat) -> str:
    """The digest in the requested format."""
    if fmt == "json":
        return digest.model_dump_json(indent=2)
    if fmt == "html":
        template = environment().get_template("digest.html.j2")
        return template.render(d=digest, counts=digest.counts(), label=_label)
    return _markdown(digest)


def _markdown(digest: Digest) -> str:
    counts = digest.counts()
    lines = [
        f"# Book scan {digest.started_at:%Y-%m-%d %H:%M} UTC",
        "",
        f"{counts['red']} red · {counts['yellow']} yellow · {counts['expansion']} expansion · "
        f"{counts['new_signals']} new signals · {len(digest.accounts)} accounts scanned"
        + (f" · {counts['errors']} with errors" if counts["errors"] else ""),
        "",
    ]
    shown = digest.worth_reading()
    for account in shown:
        lines += [f"## {md_text(account.name)} — {_label(account)}", ""]
        for signal in account.new_signals:
            when = f" ({signal.occurred_at.isoformat()})" if signal.occurred_at else ""
            lines.append(
                f"- **{signal.severity}** {signal.type.value}{when}: {md_text(signal.summary)}"
            )
            for evidence in signal.evidence:
                url = account.link(evidence.source_id)
                where = md_link(evidence.source_id, url)
                lines.append(f'  - "{md_text(evidence.quote)}" — {where}')
        if account.new_signals and account.plays:
            lines += ["", "Plays:", *(f"1. {md_text(p)}" for p in account.plays)]
        if account.errors:
            lines += ["", "Errors:", *(f"- {md_text(e)}" for e in account.errors)]
        lines.append("")
    quiet = len(digest.accounts) - len(shown)
    if quiet:
        lines.append(f"{quiet} account(s) with nothing new.")
    return "\n".join(lines).rstrip() + "\n"


def _label(account: DigestAccount) -> str:
    status = account.triage or "not assessed"
    return f"{status} · expansion" if account.expansion else status


# The last completed scan's digest, kept in the workspace (`digests/last.json`) for the web
# page and the MCP server.


def digest_file(settings: Settings) -> Path:
    """Where the workspace's last digest is kept."""
    return settings.home / "digests" / "last.json"


def save_digest(settings: Settings, digest: Digest) -> None:
    """Keep `digest` as the workspace's last digest (atomically)."""
    write_atomic(digest_file(settings), digest.model_dump_json(indent=2))


def load_digest(settings: Settings) -> Digest | None:
    """The last digest kept, or None when no scan has written one (or it cannot be read)."""
    path = digest_file(settings)
    if not path.is_file():
        return None
    try:
        return Digest.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a digest this version reads"
        log.warning("%s: the last digest cannot be read (%s); a scan replaces it", path, reason)
        return None
