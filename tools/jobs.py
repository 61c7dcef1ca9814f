"""Job-board postings (Greenhouse, Lever, Ashby public APIs) as job_posting Sources."""

from __future__ import annotations

import html as htmllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from agent.errors import ParseError
from agent.schemas import Account, Source, SourceKind
from tools.base import clean_text, html_to_text, load_json, make_source, to_utc
from tools.http import JSON_TYPES
from tools.sources import FetchContext, Fetched, endpoint

PROVIDERS = ("greenhouse", "lever", "ashby")


def detect_job_board(obj: Any) -> str | None:
    """Which job-board API produced a decoded JSON response: greenhouse, lever, ashby or None."""
    if isinstance(obj, list):
        lever = any(isinstance(x, dict) and ("hostedUrl" in x or "categories" in x) for x in obj)
        return "lever" if lever and all(isinstance(x, dict) for x in obj) else None
    if not isinstance(obj, dict) or not isinstance(obj.get("jobs"), list):
        return None
    jobs = [j for j in obj["jobs"] if isinstance(j, dict)]
    if "apiVersion" in obj or any("jobUrl" in j or "descriptionPlain" in j for j in jobs):
        return "ashby"
    if "meta" in obj or any("absolute_url" in j for j in jobs):
        return "greenhouse"
    return None


def _posting(
    provider: str,
    board: str,
    job_id: str,
    *,
    title: str,
    department: str | None,
    location: str | None,
    description: str,
    url: str | None,
    published_at: datetime | None,
    compensation: Any,
    account_id: str,
    now: datetime | None,
) -> Source:
    head = [title.strip()]
    if department:
        head.append(f"Department: {department}")
    if location:
        head.append(f"Location: {location}")
    if compensation:
        head.append(f"Compensation: {compensation}")
    text = clean_text("\n".join(head) + "\n\n" + description)
    metadata: dict[str, Any] = {
        "board": board,
        "provider": provider,
        "job_id": job_id,
        "department": department,
        "location": location,
    }
    if compensation:
        metadata["compensation"] = compensation
    return make_source(
        SourceKind.job_posting,
        f"{provider}:{board}:{job_id}",
        title=title,
        text=text,
        url=url,
        published_at=published_at,
        metadata=metadata,
        account_id=account_id,
        now=now,
    )


