"""The web app over a workspace (Starlette, rendered on the server, no asset from elsewhere).

/                                   the book: triage, expansion, renewal, new signals; filter, sort
/accounts/{account}                 the brief, signals timeline, sources; research and re-brief
/accounts/{account}/sources/{id}    a stored source, the quotes asked for (`?q=`) highlighted
/accounts/{account}/sources/{id}/context   the same as a panel: the quotes in their context
/digest                             the last scan's digest
/jobs/{id}                          a background job's progress (JSON, polled by the pages)

Long work runs as a background job (`agent.web.jobs`); a page shows its progress and reloads
when it ends. Every error is a page with one clear line; a traceback goes only to the log.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from agent.book import find_account
from agent.deps import Deps
from agent.errors import ConfigError, DossierError, workspace_error
from agent.scan.digest import load_digest
from agent.schemas import Account, Persona, Source, TriageStatus
from agent.web.book import SORT_KEYS, Book, BookQuery, SortKey, select
from agent.web.briefs import load_brief
from agent.web.footnotes import brief_fragment
from agent.web.guard import Guard
from agent.web.jobs import Jobs
from agent.web.quotes import excerpt, pieces, spans, stored_source
from agent.web.security import new_secret, same
from agent.web.views import page
from agent.web.work import assess_work, brief_work, research_work, scan_work

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


@dataclass
class WebState:
    """What the app's requests share: the workspace, the book's assessments, the jobs."""

    deps: Deps
    book: Book
    jobs: Jobs = field(default_factory=Jobs)
    secret: str = field(default_factory=new_secret)

    def common(self) -> dict[str, Any]:
        """Values every page shows: the forms' secret and the work in progress."""
        return {"secret": self.secret, "running": self.jobs.active()}


def create_app(deps: Deps, *, token: str | None = None, loopback_only: bool = True) -> Starlette:
    """The web app over the workspace of `deps` (the caller closes `deps` when it stops)."""
    state = WebState(deps=deps, book=Book(deps))
    routes = [
        Route("/", book_page),
        Route("/scan", start_scan, methods=["POST"]),
        Route("/digest", digest_page),
        Route("/jobs/{job_id}", job_status),
        Route("/accounts/{account}", account_page),
        Route("/accounts/{account}/brief", start_brief, methods=["POST"]),
        Route("/accounts/{account}/research", start_research, methods=["POST"]),
        Route("/accounts/{account}/sources/{source_id}", source_page),
        Route("/accounts/{account}/sources/{source_id}/context", source_panel),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard, token=token, loopback_only=loopback_only)],
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
        lifespan=_lifespan,
    )
    app.state.web = state
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    """Stop taking jobs when the server stops."""
    yield
    app.state.web.jobs.shutdown()


def _state(request: Request) -> WebState:
    web: WebState = request.app.state.web
    return web


def book_page(request: Request) -> Response:
    """The book: every account with where it stands, filtered and sorted."""
    web = _state(request)
    query = _book_query(request)
    today = web.deps.clock().date()
    rows, stale = web.book.rows(wait=False)
    if stale:
        web.jobs.submit("assess", "assessing the book", None, assess_work(web.book, stale))
    return HTMLResponse(
        page(
            "book.html.j2",
            rows=select(rows, query, today),
            total=len(rows),
            query=query,
            sort_keys=SORT_KEYS,
            today=today,
            digest=load_digest(web.deps.settings),
            scan_job=web.jobs.latest("scan", None),
            assess_job=web.jobs.latest("assess", None),
            **web.common(),
        )
    )


def account_page(request: Request) -> Response:
    """One account: its brief (written in the background when there is none), its signals
    as a timeline, its stored sources, and the buttons that refresh them."""
    web = _state(request)
    account = _account(web, request)
    settings = web.deps.settings
    briefing = load_brief(settings, account.account_id)
    if briefing is None and not web.jobs.active(account.account_id):
        failed = web.jobs.latest("brief", account.account_id)
        if failed is None or failed.status != "failed":
            web.jobs.submit(
                "brief",
                f"brief of {account.name}",
                account.account_id,
                brief_work(web.deps, account),
            )
    sources = web.deps.store.sources(account.account_id)
    timeline = sorted(
        briefing.signals if briefing else [],
        key=lambda s: (s.occurred_at is not None, s.occurred_at or date.min),
        reverse=True,
    )
    return HTMLResponse(
        page(
            "account.html.j2",
            account=account,
            triage=briefing.triage if briefing else None,
            briefing=briefing,
            fragment=brief_fragment(briefing, account.account_id) if briefing else None,
            timeline=timeline,
            sources=sources,
            titles={s.id: s.title for s in sources},
            jobs=web.jobs.active(account.account_id),
            failed=[
                j
                for kind in ("brief", "research")
                if (j := web.jobs.latest(kind, account.account_id)) and j.status == "failed"
            ],
            personas=list(Persona),
            **web.common(),
        )
    )


