"""Job-board postings (Greenhouse, Lever, Ashby public APIs) as job_posting Sources."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from agent.errors import ParseError
from agent.schemas import Account, Source, SourceKind
from tools.base import clean_text, html_to_text, make_source, to_utc
from tools.http import JSON_TYPES
from tools.json_input import load_json
from tools.problems import each, parser
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


@dataclass
class Posting:
    """One job posting read from any of the boards, before it becomes a Source."""

    provider: str
    board: str
    job_id: str
    title: str
    description: str
    url: str | None
    opened: datetime | None  # when the posting was first published (not last edited)
    department: str | None = None
    team: str | None = None
    location: str | None = None
    locations: list[str] = field(default_factory=list)
    employment_type: str | None = None
    workplace: str | None = None
    compensation: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


#: Separators of multi-place location strings: "Lagos & Nairobi", "LOS/NBO/ACC", "Kenya or
#: Ghana", "Austin, Texas; Denver" (commas stay: "City, State").
_PLACES = re.compile(r"\s*(?:;|\||/|\s&\s|\s+or\s+)\s*", re.IGNORECASE)
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_ITEM_PARAGRAPH = re.compile(
    r"(<li\b[^>]*>)\s*<p\b[^>]*>((?:(?!<p\b).)*?)</p>\s*(?=</li>)", re.I | re.S
)


def _html_text(html: str) -> str:
    """Text of a posting's HTML; a list item holding one paragraph stays "- item" on one line."""
    # boards wrap each bullet's words in <p>, which html_to_text would set apart from its "- "
    return html_to_text(_ITEM_PARAGRAPH.sub(r"\1\2", html))


def _text(value: Any) -> str | None:
    """A string field stripped of the stray spaces boards keep ("Data Engineer "), or None."""
    return (" ".join(value.split()) or None) if isinstance(value, str) else None


def _iso(value: Any) -> str | None:
    """A board's timestamp (ISO with offset or epoch ms) as ISO 8601 UTC, for metadata."""
    moment = to_utc(value)
    return moment.isoformat() if moment else None


def _places(*values: Any) -> list[str]:
    """Each place named in location strings, in order and once."""
    found: list[str] = []
    for value in values:
        for place in _PLACES.split(_text(value) or ""):
            if place and place not in found:
                found.append(place)
    return found


def _words(value: Any) -> str | None:
    """An API enum as words: "FullTime" → "Full Time", "hybrid" → "Hybrid"."""
    text = _text(value)
    if not text or text.lower() == "unspecified":
        return None
    spaced = _CAMEL.sub(" ", text)
    return spaced[:1].upper() + spaced[1:]


def _source(posting: Posting, *, account_id: str, now: datetime | None) -> Source:
    head = [posting.title]
    if posting.department:
        head.append(f"Department: {posting.department}")
    if posting.team and posting.team != posting.department:
        head.append(f"Team: {posting.team}")
    if posting.location:
        head.append(f"Location: {posting.location}")
    if posting.employment_type:
        head.append(f"Employment type: {posting.employment_type}")
    if posting.workplace:
        head.append(f"Workplace: {posting.workplace}")
    if posting.compensation:
        head.append(f"Compensation: {posting.compensation}")
    metadata: dict[str, Any] = {
        "board": posting.board,
        "provider": posting.provider,
        "job_id": posting.job_id,
        "department": posting.department,
        "team": posting.team,
        "location": posting.location,
        "locations": posting.locations or _places(posting.location),
        "employment_type": posting.employment_type,
        "workplace_type": posting.workplace,
        "compensation": posting.compensation,
        **posting.extra,
    }
    keep = ("department", "location", "locations")
    return make_source(
        SourceKind.job_posting,
        f"{posting.provider}:{posting.board}:{posting.job_id}",
        title=posting.title,
        text=clean_text("\n".join(head) + "\n\n" + posting.description),
        url=posting.url,
        published_at=posting.opened,
        metadata={k: v for k, v in metadata.items() if k in keep or v not in (None, "", [], {})},
        account_id=account_id,
        now=now,
    )


