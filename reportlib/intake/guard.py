"""Who may do what: a request's token checked (with a rate limit on failures), forms checked
for their CSRF token, security headers on every answer, tokens redacted from every log line."""
from __future__ import annotations

import datetime as dt
import hmac
import logging
import re
import threading
import time
from collections import OrderedDict, deque

from reportlib.intake.rules import CSRF_LIFETIME_SECONDS, FAILED_TOKEN_LIMIT, FAILED_TOKEN_WINDOW
from reportlib.intake.screen import Refusal
from reportlib.intake.tokens import Grant, TokenProblem, TokenStore

SECURITY_HEADERS = [
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (b"content-security-policy",
     b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src data:; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
]
# A token in a path (/u/<token>, /board/<token>) as any log line may hold it.
TOKEN_IN_PATH = re.compile(r"/(u|board)/[^/?#\s\"]+")
MAX_TRACKED_ADDRESSES = 10000


def redact(text: str) -> str:
    """``text`` with every token in a path replaced by ``***``."""
    return TOKEN_IN_PATH.sub(lambda m: f"/{m.group(1)}/***", text)


class RedactTokens(logging.Filter):
    """A logging filter that takes tokens out of a record's message and arguments (uvicorn's
    access log passes the path as an argument)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_log_redaction() -> None:
    """Redact tokens in uvicorn's and this package's loggers (and their handlers)."""
    for name in ("uvicorn", "uvicorn.access", "uvicorn.error", "reportlib"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
        for handler in logger.handlers:
            if not any(isinstance(f, RedactTokens) for f in handler.filters):
                handler.addFilter(RedactTokens())


class FailedTokens:
    """Failed token attempts per client address: ``FAILED_TOKEN_LIMIT`` within
    ``FAILED_TOKEN_WINDOW`` seconds lock the address out until the window has passed."""

    def __init__(self, limit: int = FAILED_TOKEN_LIMIT, window: float = FAILED_TOKEN_WINDOW, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self.failures: OrderedDict[str, deque] = OrderedDict()
        self.lock = threading.Lock()

    def _recent(self, address: str) -> deque:
        now = self.clock()
        times = self.failures.get(address)
        if times is None:
            return deque()
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, address: str) -> bool:
        with self.lock:
            return len(self._recent(address)) >= self.limit

    def fail(self, address: str) -> None:
        with self.lock:
            times = self._recent(address)
            times.append(self.clock())
            self.failures[address] = times
            self.failures.move_to_end(address)
            while len(self.failures) > MAX_TRACKED_ADDRESSES:
                self.failures.popitem(last=False)


class Guard:
    """Token checks and CSRF for one app."""

    def __init__(self, store: TokenStore, limiter: FailedTokens | None = None):
        self.store = store
        self.limiter = limiter or FailedTokens()

    def authorize(self, token: str, address: str, role: str, today: dt.date) -> Grant:
        """The Grant of ``token`` for a page of ``role``; :class:`Refusal` otherwise (and the
        failure counted against ``address``)."""
        if self.limiter.blocked(address):
            raise Refusal("rate_limited", minutes=int(self.limiter.window // 60))
        try:
            grant = self.store.verify(token, today)
        except TokenProblem as problem:
            self.limiter.fail(address)
            expires = problem.grant.expires_date() if problem.grant else None
            raise Refusal(problem.code, expires=f"{expires.year}年{expires.month}月{expires.day}日" if expires else "") from None
        if grant.role != role:
            self.limiter.fail(address)
            raise Refusal("bad_token")
        return grant

    def csrf_token(self, grant: Grant, now: float | None = None) -> str:
        """A form token bound to this grant, valid ``CSRF_LIFETIME_SECONDS``."""
        issued = int(now if now is not None else time.time())
        return f"{issued}.{self.store.sign(f'csrf|{grant.digest}|{issued}')[:40]}"

    def check_csrf(self, grant: Grant, value: str, now: float | None = None) -> None:
        """:class:`Refusal` ``csrf`` unless ``value`` is a live form token of this grant."""
        now = now if now is not None else time.time()
        issued_text, _, signature = (value or "").partition(".")
        if not issued_text.isdigit() or not signature:
            raise Refusal("csrf")
        issued = int(issued_text)
        expected = self.store.sign(f"csrf|{grant.digest}|{issued}")[:40]
        if not hmac.compare_digest(expected, signature) or not (-60 <= now - issued <= CSRF_LIFETIME_SECONDS):
            raise Refusal("csrf")


class SecurityHeaders:
    """ASGI middleware: :data:`SECURITY_HEADERS` on every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                message["headers"] = [h for h in message.get("headers", []) if h[0].lower() not in names] + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)
