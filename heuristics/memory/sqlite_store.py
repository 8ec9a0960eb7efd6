"""The embedded store: one SQLite file in WAL mode, shared by every process and thread that opens it.

Writers take the write lock up front (``BEGIN IMMEDIATE``): a deferred transaction that reads and then
writes fails at once with "database is locked" when another writer committed in between, whatever the
busy timeout; an immediate one waits its turn (up to ``busy_timeout`` seconds). Readers never wait (WAL).
Each process and thread gets its own connection, opened on first use, so a store made before gunicorn
forks its workers is safe to use in all of them.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from array import array
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from .store import Counts, LineSamples, RepeatedLine, SourceSummary, StoreError, StoreLimits, StoreStats

BUSY_TIMEOUT_DEFAULT = 30.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, seq INTEGER NOT NULL, documents INTEGER NOT NULL,
    used REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sources_used ON sources (used);
CREATE TABLE IF NOT EXISTS documents (
    source INTEGER NOT NULL, seq INTEGER NOT NULL, fingerprint INTEGER NOT NULL, lines BLOB NOT NULL,
    PRIMARY KEY (source, seq)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS documents_fingerprint ON documents (source, fingerprint);
CREATE TABLE IF NOT EXISTS lines (
    source INTEGER NOT NULL, hash INTEGER NOT NULL, count INTEGER NOT NULL, text TEXT,
    PRIMARY KEY (source, hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS totals (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO totals VALUES ('sources', 0), ('documents', 0);
"""
# On a second sighting the line's sample text is kept (most lines are seen once and never need it).
_COUNT_UP = ("INSERT INTO lines (source, hash, count, text) VALUES (?1, ?2, 1, NULL) "
             "ON CONFLICT (source, hash) DO UPDATE SET count = count + 1, text = coalesce(text, ?3)")
_COUNTS = "SELECT hash, count FROM lines WHERE source = ? AND hash IN (SELECT value FROM json_each(?))"


def _pack(fingerprints: Sequence[int]) -> bytes:
    return array("q", fingerprints).tobytes()


def _unpack(blob: bytes) -> list[int]:
    values = array("q")
    values.frombytes(blob)
    return values.tolist()


