"""`kbgen feedback serve`: the HTTP service that receives the site's events (Starlette, run by uvicorn).

    POST /         one event (events.py), answered 204 once it is committed
    OPTIONS /      the browser's CORS preflight
    GET /health    200 while the database takes a transaction, else 503

Hostile traffic gets a short answer and changes nothing: a foreign origin 403, a body over 4 KB 413, what is
not an event 400 (one line says why), an article or a language the site does not publish 422, an address
over its rate 429. No answer carries a traceback, and no request stops the service. Addresses are never
stored: the rate is counted per keyed hash of the address, in memory, for the current minute only.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Iterable

from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .events import MAX_BODY, Catalog, Refused, parse
from .store import Writer

log = logging.getLogger("kbgen.feedback")
RATE = 60  # events per address and minute
MAX_ADDRESSES = 100_000  # addresses counted in one minute before the count starts afresh
PREFLIGHT_MAX_AGE = "86400"


class RateLimit:
    """At most `rate` requests per address in a minute; only a keyed hash of each address is kept, for the
    current minute (the key is made at start and never written down)."""

    def __init__(self, rate: int = RATE) -> None:
        self.rate = rate
        self.key = os.urandom(32)
        self.minute = -1
        self.counts: dict[bytes, int] = {}

    def allow(self, address: str) -> bool:
        minute = int(time.monotonic() // 60)
        if minute != self.minute or len(self.counts) >= MAX_ADDRESSES:
            self.minute, self.counts = minute, {}
        digest = hmac.new(self.key, address.encode("utf-8", "replace"), hashlib.sha256).digest()[:16]
        seen = self.counts.get(digest, 0) + 1
        self.counts[digest] = seen
        return seen <= self.rate


def create_app(writer: Writer, catalog: Catalog | None, origins: Iterable[str], rate: int = RATE) -> Starlette:
    allowed = frozenset(origins)
    limit = RateLimit(rate)

    def cors(request: Request) -> dict[str, str]:
        origin = request.headers.get("origin")
        if origin and origin in allowed:
            return {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        return {"Vary": "Origin"}

    def refuse(request: Request, status: int, reason: str, **headers: str) -> Response:
        return JSONResponse({"error": reason}, status_code=status, headers={**cors(request), **headers})

    def foreign(request: Request) -> bool:
        """A browser on another site (a request without `Origin` comes from a program, not a page)."""
        origin = request.headers.get("origin")
        return origin is not None and origin not in allowed

    async def body_of(request: Request) -> bytes | None:
        """The body, or None as soon as it is larger than events.MAX_BODY."""
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
            return None
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > MAX_BODY:
                return None
        return bytes(data)

    async def receive(request: Request) -> Response:
        if foreign(request):
            return refuse(request, 403, "this origin may not send feedback")
        address = request.client.host if request.client else ""
        if not limit.allow(address):
            return refuse(
                request, 429, "too many events from this address; try again in a minute", **{"Retry-After": "60"}
            )
        try:
            body = await body_of(request)
        except ClientDisconnect:
            return Response(status_code=400)
        if body is None:
            return refuse(request, 413, f"the body is larger than {MAX_BODY} bytes")
        try:
            event = parse(body, catalog)
        except Refused as exc:
            return refuse(request, exc.status, str(exc))
        try:
            await asyncio.wrap_future(writer.submit(event))
        except Exception as exc:  # noqa: BLE001 - the database failed: say so, keep serving
            log.error("feedback: the event was not stored: %s", str(exc).splitlines()[0] if str(exc) else exc)
            return refuse(request, 503, "the event could not be stored; try again later")
        return Response(status_code=204, headers=cors(request))

    async def preflight(request: Request) -> Response:
        if request.headers.get("origin") not in allowed:
            return refuse(request, 403, "this origin may not send feedback")
        headers = {
            **cors(request),
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type",
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
        }
        return Response(status_code=204, headers=headers)

    async def health(request: Request) -> Response:
        try:
            await asyncio.wait_for(asyncio.wrap_future(writer.submit(None)), timeout=5)
        except Exception as exc:  # noqa: BLE001
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return JSONResponse({"ok": False, "error": reason[:200]}, status_code=503)
        return JSONResponse({"ok": True})

    async def not_found(request: Request, exc: Exception) -> Response:
        return refuse(request, 404, "not found")

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return refuse(request, 405, "method not allowed")

    async def failed(request: Request, exc: Exception) -> Response:
        log.error("feedback: %s: %s", type(exc).__name__, exc)
        return Response(json.dumps({"error": "internal error"}), status_code=500, media_type="application/json")

    return Starlette(
        routes=[
            Route("/", receive, methods=["POST"]),
            Route("/", preflight, methods=["OPTIONS"]),
            Route("/health", health, methods=["GET"]),
        ],
        exception_handlers={404: not_found, 405: not_allowed, Exception: failed},  # never a traceback
    )