def parse_greenhouse(
    data: bytes | str | Any, board: str, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """Postings of a Greenhouse `boards/{board}/jobs?content=true` response."""
    obj = load_json(data)
    if detect_job_board(obj) != "greenhouse":
        raise ParseError("not a Greenhouse job board response")
    sources = []
    for job in obj["jobs"]:
        departments = [d.get("name") for d in job.get("departments") or [] if d.get("name")]
        # the API escapes the HTML once more: "&lt;p&gt;"
        content = html_to_text(htmllib.unescape(job.get("content") or ""))
        sources.append(
            _posting(
                "greenhouse",
                board,
                str(job["id"]),
                title=job.get("title") or "",
                department=", ".join(departments) or None,
                location=(job.get("location") or {}).get("name"),
                description=content,
                url=job.get("absolute_url"),
                published_at=to_utc(job.get("updated_at") or job.get("first_published")),
                compensation=None,
                account_id=account_id,
                now=now,
            )
        )
    return sources


def _lever_salary(job: dict[str, Any]) -> str | None:
    salary = job.get("salaryRange")
    if not isinstance(salary, dict) or salary.get("min") is None:
        return None
    interval = str(salary.get("interval") or "").replace("-salary", "").replace("-", " ")
    span = f"{salary['min']:,}-{salary.get('max', salary['min']):,}"
    return " ".join(x for x in (salary.get("currency"), span, interval) if x)


def parse_lever(
    data: bytes | str | Any, site: str, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """Postings of a Lever `v0/postings/{site}?mode=json` response (a JSON array)."""
    obj = load_json(data)
    if detect_job_board(obj) != "lever":
        raise ParseError("not a Lever postings response")
    sources = []
    for job in obj:
        parts = [job.get("descriptionPlain") or html_to_text(job.get("description") or "")]
        for item in job.get("lists") or []:
            parts.append(f"{item.get('text', '')}\n{html_to_text(item.get('content') or '')}")
        parts.append(job.get("additionalPlain") or html_to_text(job.get("additional") or ""))
        categories = job.get("categories") or {}
        sources.append(
            _posting(
                "lever",
                site,
                str(job["id"]),
                title=job.get("text") or "",
                department=categories.get("department") or categories.get("team"),
                location=categories.get("location"),
                description="\n\n".join(p.strip() for p in parts if p and p.strip()),
                url=job.get("hostedUrl"),
                published_at=to_utc(job.get("createdAt")),
                compensation=_lever_salary(job),
                account_id=account_id,
                now=now,
            )
        )
    return sources


def _ashby_compensation(job: dict[str, Any]) -> str | None:
    comp = job.get("compensation")
    if not isinstance(comp, dict):
        return None
    summary = comp.get("compensationTierSummary") or comp.get("scrapeableCompensationSalarySummary")
    return str(summary) if summary else None


def parse_ashby(
    data: bytes | str | Any, org: str, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """Postings of an Ashby `posting-api/job-board/{org}` response."""
    obj = load_json(data)
    if detect_job_board(obj) != "ashby":
        raise ParseError("not an Ashby job board response")
    sources = []
    for job in obj["jobs"]:
        locations = [job.get("location")] + [
            x.get("location") for x in job.get("secondaryLocations") or [] if isinstance(x, dict)
        ]
        description = job.get("descriptionPlain") or html_to_text(job.get("descriptionHtml") or "")
        sources.append(
            _posting(
                "ashby",
                org,
                str(job["id"]),
                title=job.get("title") or "",
                department=job.get("department") or job.get("team"),
                location="; ".join(x for x in locations if x) or None,
                description=description,
                url=job.get("jobUrl"),
                published_at=to_utc(job.get("publishedAt")),
                compensation=_ashby_compensation(job),
                account_id=account_id,
                now=now,
            )
        )
    return sources


def parse_job_board(
    data: bytes | str | Any, board: str, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """Postings of any supported job-board response, the provider detected from its shape."""
    obj = load_json(data)
    provider = detect_job_board(obj)
    parsers = {"greenhouse": parse_greenhouse, "lever": parse_lever, "ashby": parse_ashby}
    if provider is None:
        raise ParseError("not a Greenhouse, Lever or Ashby job board response")
    return parsers[provider](obj, board, account_id=account_id, now=now)


@dataclass
class JobBoardTool:
    """One job-board API: the account field naming the board, its URL shape and its parser."""

    name: str
    base_setting: str
    path: str
    params: dict[str, str]
    parse: Callable[..., list[Source]]
    kind: SourceKind = SourceKind.job_posting

    def board(self, account: Account) -> str | None:
        """The account's board token on this provider."""
        value = getattr(account, self.name)
        return (value or "").strip() or None

    def enabled(self, account: Account) -> bool:
        """True when the account names a board on this provider."""
        return self.board(account) is not None

    def url(self, account: Account, ctx: FetchContext) -> str:
        """The board's API URL under the configured base URL."""
        base = getattr(ctx.settings, self.base_setting)
        return endpoint(base, self.path.format(board=quote(self.board(account) or "", safe="")))

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        """Every open posting of the board (the APIs list only open ones, newest not first)."""
        board = self.board(account) or ""
        data = ctx.http.get_json(self.url(account, ctx), params=self.params, accept=JSON_TYPES)
        sources = self.parse(data, board, account_id=account.account_id, now=ctx.now)
        return Fetched(sources)


GREENHOUSE = JobBoardTool(
    "greenhouse", "greenhouse_url", "/v1/boards/{board}/jobs", {"content": "true"}, parse_greenhouse
)
LEVER = JobBoardTool("lever", "lever_url", "/v0/postings/{board}", {"mode": "json"}, parse_lever)
ASHBY = JobBoardTool(
    "ashby",
    "ashby_url",
    "/posting-api/job-board/{board}",
    {"includeCompensation": "true"},
    parse_ashby,
)
