"""Secret links: one token per unit per quarter (and one for the analyst's board).

A token is 192 random bits (URL-safe text). Only its HMAC-SHA256 under a server key is
stored, in ``<workspace>/intake/tokens.json`` beside the key ``secret.key`` (mode 0600,
made on first use); the token itself is printed once by ``reportlib intake links`` and
written into the unit's template, and cannot be shown again (issuing again revokes the old
one). A token is valid through its ``expires`` date (the quarter's deadline; the board's
later), until revoked. The store is re-read when the file changes, so ``reportlib intake
revoke`` takes effect on a running server.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
import secrets
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from reportlib.atomic import write_bytes_atomic
from reportlib.intake.rules import TOKEN_BYTES

KEY_FILE = "secret.key"
TOKENS_FILE = "tokens.json"
LOCK_FILE = ".tokens.lock"
BOARD = "board"
UNIT = "unit"


@dataclass(frozen=True)
class Grant:
    """What one token allows: a unit's page of a quarter, or the board of a quarter."""

    id: str  # short public id (logs, revoke): never the token
    digest: str  # hex HMAC of the token
    quarter: str
    unit: str  # "" for the board
    role: str  # UNIT or BOARD
    issued: str  # ISO time
    expires: str  # ISO date: valid through this day
    revoked: str = ""  # ISO time, or ""

    def expires_date(self) -> dt.date:
        return dt.date.fromisoformat(self.expires)


class TokenProblem(Exception):
    """A token that opens nothing: ``code`` is bad_token, expired or revoked (see rules.REFUSALS)."""

    def __init__(self, code: str, grant: Grant | None = None):
        super().__init__(code)
        self.code, self.grant = code, grant


class TokenStore:
    """The hashed tokens of one workspace (``folder``: ``<workspace>/intake``)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._key: bytes | None = None
        self._cache: tuple[tuple[int, int], dict[str, Grant]] | None = None

    # -- key and file ------------------------------------------------------

    def key(self) -> bytes:
        """The server key (32 random bytes), created with mode 0600 on first use."""
        if self._key is None:
            path = self.folder / KEY_FILE
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(secrets.token_bytes(32))
                    handle.flush()
                    os.fsync(handle.fileno())
            self._key = path.read_bytes()
            if len(self._key) < 32:
                raise OSError(f"{path} 已损坏（应为 32 字节随机数）；删除后所有链接需重新发放")
        return self._key

    def digest(self, token: str) -> str:
        """HMAC-SHA256 of a token under the server key (hex)."""
        return hmac.new(self.key(), token.encode("utf-8", "surrogateescape"), hashlib.sha256).hexdigest()

    def sign(self, text: str) -> str:
        """HMAC of any text under the server key (CSRF tokens use it)."""
        return hmac.new(self.key(), b"sign\0" + text.encode("utf-8"), hashlib.sha256).hexdigest()

    @contextmanager
    def _locked(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / LOCK_FILE, "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def grants(self) -> dict[str, Grant]:
        """digest -> Grant, re-read when the file changed."""
        path = self.folder / TOKENS_FILE
        try:
            stat = path.stat()
        except FileNotFoundError:
            return {}
        signature = (stat.st_mtime_ns, stat.st_size)
        if self._cache is None or self._cache[0] != signature:
            data = json.loads(path.read_text(encoding="utf-8"))
            self._cache = (signature, {entry["digest"]: Grant(**entry) for entry in data.get("tokens", [])})
        return self._cache[1]

    def _write(self, grants: list[Grant]) -> None:
        body = {"version": 1, "note": "只存链接的 HMAC 摘要，不存链接本身；reportlib intake 命令维护",
                "tokens": [asdict(g) for g in sorted(grants, key=lambda g: (g.quarter, g.role, g.unit, g.issued))]}
        write_bytes_atomic(self.folder / TOKENS_FILE, (json.dumps(body, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
        os.chmod(self.folder / TOKENS_FILE, 0o600)
        self._cache = None

    # -- verbs ---------------------------------------------------------------

    def issue(self, quarter: str, units: list[str], expires: dt.date, board_expires: dt.date | None,
              now: dt.datetime | None = None) -> dict[tuple[str, str], str]:
        """New tokens for ``units`` (and the board, unless ``board_expires`` is None) of ``quarter``;
        earlier live ones of the same unit (board) and quarter are revoked. Returns (role, unit) ->
        token, the only time it is seen."""
        now = now or dt.datetime.now()
        issued: dict[tuple[str, str], str] = {}
        with self._locked():
            current = list(self.grants().values())
            wanted = [(UNIT, unit, expires) for unit in units] + ([(BOARD, "", board_expires)] if board_expires else [])
            keys = {(role, unit) for role, unit, _ in wanted}
            current = [replace_revoked(g, now) if g.quarter == quarter and (g.role, g.unit) in keys and not g.revoked else g
                       for g in current]
            for role, unit, until in wanted:
                token = secrets.token_urlsafe(TOKEN_BYTES)
                digest = self.digest(token)
                current.append(Grant(id=digest[:8], digest=digest, quarter=quarter, unit=unit, role=role,
                                     issued=now.isoformat(timespec="seconds"), expires=until.isoformat()))
                issued[(role, unit)] = token
            self._write(current)
        return issued

    def revoke(self, quarter: str, unit: str | None = None, role: str = UNIT, now: dt.datetime | None = None) -> list[Grant]:
        """Revoke the live tokens of ``quarter`` (one unit's, or the board's, or all with unit None)."""
        now = now or dt.datetime.now()
        with self._locked():
            current = list(self.grants().values())
            hit = [g for g in current if g.quarter == quarter and not g.revoked
                   and (unit is None or (g.role == role and g.unit == unit))]
            self._write([replace_revoked(g, now) if g in hit else g for g in current])
        return hit

    def verify(self, token: str, today: dt.date | None = None) -> Grant:
        """The Grant a token opens; :class:`TokenProblem` when it is unknown, revoked or expired."""
        if not token or len(token) > 200:
            raise TokenProblem("bad_token")
        grant = self.grants().get(self.digest(token))
        if grant is None:
            raise TokenProblem("bad_token")
        if grant.revoked:
            raise TokenProblem("revoked", grant)
        if (today or dt.date.today()) > grant.expires_date():
            raise TokenProblem("expired", grant)
        return grant


def replace_revoked(grant: Grant, now: dt.datetime) -> Grant:
    """The same grant, revoked at ``now``."""
    return Grant(**{**asdict(grant), "revoked": now.isoformat(timespec="seconds")})