async def start_brief(request: Request) -> Response:
    """Write the account's brief again, for one persona when one is chosen."""
    web = _state(request)
    form = await _checked_form(web, request)
    account = _account(web, request)
    personas = [_persona(form.get("persona"))] if form.get("persona") else []
    label = f"brief of {account.name}" + (f" for {personas[0].value}" if personas else "")
    web.jobs.submit("brief", label, account.account_id, brief_work(web.deps, account, personas))
    return RedirectResponse(f"/accounts/{account.account_id}", status_code=303)


async def start_research(request: Request) -> Response:
    """Refresh the account's research, then write its brief again."""
    web = _state(request)
    await _checked_form(web, request)
    account = _account(web, request)
    web.jobs.submit(
        "research",
        f"research on {account.name}",
        account.account_id,
        research_work(web.deps, account),
    )
    return RedirectResponse(f"/accounts/{account.account_id}", status_code=303)


async def start_scan(request: Request) -> Response:
    """Scan the whole book in the background; the digest page shows it when it ends."""
    web = _state(request)
    await _checked_form(web, request)
    web.jobs.submit("scan", "scan of the book", None, scan_work(web.deps))
    return RedirectResponse("/digest", status_code=303)


def digest_page(request: Request) -> Response:
    """The last scan's digest: red accounts first, each new signal with its quotes."""
    web = _state(request)
    digest = load_digest(web.deps.settings)
    return HTMLResponse(
        page(
            "digest.html.j2",
            digest=digest,
            counts=digest.counts() if digest else None,
            scan_job=web.jobs.latest("scan", None),
            **web.common(),
        )
    )


def source_page(request: Request) -> Response:
    """A stored source in full, the quotes asked for highlighted."""
    web = _state(request)
    account, source = _source(web, request)
    quotes = request.query_params.getlist("q")
    marked = spans(quotes, source.text)
    return HTMLResponse(
        page(
            "source.html.j2",
            account=account,
            source=source,
            pieces=pieces(source.text, marked),
            asked=len(quotes),
            found=len(marked),
            **web.common(),
        )
    )


def source_panel(request: Request) -> Response:
    """The quotes asked for in their context, for the panel a footnote opens."""
    web = _state(request)
    account, source = _source(web, request)
    quotes = request.query_params.getlist("q")
    marked = spans(quotes, source.text)
    shown, before, after = excerpt(source.text, marked)
    return HTMLResponse(
        page(
            "source_panel.html.j2",
            account=account,
            source=source,
            pieces=shown,
            before=before,
            after=after,
            quotes=quotes,
            asked=len(quotes),
            found=len(marked),
        )
    )


def job_status(request: Request) -> Response:
    """A job's progress, polled by the page that started it."""
    job = _state(request).jobs.get(request.path_params["job_id"])
    if job is None:
        return JSONResponse(
            {"error": "no such job (finished long ago, or the server restarted)"}, 404
        )
    return JSONResponse(job.view())


def _account(web: WebState, request: Request) -> Account:
    try:
        return find_account(web.deps.settings, request.path_params["account"])
    except ConfigError as exc:
        raise HTTPException(404, str(exc)) from None


def _source(web: WebState, request: Request) -> tuple[Account, Source]:
    account = _account(web, request)
    source_id = request.path_params["source_id"]
    source = stored_source(web.deps.store, account.account_id, source_id)
    if source is None:
        raise HTTPException(
            404, f"{account.name} has no stored source {source_id!r} (or its file is damaged)"
        )
    return account, source


async def _checked_form(web: WebState, request: Request) -> Any:
    form = await request.form()
    if not same(str(form.get("secret") or ""), web.secret):
        raise HTTPException(403, "this form is out of date: reload the page and try again")
    return form


def _persona(value: Any) -> Persona:
    try:
        return Persona(str(value))
    except ValueError:
        choices = ", ".join(p.value for p in Persona)
        raise HTTPException(400, f"unknown persona {value!r}: choose one of {choices}") from None


def _book_query(request: Request) -> BookQuery:
    params = request.query_params
    triage: TriageStatus | None = None
    if params.get("triage") in ("red", "yellow", "green"):
        triage = params["triage"]  # type: ignore[assignment]
    sort: SortKey = "triage"
    if params.get("sort") in SORT_KEYS:
        sort = params["sort"]  # type: ignore[assignment]
    within = params.get("renewal", "")
    return BookQuery(
        text=params.get("q", "")[:200],
        triage=triage,
        expansion=params.get("expansion") == "1",
        renewal_within=int(within) if within.isdigit() and len(within) < 6 else None,
        sort=sort,
        descending=params.get("order") == "desc",
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    titles = {404: "Not found", 403: "Not allowed", 400: "Bad request"}
    return _error_page(request, exc.status_code, titles.get(exc.status_code, "Error"), exc.detail)


async def _server_error(request: Request, exc: Exception) -> Response:
    fault = workspace_error(exc)
    if isinstance(exc, DossierError) or fault is not None:
        message = str(fault or exc)
    else:
        log.exception("unexpected error on %s", request.url.path)
        message = f"unexpected {type(exc).__name__}: {exc} (the server's log has the details)"
    return _error_page(request, 500, "Something went wrong", message)


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    web = _state(request)
    body = page(
        "error.html.j2", title=title, message=" ".join(str(message).split()), **web.common()
    )
    return HTMLResponse(body, status_code=status)
