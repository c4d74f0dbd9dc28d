"""`trucewatch audit ...`: thin commands over `trucewatch.jobs.auditing` (the audit log, its keys and checkpoints).

Registered on the `main` group by cli/main.py; this module imports nothing from it, so either may be imported first.
Each command that needs the database opens it once (`_database`) and hands it to the jobs it calls.
Errors (`TrucewatchError`) are turned into exit code 2 by the `main` group; `audit verify` exits 1 when the log or a
checkpoint does not verify. See docs/audit.md and docs/cli.md.
"""
from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from trucewatch.audit import checkpoint as cp, log
from trucewatch.audit.coverage import Coverage
from trucewatch.jobs import auditing
from trucewatch.records import GUARANTOR_CODES
from trucewatch.settings import Settings, load_settings
from trucewatch.storage import Database

F = TypeVar("F", bound=Callable[..., Any])


def _db_option(func: F) -> F:
    return click.option("--db", "db", metavar="PATH|URL", default=None,
                        help="SQLite file or SQLAlchemy URL [default: $TRUCEWATCH_DB or ./trucewatch.sqlite3]")(func)


def _settings(db: str | None) -> Settings:
    settings = load_settings()
    return replace(settings, db=db) if db else settings


def _database(settings: Settings, *, write: bool = False) -> Database:
    """The one Database this command works on, closed by click when the command ends (as cli/main.py's
    `open_database`). Reading needs it to exist at this trucewatch's schema (TW-E201, TW-E202); writing creates or
    upgrades it."""
    return click.get_current_context().with_resource(Database.open(settings.database_url, upgrade=write))


def _guarantor_option(func: F) -> F:
    return click.option("--guarantor", required=True, metavar="|".join(GUARANTOR_CODES),
                        type=click.Choice(GUARANTOR_CODES, case_sensitive=False),
                        help="The guarantor the key signs for.")(func)


@click.group()
def audit() -> None:
    """The tamper-evident audit log: keys, signed checkpoints, verification, entries and proofs."""


@audit.group()
def keys() -> None:
    """The guarantors' Ed25519 keys that sign checkpoints: generate, add (register), list."""


@keys.command("generate")
@click.option("--name", required=True,
              help="The key's name in signed checkpoints: up to 200 characters, no white space, no '+' (e.g. qat-1, "
                   "doha.example/qat-2).")
@_guarantor_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File for the private key (PEM, mode 0600); the public key goes to FILE.pub.")
def keys_generate(name: str, guarantor: str, output: Path) -> None:
    """Make a key pair for a guarantor: the private key to FILE (keep it offline), the public key to FILE.pub.

    Prints the public key as a trusted-keys line. Needs no database: run it on the guarantor's own machine."""
    made = cp.generate_key(name, guarantor, output)
    click.echo(cp.key_line(made))
    click.echo(f"private key in {output} (keep it secret and safe); public key in {output}.pub; register it with: "
               f"trucewatch audit keys add {made.name} --guarantor {made.guarantor} {output}.pub", err=True)


@keys.command("add")
@click.argument("name")
@_guarantor_option
@click.argument("public_key_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--by", metavar="NAME", default=None, help="Who registers it [default: $TRUCEWATCH_USER, else the login "
                                                         "name].")
@_db_option
def keys_add(name: str, guarantor: str, public_key_file: Path, by: str | None, db: str | None) -> None:
    """Register a guarantor's public key (a FILE.pub of 'keys generate', or a PEM public key); logged as audit.key."""
    added = auditing.add_key(_database(_settings(db), write=True), name, guarantor, public_key_file,
                             by or log.default_actor())
    click.echo(f"registered {cp.key_line(added)}")


@keys.command("list")
@_db_option
def keys_list(db: str | None) -> None:
    """Show the registered keys as trusted-keys lines, with when each was added."""
    found = auditing.list_keys(_database(_settings(db)))
    for key in found:
        click.echo(f"{cp.key_line(key)}  # added {key.added_at}")
    click.echo(f"{len(found)} keys", err=True)