def _postings(
    jobs: list[Any], read: Callable[[Any], Posting], account_id: str, now: datetime | None
) -> list[Source]:
    """One Source per posting; a posting that cannot be read is a noted problem."""
    return each(jobs, lambda job: _source(read(job), account_id=account_id, now=now), "job")


def _greenhouse_fields(job: dict[str, Any]) -> dict[str, Any]:
    """The board's custom fields (`metadata`: null or [{name, value}]) as a name → value map."""
    fields: dict[str, Any] = {}
    for entry in job.get("metadata") or []:
        if not isinstance(entry, dict) or entry.get("value") is None:
            continue
        if name := _text(entry.get("name")):
            fields[name] = entry["value"]
    return fields


def _greenhouse(job: dict[str, Any], board: str) -> Posting:
    named = [d.get("name") for d in job.get("departments") or [] if isinstance(d, dict)]
    departments = [d for d in (_text(x) for x in named) if d]
    offices = [
        {"name": _text(o.get("name")), "location": _text(o.get("location"))}
        for o in job.get("offices") or []
        if isinstance(o, dict)
    ]
    fields = _greenhouse_fields(job)
    kind = next(
        (v for k, v in fields.items() if re.search(r"employment|contract|job type", str(k), re.I)),
        None,
    )
    # the API escapes the HTML once more ("&lt;p&gt;", sent as "\u0026lt;p\u0026gt;")
    content = _html_text(htmllib.unescape(job.get("content") or ""))
    return Posting(
        "greenhouse",
        board,
        str(job["id"]),
        title=_text(job.get("title")) or "",
        description=content,
        url=job.get("absolute_url"),
        opened=to_utc(job.get("first_published") or job.get("updated_at")),
        department=", ".join(departments) or None,
        location=_text((job.get("location") or {}).get("name")),
        employment_type=_text(kind),
        extra={
            "departments": departments,
            "offices": [o for o in offices if o["name"] or o["location"]],
            "fields": fields,
            "updated_at": _iso(job.get("updated_at")),
            "requisition_id": job.get("requisition_id"),
            "company_name": _text(job.get("company_name")),
            "language": job.get("language"),
            "application_deadline": job.get("application_deadline"),
            "education": job.get("education"),
        },
    )


