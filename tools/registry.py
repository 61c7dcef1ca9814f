"""The registry the research run walks: every source tool, in order.

Adding a source is one module with a `SourceTool` and one line in `TOOLS`.
"""

from __future__ import annotations

from agent.schemas import Account
from tools.filings import SecTool
from tools.jobs import ASHBY, GREENHOUSE, LEVER
from tools.news import GdeltTool, GoogleNewsTool, NewsroomTool
from tools.reviews import ReviewsTool
from tools.sources import SourceTool

TOOLS: tuple[SourceTool, ...] = (
    GREENHOUSE,
    LEVER,
    ASHBY,
    GoogleNewsTool(),
    GdeltTool(),
    NewsroomTool(),
    SecTool(),
    ReviewsTool(),
)


def enabled_tools(account: Account) -> list[SourceTool]:
    """The tools whose book fields the account has, in registry order."""
    return [tool for tool in TOOLS if tool.enabled(account)]
