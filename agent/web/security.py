"""Who may use the web app: a local page by default, anything else only with a token (the
rules; `agent.web.guard` enforces them on each request).

- Bound to loopback (the default), the app answers only requests addressed to a loopback name,
  so a web page elsewhere cannot reach it by pointing a DNS name at 127.0.0.1 (rebinding).
- Bound to any other address, `serve` refuses to start without a token; every request must
  then carry it: `Authorization: Bearer TOKEN`, the cookie set by opening `/?token=TOKEN`
  once, or `?token=TOKEN` itself.
- Every form that starts work (research, a brief, a scan) carries a per-process secret, so
  another site cannot make the CSM's browser start it.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets

from agent.errors import ConfigError

TOKEN_ENV = "DOSSIER_WEB_TOKEN"
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    name = host.strip("[]").casefold()
    if name in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_binding(host: str, token: str | None, *, allow_remote: bool) -> None:
    """Refuse to bind beyond loopback unless asked explicitly and given a token."""
    if is_loopback(host):
        return
    if not allow_remote:
        raise ConfigError(
            f"--host {host} would serve the workspace beyond this machine: add --allow-remote "
            f"and a token (--token or {TOKEN_ENV}) to do that"
        )
    if not token or len(token) < 16:
        raise ConfigError(
            f"--host {host} needs a token of at least 16 characters (--token or {TOKEN_ENV})"
        )


def new_secret() -> str:
    """A random secret for the forms of one server process."""
    return secrets.token_urlsafe(24)


def same(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented secret."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
