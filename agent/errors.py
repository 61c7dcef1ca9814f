"""dossier's exceptions, turned into a one-line message only at the CLI edge.

DossierError
├── ConfigError       bad settings, unknown account, unusable workspace
├── ParseError        an input file or response that cannot be read as its format
│   └── BlockedPage   a bot check, cookie wall or paywall stub served instead of the page
├── FetchError        a source that could not be fetched (network, HTTP status, size)
└── BriefingInvalid   a briefing that fails schema or grounding checks
"""

from __future__ import annotations

from typing import Any


class DossierError(Exception):
    """Base of every error dossier raises on purpose."""


class ConfigError(DossierError):
    """Settings, workspace or account lookup failed."""


class ParseError(DossierError):
    """Input could not be read as the format it claims to be."""


class BlockedPage(ParseError):
    """A page that stands in for the content: a bot check, a cookie wall or a paywall stub."""


class FetchError(DossierError):
    """A source could not be fetched."""


class BriefingInvalid(DossierError):
    """A briefing failed validation; carries the last output and the attempts made."""

    def __init__(self, message: str, last_output: Any = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.last_output = last_output
        self.attempts = attempts
