"""The local job history: every job submitted or watched, found again after a kernel restart.

One SQLite file in the user's data directory (``platformdirs``), one row per job URL: flavour,
title, times, last status — never a token (job URLs carry none: see ``transport.split_token``).
Bounded (:data:`MAX_JOBS` rows, :data:`MAX_DAYS` days), safe with several kernels writing at
once (WAL journal, busy timeout). ``GPJOB_HISTORY=0`` turns it off; ``GPJOB_HISTORY_DIR`` moves
it; :func:`clear` empties it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import status as st

log = logging.getLogger("gpjob_widget")

MAX_JOBS = 1000
MAX_DAYS = 30
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    url TEXT PRIMARY KEY, job_id TEXT, flavour TEXT, title TEXT, status TEXT,
    first_seen REAL, last_seen REAL, started_at REAL, ended_at REAL)
"""
_ADDED_COLUMNS = ("batch TEXT DEFAULT ''", "key TEXT DEFAULT ''")  # a batch's jobs, grouped
PRUNE_EVERY = 200  # writes
_lock = threading.Lock()
_connections: dict[Path, sqlite3.Connection] = {}
_writes = 0


@dataclass(frozen=True)
class Entry:
    """One job as the history remembers it (times in epoch seconds)."""

    url: str
    job_id: str
    flavour: str
    title: str
    status: str
    first_seen: float
    last_seen: float
    started_at: float | None
    ended_at: float | None
    batch: str = ""       # the batch (JobBoard.map) it belongs to, and its key there
    key: str = ""

    @property
    def ended(self) -> bool:
        return st.is_terminal(self.status)


def enabled() -> bool:
    return os.environ.get("GPJOB_HISTORY", "1").strip().lower() not in ("0", "off", "false", "no")


def path() -> Path:
    """Where the history lives (``GPJOB_HISTORY_DIR`` or the user data directory)."""
    folder = os.environ.get("GPJOB_HISTORY_DIR")
    if not folder:
        from platformdirs import user_data_dir

        folder = user_data_dir("gpjob_widget", appauthor=False)
    return Path(folder) / "history.sqlite3"


@contextlib.contextmanager
def _db() -> Iterator[sqlite3.Connection]:
    """The connection (one per process and file), serialised within the process."""
    where = path()
    with _lock:
        connection = _connections.get(where)
        if connection is None:
            where.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(where, timeout=10, check_same_thread=False,
                                         isolation_level=None)
            _setup(connection)
            with contextlib.suppress(OSError):
                where.chmod(0o600)  # job URLs and titles are nobody else's business
            _prune(connection, time.time())
            _connections[where] = connection
        yield connection


def _setup(connection: sqlite3.Connection) -> None:
    """WAL (readers never block the writer) and the table. Two kernels opening a new file at
    the same moment can find it locked even with a busy timeout: try again briefly."""
    for attempt in range(50):
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(_SCHEMA)
            known = {row[1] for row in connection.execute("PRAGMA table_info(jobs)")}
            for column in _ADDED_COLUMNS:
                if column.split()[0] not in known:  # a file written by an earlier version
                    connection.execute(f"ALTER TABLE jobs ADD COLUMN {column}")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.02 + 0.01 * attempt)


def _safely(action: str, fn: Any, *args: Any) -> Any:
    """History is a convenience: a locked or read-only disk must never break watching."""
    if not enabled():
        return None
    try:
        return fn(*args)
    except (sqlite3.Error, OSError) as exc:
        log.warning("gpjob_widget: job history not %s (%s)", action, exc)
        return None


def record(url: str, *, job_id: str = "", flavour: str = "", title: str = "",
           status: str = "", started_at: float | None = None,
           ended_at: float | None = None, batch: str = "", key: str = "") -> None:
    """Insert or refresh the row of *url* (empty fields keep what was known)."""
    def write() -> None:
        global _writes
        now = time.time()
        with _db() as db:
            db.execute(
                """INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(url) DO UPDATE SET
                     batch = COALESCE(NULLIF(excluded.batch, ''), batch),
                     key = COALESCE(NULLIF(excluded.key, ''), key),
                     job_id = COALESCE(NULLIF(excluded.job_id, ''), job_id),
                     flavour = COALESCE(NULLIF(excluded.flavour, ''), flavour),
                     title = COALESCE(NULLIF(excluded.title, ''), title),
                     status = COALESCE(NULLIF(excluded.status, ''), status),
                     last_seen = excluded.last_seen,
                     started_at = COALESCE(excluded.started_at, started_at),
                     ended_at = COALESCE(excluded.ended_at, ended_at)""",
                (url, job_id, flavour, title, status, now, now, started_at, ended_at, batch,
                 key))
            _writes += 1
            if _writes % PRUNE_EVERY == 0:
                _prune(db, now)

    _safely("saved", write)


def _prune(db: sqlite3.Connection, now: float) -> None:
    db.execute("DELETE FROM jobs WHERE last_seen < ?", (now - MAX_DAYS * 86400,))
    db.execute("""DELETE FROM jobs WHERE url NOT IN
                  (SELECT url FROM jobs ORDER BY last_seen DESC LIMIT ?)""", (MAX_JOBS,))


def recent(days: float = 7, *, unfinished_only: bool = False) -> list[Entry]:
    """Jobs seen in the last *days* days, the most recent first."""
    def read() -> list[Entry]:
        with _db() as db:
            rows = db.execute("SELECT * FROM jobs WHERE last_seen >= ? ORDER BY last_seen DESC",
                              (time.time() - days * 86400,)).fetchall()
        entries = [Entry(*row) for row in rows]
        return [e for e in entries if not e.ended] if unfinished_only else entries

    return _safely("read", read) or []


def lookup(url: str) -> Entry | None:
    """The row of *url*, if the history knows it."""
    def read() -> Entry | None:
        with _db() as db:
            row = db.execute("SELECT * FROM jobs WHERE url = ?", (url,)).fetchone()
        return Entry(*row) if row else None

    return _safely("read", read)


def forget(url: str) -> None:
    def delete() -> None:
        with _db() as db:
            db.execute("DELETE FROM jobs WHERE url = ?", (url,))

    _safely("changed", delete)


def clear() -> None:
    """Forget every job."""
    def delete() -> None:
        with _db() as db:
            db.execute("DELETE FROM jobs")

    _safely("cleared", delete)


def follow(watch: Any) -> None:
    """Keep *watch*'s row up to date: on subscribe, and when status / title / id change."""
    def save(state: Any) -> None:
        record(state.job_url, job_id=state.job_id, flavour=state.flavour, title=state.title,
               status=state.status if state.status != st.UNKNOWN else "",
               started_at=state.started_at / 1000 if state.started_at else None,
               ended_at=state.ended_at / 1000 if state.ended_at else None)

    if not enabled():
        return
    save(watch.state)
    watch.subscribe(lambda update: save(update.state)
                    if update.changed & {"status", "title", "job_id", "flavour"} else None)