class SQLiteStore:
    """Source memory in one SQLite file (see the module docstring)."""

    def __init__(self, path: str | os.PathLike[str], limits: StoreLimits | None = None,
                 busy_timeout: float = BUSY_TIMEOUT_DEFAULT) -> None:
        self.path = str(path)
        self.limits = limits or StoreLimits()
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._connection().executescript("BEGIN IMMEDIATE; " + SCHEMA + " COMMIT;")
        except sqlite3.Error as error:
            raise StoreError(f"source memory {self.path}: {error}") from error
        finally:
            self.close()  # a store made before a fork must not share this connection with the children

    def _connection(self) -> sqlite3.Connection:
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            return held[1]
        db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None,
                             check_same_thread=False)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable but for the last commits on power loss
        self._local.held = (os.getpid(), db)
        return db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            db = self._connection()
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise StoreError(f"source memory {self.path}: {error}") from error
        try:
            yield db
            db.execute("COMMIT")
        except BaseException as error:
            if db.in_transaction:
                db.execute("ROLLBACK")
            if isinstance(error, sqlite3.Error):
                raise StoreError(f"source memory {self.path}: {error}") from error
            raise

    def observe(self, source: str, document: int, lines: LineSamples) -> Counts:
        return self.observe_many([(source, document, lines)])[0]

    def observe_many(self, documents: Iterable[tuple[str, int, LineSamples]]) -> list[Counts]:
        """``observe`` for many documents in one transaction (a batch's first pass)."""
        out = []
        with self._transaction() as db:
            source_id = -1
            for source, document, lines in documents:
                source_id, counts = self._observe(db, source, document, lines)
                out.append(counts)
            self._evict(db, keep=source_id)
        return out

    def _observe(self, db: sqlite3.Connection, source: str, document: int, lines: LineSamples
                 ) -> tuple[int, Counts]:
        source_id, seq, documents = self._source_row(db, source)
        known = db.execute("SELECT 1 FROM documents WHERE source = ? AND fingerprint = ?",
                           (source_id, document)).fetchone()
        learned = known is None
        if learned:
            seq, documents = self._add_document(db, source_id, seq, documents, document, lines)
        db.execute("UPDATE sources SET seq = ?, documents = ?, used = ? WHERE id = ?",
                   (seq, documents, time.time(), source_id))
        return source_id, Counts(documents, self._line_counts(db, source_id, list(lines)), learned)

    def _source_row(self, db: sqlite3.Connection, source: str) -> tuple[int, int, int]:
        row = db.execute("SELECT id, seq, documents FROM sources WHERE name = ?", (source,)).fetchone()
        if row is not None:
            return row
        cursor = db.execute("INSERT INTO sources (name, seq, documents, used) VALUES (?, 0, 0, ?)",
                            (source, time.time()))
        db.execute("UPDATE totals SET value = value + 1 WHERE name = 'sources'")
        return cursor.lastrowid, 0, 0

    def _add_document(self, db: sqlite3.Connection, source_id: int, seq: int, documents: int, document: int,
                      lines: LineSamples) -> tuple[int, int]:
        seq += 1
        db.execute("INSERT INTO documents VALUES (?, ?, ?, ?)", (source_id, seq, document, _pack(list(lines))))
        db.executemany(_COUNT_UP, ((source_id, fingerprint, text) for fingerprint, text in lines.items()))
        added = 1
        for (old_seq, blob) in db.execute("SELECT seq, lines FROM documents WHERE source = ? AND seq <= ?",
                                          (source_id, seq - self.limits.window)).fetchall():
            self._count_down(db, source_id, _unpack(blob))
            db.execute("DELETE FROM documents WHERE source = ? AND seq = ?", (source_id, old_seq))
            added -= 1
        db.execute("UPDATE totals SET value = value + ? WHERE name = 'documents'", (added,))
        return seq, documents + added

    @staticmethod
    def _count_down(db: sqlite3.Connection, source_id: int, fingerprints: list[int]) -> None:
        rows = [(source_id, fingerprint) for fingerprint in fingerprints]
        db.executemany("UPDATE lines SET count = count - 1 WHERE source = ? AND hash = ?", rows)
        db.executemany("DELETE FROM lines WHERE source = ? AND hash = ? AND count <= 0", rows)

    def _evict(self, db: sqlite3.Connection, keep: int) -> None:
        """Drop least recently used sources (never ``keep``) while a total bound is exceeded."""
        limits = self.limits
        while True:
            totals = dict(db.execute("SELECT name, value FROM totals").fetchall())
            if totals["sources"] <= limits.max_sources and totals["documents"] <= limits.max_documents:
                return
            oldest = db.execute("SELECT id FROM sources WHERE id != ? ORDER BY used LIMIT 1", (keep,)).fetchone()
            if oldest is None:
                return
            self._drop(db, oldest[0])

    @staticmethod
    def _drop(db: sqlite3.Connection, source_id: int) -> None:
        documents = db.execute("SELECT documents FROM sources WHERE id = ?", (source_id,)).fetchone()[0]
        db.execute("DELETE FROM lines WHERE source = ?", (source_id,))
        db.execute("DELETE FROM documents WHERE source = ?", (source_id,))
        db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
        db.execute("UPDATE totals SET value = value - 1 WHERE name = 'sources'")
        db.execute("UPDATE totals SET value = value - ? WHERE name = 'documents'", (documents,))

    @staticmethod
    def _line_counts(db: sqlite3.Connection, source_id: int, fingerprints: Sequence[int]) -> dict[int, int]:
        if not fingerprints:
            return {}
        return dict(db.execute(_COUNTS, (source_id, json.dumps(list(fingerprints)))).fetchall())

    def _read(self, query: str, params: tuple[object, ...]) -> list[tuple]:
        try:
            return self._connection().execute(query, params).fetchall()
        except sqlite3.Error as error:
            raise StoreError(f"source memory {self.path}: {error}") from error

    def counts(self, source: str, fingerprints: Sequence[int]) -> Counts:
        row = self._read("SELECT id, documents FROM sources WHERE name = ?", (source,))
        if not row:
            return Counts(0)
        source_id, documents = row[0]
        rows = self._read(_COUNTS, (source_id, json.dumps(list(fingerprints))))
        return Counts(documents, dict(rows))

    def summary(self, source: str, limit: int) -> SourceSummary | None:
        row = self._read("SELECT id, documents FROM sources WHERE name = ?", (source,))
        if not row:
            return None
        source_id, documents = row[0]
        top = self._read("SELECT text, count FROM lines WHERE source = ? AND count >= 2 AND text IS NOT NULL "
                         "ORDER BY count DESC, text LIMIT ?", (source_id, limit))
        return SourceSummary(source, documents, [RepeatedLine(text, count) for text, count in top])

    def forget(self, source: str) -> bool:
        with self._transaction() as db:
            row = db.execute("SELECT id FROM sources WHERE name = ?", (source,)).fetchone()
            if row is None:
                return False
            self._drop(db, row[0])
            return True

    def stats(self) -> StoreStats:
        totals = dict(self._read("SELECT name, value FROM totals", ()))
        pages = self._read("PRAGMA page_count", ())[0][0]
        page_size = self._read("PRAGMA page_size", ())[0][0]
        return StoreStats(totals["sources"], totals["documents"], pages * page_size)

    def close(self) -> None:
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            held[1].close()
        self._local.held = None
