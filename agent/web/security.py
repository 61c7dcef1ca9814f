"""Who may use the web app: a local page by default, anything else only with a token.

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
from urllib.parse import urlencode

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from agent.errors import ConfigError

TOKEN_COOKIE = "dossier_token"
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


class Guard(BaseHTTPMiddleware):
    """Turns away requests to a non-loopback Host (when served on loopback) and requests
    without the token (when one is set)."""

    def __init__(self, app: ASGIApp, *, token: str | None, loopback_only: bool) -> None:
        super().__init__(app)
        self.token = token
        self.loopback_only = loopback_only

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        """Check the request, then pass it on."""
        host = request.url.hostname or ""
        if self.loopback_only and not is_loopback(host):
            return PlainTextResponse("this dossier server answers only on this machine", 403)
        if self.token is None:
            return await call_next(request)
        given = request.query_params.get("token")
        if same(given, self.token) and request.method == "GET":
            # the token goes into a cookie and out of the address bar (and the history)
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
            return response
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        presented = (given, bearer or None, request.cookies.get(TOKEN_COOKIE))
        if any(same(p, self.token) for p in presented):
            return await call_next(request)
        return PlainTextResponse(
            "this dossier server needs its token: open /?token=TOKEN once", 401
        )