@parser
def parse_greenhouse(
    data: bytes | str | Any, board: str, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """Postings of a Greenhouse `boards/{board}/jobs?content=true` response."""
    obj = load_json(data)
    if detect_job_board(obj) != "greenhouse":
        raise ParseError("not a Greenhouse job board response")
    jobs = [job for job in obj["jobs"] if isinstance(job, dict)]
    return _postings(jobs, lambda job: _greenhouse(job, board), account_id, now)


def _lever_salary(job: dict[str, Any]) -> str | None:
    salary = job.get("salaryRange")
    if not isinstance(salary, dict) or salary.get("min") is None:
        return None
    interval = str(salary.get("interval") or "").replace("-salary", "").replace("-", " ")
    span = f"{salary['min']:,}-{salary.get('max', salary['min']):,}"
    return " ".join(x for x in (salary.get("currency"), span, interval) if x)


def _lever(job: dict[str, Any], site: str) -> Posting:
    parts = [job.get("descriptionPlain") or _html_text(job.get("description") or "")]
    for item in job.get("lists") or []:
        parts.append(f"{item.get('text', '')}\n{_html_text(item.get('content') or '')}")
    parts.append(job.get("additionalPlain") or _html_text(job.get("additional") or ""))
    parts.append(job.get("salaryDescriptionPlain") or "")
    categories = job.get("categories") or {}
    all_locations = categories.get("allLocations")
    return Posting(
        "lever",
        site,
        str(job["id"]),
        title=_text(job.get("text")) or "",
        description="\n\n".join(p.strip() for p in parts if p and p.strip()),
        url=job.get("hostedUrl"),
        opened=to_utc(job.get("createdAt")),
        department=_text(categories.get("department")) or _text(categories.get("team")),
        team=_text(categories.get("team")),
        location=_text(categories.get("location")),
        locations=_places(*(all_locations if isinstance(all_locations, list) else [])),
        employment_type=_text(categories.get("commitment")),
        workplace=_words(job.get("workplaceType")),
        compensation=_lever_salary(job),
        extra={
            "country": job.get("country"),
            "apply_url": job.get("applyUrl"),
            "updated_at": _iso(job.get("updatedAt")),
        },
    )


@parser
def parse_lever(
    data: bytes | str | Any, site: str, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """Postings of a Lever `v0/postings/{site}?mode=json` response (a JSON array)."""
    obj = load_json(data)
    if detect_job_board(obj) != "lever":
        raise ParseError("not a Lever postings response")
    return _postings(obj, lambda job: _lever(job, site), account_id, now)


def _ashby_compensation(job: dict[str, Any]) -> str | None:
    comp = job.get("compensation")
    if not isinstance(comp, dict):
        return None
    summary = comp.get("compensationTierSummary") or comp.get("scrapeableCompensationSalarySummary")
    if summary:
        return str(summary)
    ranges = []
    for part in comp.get("summaryComponents") or []:
        if not isinstance(part, dict) or part.get("minValue") is None:
            continue
        low, high = part["minValue"], part.get("maxValue") or part["minValue"]
        interval = str(part.get("interval") or "").lower().replace("1 ", "per ")
        kind = _words(part.get("compensationType"))
        ranges.append(" ".join(x for x in (kind, part.get("currencyCode"), f"{low:,}-{high:,}",
                                             interval) if x))  # fmt: skip
    return "; ".join(ranges) or None


def _ashby_address(job: dict[str, Any]) -> str | None:
    postal = (job.get("address") or {}).get("postalAddress") or {}
    keys = ("addressLocality", "addressRegion", "addressCountry")
    return ", ".join(str(postal[k]) for k in keys if postal.get(k)) or None


def _ashby(job: dict[str, Any], org: str) -> Posting:
    places = [job.get("location")] + [
        x.get("location") for x in job.get("secondaryLocations") or [] if isinstance(x, dict)
    ]
    # the plain field writes a link as "Acme http://acme.example"; the HTML keeps the words as shown
    html = job.get("descriptionHtml")
    description = _html_text(html) if html else job.get("descriptionPlain") or ""
    workplace = _words(job.get("workplaceType")) or ("Remote" if job.get("isRemote") else None)
    return Posting(
        "ashby",
        org,
        str(job["id"]),
        title=_text(job.get("title")) or "",
        description=description,
        url=job.get("jobUrl"),
        opened=to_utc(job.get("publishedAt")),
        department=_text(job.get("department")) or _text(job.get("team")),
        team=_text(job.get("team")),
        location="; ".join(p for p in (_text(x) for x in places) if p) or None,
        locations=_places(*places),
        employment_type=_words(job.get("employmentType")),
        workplace=workplace,
        compensation=_ashby_compensation(job),
        extra={
            "is_remote": job.get("isRemote"),
            "address": _ashby_address(job),
            "apply_url": job.get("applyUrl"),
        },
    )


@parser
def parse_ashby(
    data: bytes | str | Any, org: str, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """Postings of an Ashby `posting-api/job-board/{org}` response."""
    obj = load_json(data)
    if detect_job_board(obj) != "ashby":
        raise ParseError("not an Ashby job board response")
    jobs = [job for job in obj["jobs"] if isinstance(job, dict)]
    return _postings(jobs, lambda job: _ashby(job, org), account_id, now)


@parser
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
