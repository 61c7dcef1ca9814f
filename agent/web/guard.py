"""The web app's middleware that enforces `agent.web.security` on every request."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp

from agent.web.security import is_loopback, same

TOKEN_COOKIE = "dossier_token"


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