@audit.command("checkpoint")
@click.option("--key", "key_files", multiple=True, required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A registered private key to sign with; give it twice for both guarantors.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write [default: stdout].")
@_db_option
def checkpoint(key_files: tuple[Path, ...], output: Path | None, db: str | None) -> None:
    """Sign a checkpoint of the log as it is now (size, root hash, time) with each key."""
    settings = _settings(db)
    database = _database(settings)
    made = auditing.make_checkpoint(database, list(key_files), settings.audit_origin)
    _write(made.text(), output)
    click.echo(f"checkpoint of {made.size} entries, root {made.root.hex()}; {_signed(database, made)}", err=True)


@audit.command("cosign")
@click.argument("checkpoint_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", "key_file", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Your registered private key.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write [default: CHECKPOINT_FILE itself].")
@_db_option
def cosign(checkpoint_file: Path, key_file: Path, output: Path | None, db: str | None) -> None:
    """Add your signature to a checkpoint another guarantor signed, after checking it against the log."""
    settings = _settings(db)
    database = _database(settings)
    made = auditing.cosign(database, checkpoint_file, key_file, settings.audit_origin)
    _write(made.text(), output or checkpoint_file)
    click.echo(f"co-signed {output or checkpoint_file}: {_signed(database, made)}", err=True)


def _signed(database: Database, made: cp.Checkpoint) -> str:
    valid, missing = auditing.signing_status(database, made)
    text = f"signed by {cp.describe_signers(valid)}"
    if missing:
        return text + (f"; not complete until co-signed for {', '.join(missing)} "
                       "(trucewatch audit cosign FILE --key KEY)")
    return text + "; complete: give each guarantor and party a copy to keep"


def _show_content(content: Coverage, shown: int = 10) -> None:
    """The store against the log: reports and findings checked, what differs, and what older entries leave out."""
    click.echo(f"store against the log: {content.reports} reports, {content.findings} findings checked: "
               + ("they match" if content.ok else f"{len(content.problems)} do not match"))
    for problem in content.problems[:log.MAX_PROBLEMS]:
        click.echo(f"  {problem.text}")
    if len(content.problems) > log.MAX_PROBLEMS:
        click.echo(f"  ... and {len(content.problems) - log.MAX_PROBLEMS} more")
    for line in content.older[:shown]:
        click.echo(f"  {line}")
    if len(content.older) > shown:
        click.echo(f"  ... and {len(content.older) - shown} more reports whose content the log does not cover")


@audit.command("verify")
@click.option("--against", "checkpoints", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A kept checkpoint the log must extend (repeat for more).")
@click.option("--trusted-keys", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The guarantors' public keys as kept outside the system (trusted-keys lines).")
@_db_option
def verify(checkpoints: tuple[Path, ...], trusted_keys: Path | None, db: str | None) -> None:
    """Recompute the log, check the keys and every kept checkpoint; name the first entry that breaks. Check the
    store against the log too: every report's text and events against its ingest.report entry, every finding's
    content against the hash its monitors signed.

    Exit code 0 when everything verifies, 1 when anything does not."""
    settings = _settings(db)
    database = _database(settings)
    found = auditing.verify_audit(database, list(checkpoints), trusted_keys, settings.audit_origin)
    click.echo(f"audit log of {database.shown_url}: {found.size} entries, root {found.root.hex()}")
    for problem in found.problems:
        click.echo(f"  {problem.text}")
    if found.more_problems:
        click.echo(f"  ... and {found.more_problems} more")
    for check in found.checkpoints:
        c = check.checkpoint
        click.echo(f"checkpoint {check.source}: {c.size} entries, root {c.root.hex()}, made {c.time or '?'}, "
                   f"signed by {cp.describe_signers(check.signed_by)}: "
                   + ("the log extends it" if check.ok else "FAILED"))
        for problem in check.problems:
            click.echo(f"  {problem.text}")
        for other in check.ignored:
            click.echo(f"  also signed by {other.name!r} (key id {other.key_id.hex()}), not a registered key: ignored "
                       "(an outside witness's cosignature; check it with that witness's key)")
    _show_content(found.content)
    if not checkpoints:
        click.echo("no checkpoint given: only the log's own consistency was checked; a rewrite of the whole log "
                   "passes that. Verify --against the checkpoints the guarantors keep.", err=True)
    if found.ok:
        click.echo("verified")
        return
    first = found.first
    where = f" at entry {first.seq}" if first is not None and first.seq is not None else ""
    click.echo(f"NOT verified{where}: {first.text if first else ''}")
    raise SystemExit(1)


@audit.command("show")
@click.option("--from", "first", type=click.IntRange(min=1), default=1, show_default=True, help="First entry.")
@click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True, help="Show at most N entries.")
@_db_option
def show(first: int, limit: int, db: str | None) -> None:
    """Show entries of the log: seq, time, actor, action, subject, payload."""
    entries, total = auditing.list_entries(_database(_settings(db)), first, limit)
    for e in entries:
        click.echo(f"{e.seq:>6}  {e.at}  {e.actor}  {e.action}  {e.subject}  {e.payload}")
    click.echo(f"{len(entries)} of {total} entries", err=True)


@audit.command("proof")
@click.argument("numbers", nargs=-1, type=int, metavar="SEQ | --consistency M [N]")
@click.option("--size", type=click.IntRange(min=1), default=None,
              help="Prove inclusion in the tree of the first N entries (a checkpoint's size) [default: all].")
@click.option("--consistency", is_flag=True,
              help="Prove instead that the tree of the first M entries is a prefix of the tree of the first N "
                   "[default N: all] (RFC 9162 §2.1.4): that nothing of it changed since.")
@click.option("--json", "as_json", is_flag=True,
              help="Print a consistency proof as JSON (an inclusion proof is always JSON).")
@_db_option
def proof(numbers: tuple[int, ...], size: int | None, consistency: bool, as_json: bool, db: str | None) -> None:
    """Print the inclusion proof of entry SEQ as JSON (RFC 9162 §2.1.3), or with --consistency M [N] the consistency
    proof between the trees of the first M and the first N entries, with both roots (§2.1.4). Check either by hand:
    docs/audit.md."""
    if consistency:
        if len(numbers) not in (1, 2):
            raise click.UsageError("--consistency takes M, and N if not the whole log: audit proof --consistency M N")
        if size is not None:
            raise click.UsageError("--size is for inclusion proofs; with --consistency give N after M")
        made = auditing.consistency_proof(_database(_settings(db)), *numbers)
        click.echo(json.dumps(made.as_json(), indent=2) if as_json else _consistency_text(made))
        return
    if len(numbers) != 1:
        raise click.UsageError("give the entry to prove (audit proof SEQ), or --consistency M N")
    included = auditing.inclusion_proof(_database(_settings(db)), numbers[0], size)
    click.echo(json.dumps(included.as_json(), indent=2, ensure_ascii=False))


def _consistency_text(made: log.ConsistencyProof) -> str:
    """The proof as a user checks it: both trees' sizes and roots (also in base64, as a checkpoint's root line
    writes them), then the proof's hashes in order."""
    def tree(label: str, size: int, root: str) -> str:
        return f"{label} {size} entries, root {root} ({base64.b64encode(bytes.fromhex(root)).decode('ascii')})"

    hashes = [f"  {h}" for h in made.proof] or ["  (none: the trees are the same)"]
    return "\n".join([
        f"consistency proof (RFC 9162 §2.1.4): the tree of the first {made.old_size} entries is a prefix of the tree "
        f"of the first {made.tree_size}",
        tree("first tree: ", made.old_size, made.old_root),
        tree("second tree:", made.tree_size, made.root),
        f"proof, {len(made.proof)} hashes in order:", *hashes,
        "check it with check-consistency.py on the --json output (docs/audit.md)"])


def _write(text: str, path: Path | None) -> None:
    """stdout, or a file that appears complete or not at all."""
    if path is None:
        click.echo(text, nl=False)
        return
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8", newline="")
        os.replace(partial, path)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise click.FileError(str(path), hint=err.strerror or str(err)) from None
