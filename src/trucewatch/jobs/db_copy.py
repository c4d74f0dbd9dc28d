"""Moving a whole store to another database (`trucewatch db copy --from URL --to URL`), e.g. from the analyst's SQLite
file to the mechanism's PostgreSQL server, with nothing lost, and the proof of it.

The source is read in one transaction (one snapshot: a writer that goes on meanwhile is not half copied) and must be
at this trucewatch's schema (TW-E202). The target must hold no rows (TW-E206, checked before anything is created
there); it is brought to the schema by the migrations, then filled in one transaction, table by table in batches
(`storage/table_copy.py` says in which order and why), so a copy that fails leaves it empty.

Then both sides are compared as a user would check them: rows per table, every report's SHA-256 and the SHA-256 of
its stored text, the audit log's size and Merkle root; and the target's audit log is verified as
`trucewatch audit verify` does (the log recomputed, its keys, the reports and findings against it). `CopyResult.ok`
says whether all of that holds. Evidence files stay where they are (the evidence folder): copy that folder yourself.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError

from trucewatch.errors import StorageError
from trucewatch.jobs.auditing import log_state, verify_audit
from trucewatch.settings import masked_url
from trucewatch.storage import Database
from trucewatch.storage.table_copy import (
    analyse,
    copy_order,
    copy_rows,
    filled_tables,
    move_sequences,
    report_digest,
    report_hashes,
    row_counts,
)

BATCH = 5000  # rows a round trip
SHOWN_DIFFERENCES = 5  # reports named when their hashes differ


@dataclass(frozen=True, slots=True)
class Compared:
    """One figure read on both sides."""

    what: str
    source: str
    target: str

    @property
    def same(self) -> bool:
        return self.source == self.target


@dataclass(frozen=True, slots=True)
class CopyResult:
    """What was copied and how the two sides compare afterwards."""

    source: str  # URLs as people may see them (password masked)
    target: str
    rows: int
    tables: int
    seconds: float
    compared: tuple[Compared, ...]
    target_verifies: bool
    target_problem: str | None  # the first problem `audit verify` finds on the target
    evidence_files: int  # evidence originals listed in the store, whose files are kept outside it
    differing_reports: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.target_verifies and all(c.same for c in self.compared)

    def differences(self) -> list[str]:
        found = [f"{c.what}: {c.source} vs {c.target}" for c in self.compared if not c.same]
        if self.differing_reports:
            found.append("reports " + ", ".join(self.differing_reports))
        if not self.target_verifies:
            found.append(f"the target's audit log does not verify ({self.target_problem})")
        return found


def copy_database(source_url: str, target_url: str, *, batch: int = BATCH, progress: bool = False) -> CopyResult:
    """Copy every row of the store at `source_url` into the empty database at `target_url`, then compare them."""
    if _same_database(source_url, target_url):
        raise StorageError("TW-E208", url=masked_url(source_url))
    started = time.perf_counter()
    with Database.open(source_url, upgrade=False) as source:
        _require_empty(target_url)
        with Database.open(target_url) as target:
            rows = _copy(source, target, batch, progress)
            seconds = time.perf_counter() - started
            return _compare(source, target, rows, seconds)


def _require_empty(url: str) -> None:
    filled = filled_tables(url)
    if filled:
        shown = ", ".join(f"{name}: {n:,}" for name, n in sorted(filled.items()))
        raise StorageError("TW-E206", url=masked_url(url), tables=shown)


def _copy(source: Database, target: Database, batch: int, progress: bool) -> int:
    from tqdm import tqdm  # noqa: PLC0415  (only long jobs draw a bar)

    tables = copy_order()
    with _snapshot(source) as read, target.transaction() as write:
        total = sum(row_counts(read, tables).values())
        with tqdm(total=total, unit="row", unit_scale=True, file=sys.stderr, disable=not progress) as bar:
            for table in tables:
                bar.set_postfix_str(table.name, refresh=False)
                copy_rows(read, write, table, batch, bar.update)
        move_sequences(write, tables)
        analyse(write)
    return total


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """One read transaction that sees the database as it was when it began (SQLite's WAL readers do by themselves;
    PostgreSQL needs REPEATABLE READ)."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            yield conn


def _compare(source: Database, target: Database, rows: int, seconds: float) -> CopyResult:
    tables = copy_order()
    with source.engine.connect() as a, target.engine.connect() as b:
        before, after = row_counts(a, tables), row_counts(b, tables)
    compared = [Compared(f"rows in {name}", f"{before[name]:,}", f"{after[name]:,}") for name in before]
    digests = report_digest(source.engine), report_digest(target.engine)
    compared.append(Compared(f"reports' SHA-256 ({digests[0].reports:,} reports)", digests[0].digest,
                             digests[1].digest))
    log = log_state(source)[0]
    verified = verify_audit(target)
    compared.append(Compared(f"audit log root ({log.size:,} entries)", log.root.hex(), verified.root.hex()))
    first = verified.first
    return CopyResult(
        source=source.shown_url, target=target.shown_url, rows=rows, tables=len(tables), seconds=seconds,
        compared=tuple(compared), target_verifies=verified.ok, target_problem=first.text if first else None,
        evidence_files=after.get("evidence_originals", 0),
        differing_reports=() if digests[0] == digests[1] else _differing_reports(source, target))


def _differing_reports(source: Database, target: Database) -> tuple[str, ...]:
    """The first few reports whose hashes differ, or that one side lacks (read only when the digests differ)."""
    theirs = {report_id: rest for report_id, *rest in report_hashes(target.engine)}
    found: list[str] = []
    for report_id, *rest in report_hashes(source.engine):
        if theirs.pop(report_id, None) != rest:
            found.append(report_id)
    found += sorted(theirs)  # only in the target
    return tuple(found[:SHOWN_DIFFERENCES])


def _same_database(a: str, b: str) -> bool:
    """Whether two URLs name one database (an SQLite file by its resolved path)."""
    try:
        first, second = make_url(a), make_url(b)
    except ArgumentError:  # refused when it is opened, with its reason (TW-E201)
        return False
    if first.get_backend_name() == second.get_backend_name() == "sqlite" and first.database and second.database:
        return Path(first.database).resolve() == Path(second.database).resolve()
    return (first.host, first.port, first.database) == (second.host, second.port, second.database) \
        and first.get_backend_name() == second.get_backend_name()
