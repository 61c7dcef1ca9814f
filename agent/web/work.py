"""The long work a page can ask for, as background jobs: assess the book, write a brief,
refresh an account's research (then brief it again), scan the book. Each reports its steps."""

from __future__ import annotations

from collections.abc import Sequence

from agent.book import load_book
from agent.crm import load_crm
from agent.deps import Deps
from agent.errors import ConfigError, DossierError, WorkspaceError
from agent.research import research
from agent.scan.scan import AccountScan, scan
from agent.schemas import Account, Persona
from agent.web.book import Book
from agent.web.briefs import make_brief, save_brief
from agent.web.jobs import Report, Work
from tools.registry import enabled_tools
from tools.sources import SourceTool


def assess_work(book: Book, accounts: Sequence[Account]) -> Work:
    """Assess the accounts whose rows of the book are not current."""

    def work(report: Report) -> None:
        crm = load_crm(book.deps.settings)
        for done, account in enumerate(accounts):
            report(f"assessing {account.name}", done, len(accounts))
            try:
                book.assessment(account, crm)
            except DossierError as exc:
                if isinstance(exc, WorkspaceError):
                    raise
                # the row shows the error when the page asks again
        report("book assessed", len(accounts), len(accounts))

    return work


def brief_work(deps: Deps, account: Account, personas: Sequence[Persona] = ()) -> Work:
    """Write the account's brief from its store and keep it as the page's latest."""

    def work(report: Report) -> None:
        report(f"writing the brief of {account.name}", 0, 1)
        save_brief(deps.settings, make_brief(deps, account, personas))
        report("brief written", 1, 1)

    return work


def research_work(deps: Deps, account: Account, personas: Sequence[Persona] = ()) -> Work:
    """Run the account's source tools (a failed source becomes a gap of the brief), then
    write its brief again."""

    def work(report: Report) -> None:
        tools = enabled_tools(account)
        steps = len(tools) + 1
        done = 0

        def on_tool(tool: SourceTool) -> None:
            nonlocal done
            report(f"researching {account.name}: {tool.name}", done, steps)
            done += 1

        research(deps, account, on_tool=on_tool)
        report(f"writing the brief of {account.name}", steps - 1, steps)
        save_brief(deps.settings, make_brief(deps, account, personas))
        report("research and brief done", steps, steps)

    return work


def scan_work(deps: Deps) -> Work:
    """Scan the whole book: research each account, report its new signals once, keep the
    digest as the workspace's last."""

    def work(report: Report) -> None:
        accounts: list[Account] = sorted(
            load_book(deps.settings).values(), key=lambda a: a.account_id
        )
        if not accounts:
            raise ConfigError(
                f"the book at {deps.settings.home} is empty (see `dossier book import`)"
            )
        total, done = len(accounts), 0
        report("scanning the book", 0, total)

        def on_account(result: AccountScan) -> None:
            nonlocal done
            done += 1
            report(f"scanned {result.account.name}", done, total)

        # the scan keeps its digest for the book page when it completes
        scan(deps, accounts, emit=lambda _digest: None, on_account=on_account)

    return work
