"""`trucewatch complaints ...` and `trucewatch findings ...`: thin commands over `trucewatch.jobs.casework`.

Every command acts as a user of the workplace (`--as NAME`, default TRUCEWATCH_USER) and is held to that user's role
as the web app is: the same rule table and workflow. Registered on the `main` group by cli/main.py; this module
imports nothing from it. Errors (`TrucewatchError`) become exit code 2 there. See docs/findings.md and docs/cli.md.
"""
from __future__ import annotations

import base64
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trucewatch.audit.checkpoint import raw_public
from trucewatch.casework import findings as rules
from trucewatch.casework.bundle import write_bundle
from trucewatch.errors import FindingError
from trucewatch.jobs import casework, monitor_keys
from trucewatch.jobs.auth import sign_in
from trucewatch.jobs.bundles import checked_checkpoint, make_bundle
from trucewatch.jobs.casework import Desk
from trucewatch.records import ATTRIBUTIONS, COMPLAINT_STATUSES, GRADES, Finding, User
from trucewatch.settings import Settings, load_settings
from trucewatch.storage import Database

F = TypeVar("F", bound=Callable[..., Any])
CLI_ADDRESS = "cli"  # where a password typed at the command line comes from, for the sign-in rate limit


def _options(func: F) -> F:
    func = click.option("--as", "as_user", metavar="NAME", default=None,
                        help="The user to act as [default: $TRUCEWATCH_USER].")(func)
    return click.option("--db", "db", metavar="PATH|URL", default=None,
                        help="SQLite file or SQLAlchemy URL [default: $TRUCEWATCH_DB or ./trucewatch.sqlite3]")(func)


def _settings(db: str | None) -> Settings:
    settings = load_settings()
    return replace(settings, db=db) if db else settings


@contextmanager
def _reader(db: str | None, as_user: str | None) -> Iterator[tuple[Desk, User | None]]:
    """The desk over the database this command opens (and closes when it is done), and the user who reads (None
    without --as or TRUCEWATCH_USER: the public)."""
    settings = _settings(db)
    name = as_user or settings.user
    with Database.open(settings.database_url, upgrade=False) as opened:
        desk = Desk.over(opened, settings)
        yield desk, (casework.acting_user(desk, name) if name else None)


@contextmanager
def _desk(db: str | None, as_user: str | None) -> Iterator[tuple[Desk, User]]:
    """The desk and the user who acts (--as NAME or TRUCEWATCH_USER, required)."""
    with _reader(db, as_user) as (desk, user):
        if user is None:
            raise click.UsageError("say who acts: --as NAME (a user of 'trucewatch users list'), or set "
                                   "TRUCEWATCH_USER")
        yield desk, user


# --- complaints ------------------------------------------------------------------------------------------------


@click.group()
def complaints() -> None:
    """Complaints and their workflow: list, show, transition (docs/findings.md)."""


@complaints.command("list")
@click.option("--status", type=click.Choice(COMPLAINT_STATUSES), default=None, help="Only complaints in this state.")
@_options
def complaints_list(status: str | None, as_user: str | None, db: str | None) -> None:
    """The complaints the user may see, newest first: id, party, state, filed, by, text."""
    with _desk(db, as_user) as (desk, user):
        found = casework.list_complaints(desk, user, status)
    for c in found:
        text = " ".join(c.text.split())
        click.echo(f"{c.complaint_id}  {c.party}  {c.status:<17}  {c.filed_at:%Y-%m-%d %H:%M}  {c.filed_by}  "
                   f"{text[:60]}{'...' if len(text) > 60 else ''}")
    click.echo(f"{len(found)} complaints", err=True)


@complaints.command("show")
@click.argument("complaint_id")
@_options
def complaints_show(complaint_id: str, as_user: str | None, db: str | None) -> None:
    """One complaint: its text, state and history, its evidence with their records, its findings, and what the user
    may do next."""
    with _desk(db, as_user) as (desk, user):
        c = casework.get_complaint(desk, user, complaint_id)
        history = desk.cases.transitions(complaint_id)
        evidence = casework.evidence_of(desk, user, c)
        found = casework.list_findings(desk, user, complaint_id)
    from trucewatch.casework.workflow import next_states  # noqa: PLC0415

    click.echo(f"complaint {c.complaint_id} of {c.party}: {c.status}")
    click.echo(f"filed {c.filed_at:%Y-%m-%d %H:%M} UTC by {c.filed_by}; incident {c.incident_id or 'none named'}")
    click.echo(f"\n{c.text}\n\nhistory:")
    click.echo(f"  {c.filed_at:%Y-%m-%d %H:%M}  received  by {c.filed_by}")
    for t in history:
        note = f": {t.note}" if t.note else ""
        click.echo(f"  {t.at[:16].replace('T', ' ')}  {t.from_state} -> {t.to_state}  by {t.by} ({t.role})"
                   f"{' for ' + t.finding_id if t.finding_id else ''}{note}")
    click.echo("evidence:" if evidence else "evidence: none")
    for v in evidence:
        o = v.original
        click.echo(f"  {v.sha256}  {v.filename}" + (f"  ({o.source}, received {o.received_at[:10]} from "
                                                    f"{o.uploaded_by})" if o else "")
                   + (f"  WITHDRAWN {v.withdrawal.at[:10]} by {v.withdrawal.by}: {v.withdrawal.reason}"
                      if v.withdrawal else ""))
        for a in v.annotations:
            click.echo(f"    annotated by {a.by}{' at ' + a.anchor if a.anchor else ''}: {a.note}")
    for f in found:
        click.echo(f"finding {f.finding_id} (version {f.version}): {f.grade}, {_state(f)}")
    allowed = next_states(user.role, user.party, c.party, c.status, parties=desk.parties) if user else []
    click.echo("next: " + (", ".join(f"{t.to_state!r} ({t.label})" for t in allowed) or "nothing you may do"))


@complaints.command("transition")
@click.argument("complaint_id")
@click.argument("to_state", metavar="STATE")
@click.option("--note", default="", help="Why (a request for information, an answer, why it is closed ...).")
@_options
def complaints_transition(complaint_id: str, to_state: str, note: str, as_user: str | None, db: str | None) -> None:
    """Move a complaint to STATE as the workflow lets the user (docs/findings.md); logged as complaint.transition."""
    with _desk(db, as_user) as (desk, user):
        done = casework.move_complaint(desk, user, complaint_id, to_state, note)
    click.echo(f"complaint {done.complaint_id}: {done.from_state} -> {done.to_state} by {done.by}")


# --- findings --------------------------------------------------------------------------------------------------


@click.group()
def findings() -> None:
    """Findings: list, show, draft, sign, publish, amend, export-bundle (docs/findings.md)."""


def _state(f: Finding) -> str:
    if f.published:
        return f"published {f.published_at[:10] if f.published_at else ''}"
    if f.sealed:
        return "sealed, not published"
    signed = ", ".join(s.guarantor for s in f.signatures)
    return f"draft, signed for {signed}" if signed else "draft"


@findings.command("list")
@_options
def findings_list(as_user: str | None, db: str | None) -> None:
    """The findings the user may read (published ones without --as), every version, newest first."""
    with _reader(db, as_user) as (desk, user):
        found = casework.list_findings(desk, user)
    for f in found:
        party = f" {f.attributed_party}" if f.attributed_party else ""
        click.echo(f"{f.finding_id}  v{f.version}  {f.grade:<10}  {f.attribution}{party}  "
                   f"{f.agreement_id}/{f.commitment_id}  {_state(f)}")
    click.echo(f"{len(found)} findings", err=True)


@findings.command("show")
@click.argument("finding_id")
@_options
def findings_show(finding_id: str, as_user: str | None, db: str | None) -> None:
    """One finding in full, with its content hash (what a monitor signs)."""
    with _reader(db, as_user) as (desk, user):
        f = casework.get_finding(desk, user, finding_id)
        originals = desk.cases.originals(f.evidence)
        versions = [v for v in desk.cases.versions(f.series) if casework.may_read(user, v, desk.parties)]
    older = f" (supersedes {f.supersedes})" if f.supersedes else ""
    click.echo(f"finding {f.finding_id}, version {f.version}{older}: {_state(f)}")
    click.echo(f"grade:        {f.grade} ({rules.GRADE_DEFINITIONS[f.grade]})")
    click.echo(f"attribution:  {f.attribution}{' to ' + f.attributed_party if f.attributed_party else ''}")
    click.echo(f"commitment:   {f.agreement_id} / {f.commitment_id}")
    click.echo(f"complaints:   {', '.join(f.complaint_ids)}; incidents: {', '.join(f.incident_ids) or 'none'}")
    click.echo(f"drafted:      {f.drafted_at} by {f.drafted_by}")
    click.echo(f"content hash: {f.content_hash}")
    click.echo(f"\n{f.reasoning}\n\nevidence:" if f.evidence else f"\n{f.reasoning}\n\nevidence: none")
    for sha in f.evidence:
        o = originals.get(sha)
        click.echo(f"  {sha}  {o.filename + ' (' + o.source + ')' if o else ''}")
    for s in f.signatures:
        click.echo(f"signed for {s.guarantor} by {s.signer} at {s.at}")
    missing = rules.missing_guarantors(f)
    if missing:
        click.echo(f"still to sign: a monitor of {' and '.join(missing)}")
    click.echo("versions: " + ", ".join(f"{v.finding_id} (v{v.version})" for v in versions))


def _draft_options(func: F) -> F:
    for option in reversed((
        click.option("--agreement", "agreement_id", help="The agreement whose commitment is at issue."),
        click.option("--commitment", "commitment_id", help="The commitment at issue."),
        click.option("--grade", type=click.Choice(GRADES), help="confirmed, fair, weak, contested or discounted."),
        click.option("--attribution", type=click.Choice(ATTRIBUTIONS), help="Who did it, how sure."),
        click.option("--party", "attributed_party", default=None, help="The party it is attributed to."),
        click.option("--reasoning", default=None, help="What was established, how, and why the grade."),
        click.option("--reasoning-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
                     help="The reasoning, from a UTF-8 file."),
        click.option("--incident", "incident_ids", multiple=True, help="An incident (repeat); the complaints' own "
                                                                       "are added."),
        click.option("--evidence", "evidence", multiple=True, help="The SHA-256 of an evidence original (repeat)."),
        click.option("--report", "reports", multiple=True, help="A report to cite (repeat): its text becomes "
                                                               "evidence."),
    )):
        func = option(func)
    return func


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """The draft fields given on the command line (those left out are not in the result)."""
    path = values.pop("reasoning_file", None)
    if path is not None:
        try:
            values["reasoning"] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise click.BadParameter(f"cannot read {path}: {err}", param_hint="--reasoning-file") from None
    return {k: (tuple(v) if isinstance(v, tuple) else v) for k, v in values.items() if v not in (None, ())}


@findings.command("draft")
@click.option("--complaint", "complaint_ids", multiple=True, required=True,
              help="A complaint under review that the finding settles (repeat).")
@_draft_options
@_options
def findings_draft(complaint_ids: tuple[str, ...], as_user: str | None, db: str | None, **values: Any) -> None:
    """Draft a finding on complaints under review (a monitor); they move to 'finding drafted'."""
    fields = _fields(values)
    missing = [name for name in ("agreement_id", "commitment_id", "grade", "attribution", "reasoning")
               if name not in fields]
    if missing:
        raise click.UsageError("a draft needs " + ", ".join("--" + m.removesuffix("_id").replace("_", "-")
                                                            for m in missing))
    with _desk(db, as_user) as (desk, user):
        made = casework.draft_finding(desk, user, casework.Draft(complaint_ids=complaint_ids, **fields))
    click.echo(f"drafted {made.finding_id}: {made.grade}, {made.attribution}; content hash {made.content_hash}")


@findings.command("amend")
@click.argument("finding_id")
@_draft_options
@_options
def findings_amend(finding_id: str, as_user: str | None, db: str | None, **values: Any) -> None:
    """A new version of a finding with the changes given (a monitor); it supersedes the old one, which stays."""
    changes = _fields(values)
    with _desk(db, as_user) as (desk, user):
        made = casework.amend_finding(desk, user, finding_id, changes)
    click.echo(f"amended {finding_id}: version {made.version} is {made.finding_id}, a draft; content hash "
               f"{made.content_hash}")


@findings.command("sign")
@click.argument("finding_id")
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Your private signing key ('trucewatch findings keys generate'); it never leaves this machine.")
@click.option("--hash", "content_hash", default=None,
              help="The content hash you reviewed: refused if the finding's differs ('findings show ID' prints it).")
@click.option("--server", metavar="URL", default=None,
              help="Sign through the API of this trucewatch server, not a database (token: $TRUCEWATCH_TOKEN or "
                   "--token-file).")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A file holding your API token, for --server.")
@click.option("--print", "print_only", is_flag=True, default=False,
              help="Only print the base64 signature (to paste into the finding's page); store nothing.")
@click.option("--db", "db", metavar="PATH|URL", default=None,
              help="SQLite file or SQLAlchemy URL [default: $TRUCEWATCH_DB or ./trucewatch.sqlite3]")
def findings_sign(finding_id: str, key_path: Path, content_hash: str | None, server: str | None,
                  token_file: Path | None, print_only: bool, db: str | None) -> None:
    """Sign a finding for your guarantor with your own key (a monitor): the signature is made here, over the
    finding's content hash, and stored as yours (the key's holder); the second guarantor's signature seals it."""
    private = monitor_keys.read_signing_key(key_path)
    stated = content_hash.strip().lower() if content_hash else None
    if print_only and stated and not server:
        click.echo(monitor_keys.sign_hash(private, stated))
        return
    if server:
        _sign_through(server, _token(token_file), finding_id, private, stated, print_only)
        return
    with _reader(db, None) as (desk, _):
        key = monitor_keys.key_of_public(desk, raw_public(private))
        if key is None or not key.active:
            raise FindingError("TW-E832", key_name=key.name if key else str(key_path),
                               detail="this private key's public key is not registered as an active key "
                                      "('trucewatch findings keys register')")
        holder = casework.acting_user(desk, key.user)
        f = casework.get_finding(desk, holder, finding_id)
        reviewed = _reviewed(f.finding_id, f.content_hash, stated)
        signature = monitor_keys.sign_hash(private, reviewed)
        if print_only:
            click.echo(signature)
            return
        f = casework.sign_finding(desk, None, finding_id, reviewed, key.name, signature)
    click.echo(f"signed {f.finding_id} for {key.guarantor} as {key.user} with key {key.name}: "
               + ("sealed" if f.sealed else f"still to sign: {' and '.join(rules.missing_guarantors(f))}"))


def _reviewed(finding_id: str, content_hash: str, stated: str | None) -> str:
    """The content hash to sign: the finding's, shown on stderr; TW-E808 when --hash names another."""
    click.echo(f"finding {finding_id}: content hash {content_hash}", err=True)
    if stated is not None and stated != content_hash:
        raise FindingError("TW-E808", finding_id=finding_id,
                           detail=f"you reviewed content {stated[:80]!r}, the finding's content hash is "
                                  f"{content_hash}; read it again ('findings show') and sign what it says")
    return content_hash


def _token(token_file: Path | None) -> str:
    token = token_file.read_text(encoding="utf-8").strip() if token_file else os.environ.get("TRUCEWATCH_TOKEN", "")
    if not token:
        raise click.UsageError("--server needs your API token: set TRUCEWATCH_TOKEN or give --token-file FILE")
    return token


def _sign_through(server: str, token: str, finding_id: str, private: Ed25519PrivateKey, stated: str | None,
                  print_only: bool) -> None:
    """Sign through the server's API: find this key's name among the public keys, read the finding, sign here, and
    send only the signature. TW-E839 with the server's error when it refuses."""
    import httpx  # noqa: PLC0415 - only this door talks to a server

    base = server.rstrip("/")
    public = base64.b64encode(raw_public(private)).decode("ascii")
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        keys = _answer(base, client.get("/api/v1/keys"))
        key = next((k for k in keys if k["public_key"] == public and not k.get("revoked_at")), None)
        if key is None:
            raise FindingError("TW-E839", url=base, detail="this private key's public key is not registered there "
                                                           "as an active key")
        finding = _answer(base, client.get(f"/api/v1/findings/{finding_id}"))
        reviewed = _reviewed(finding_id, finding["content_hash"], stated)
        signature = monitor_keys.sign_hash(private, reviewed)
        if print_only:
            click.echo(signature)
            return
        made = _answer(base, client.post(f"/api/v1/findings/{finding_id}/signatures", json={
            "content_hash": reviewed, "key_name": key["name"], "signature": signature}))
    click.echo(f"signed {finding_id} for {key['guarantor']} as {key['user']} with key {key['name']}: "
               + ("sealed" if made.get("sealed") else f"still to sign: {' and '.join(made['missing_guarantors'])}"))


def _answer(base: str, response: Any) -> Any:
    """The `data` of an API answer; TW-E839 with the server's error message otherwise."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400 or "data" not in body:
        error = body.get("error", {}) if isinstance(body, dict) else {}
        raise FindingError("TW-E839", url=base, detail=error.get("message") or f"HTTP {response.status_code}")
    return body["data"]


# --- monitors' signing keys -------------------------------------------------------------------------------------


@findings.group("keys")
def findings_keys() -> None:
    """Monitors' signing keys: generate (on your machine), register, list, revoke (docs/findings.md)."""


@findings_keys.command("generate")
@click.argument("name")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the private key (mode 0600); its public key goes to FILE.pub.")
def keys_generate(name: str, output: Path) -> None:
    """Make a signing key pair on this machine (no database): the private key stays here; register FILE.pub."""
    verifier = monitor_keys.generate_key(name, output)
    click.echo(verifier)
    click.echo(f"wrote {output} (private: keep it, never send it) and {output}.pub; register it with "
               f"'trucewatch findings keys register --public {output}.pub --as YOUR_NAME'", err=True)


def _password_option(func: F) -> F:
    return click.option("--password-stdin", is_flag=True,
                        help="Read the password from the first line of stdin, not a prompt.")(func)


def _authenticated(desk: Desk, name: str | None, password_stdin: bool, what: str) -> User:
    """The user `name`, once their password is given (TW-E838 without one, TW-E611 for a wrong one)."""
    if not name:
        raise click.UsageError(f"say who {what}: --as NAME")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else \
        click.prompt(f"{name}'s password", hide_input=True, default="", show_default=False, err=True)
    if not password:
        raise FindingError("TW-E838", name=name, detail=f"no password given to {what}")
    return sign_in(desk.web, name, password, CLI_ADDRESS)


@findings_keys.command("register")
@click.option("--public", "public_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The public key file ('keys generate' wrote FILE.pub), or a file with the key in base64.")
@click.option("--name", default=None, help="The key's name [default: the name in the verifier key].")
@click.option("--as", "as_user", metavar="NAME", required=True, help="You: the monitor who holds the key.")
@_password_option
@click.option("--db", "db", metavar="PATH|URL", default=None,
              help="SQLite file or SQLAlchemy URL [default: $TRUCEWATCH_DB or ./trucewatch.sqlite3]")
def keys_register(public_path: Path, name: str | None, as_user: str, password_stdin: bool, db: str | None) -> None:
    """Register your public signing key (a guarantor monitor, with your password); one active key at a time."""
    named, public = monitor_keys.read_public_file(public_path)
    if not (name or named):
        raise click.UsageError("the file holds no key name: add --name NAME")
    with _reader(db, None) as (desk, _):
        user = _authenticated(desk, as_user, password_stdin, "registers a key")
        key = monitor_keys.register_key(desk, user, name or named or "", public)
    click.echo(f"registered {key.name} for {key.user} ({key.guarantor}): "
               f"{rules.verifier_key(key.name, key.public_key)}")
    click.echo(f"fingerprint (SHA-256 of the key): {rules.fingerprint(key.public_key)}; your guarantor publishes it",
               err=True)


@findings_keys.command("list")
@click.option("--db", "db", metavar="PATH|URL", default=None,
              help="SQLite file or SQLAlchemy URL [default: $TRUCEWATCH_DB or ./trucewatch.sqlite3]")
def keys_list(db: str | None) -> None:
    """Every registered signing key: guarantor, verifier key, holder, and whether it is revoked."""
    with _reader(db, None) as (desk, _):
        keys = monitor_keys.all_keys(desk)
    for k in keys:
        state = "active" if k.active else f"revoked {k.revoked_at} by {k.revoked_by}"
        click.echo(f"{k.guarantor} {rules.verifier_key(k.name, k.public_key)}  # {k.user}, registered "
                   f"{k.registered_at}, {state}")
    if not keys:
        click.echo("no signing keys registered ('trucewatch findings keys register')", err=True)


@findings_keys.command("revoke")
@click.argument("name")
@click.option("--reason", required=True, help="Why (kept in the audit log): lost, left the mission ...")
@click.option("--as", "as_user", metavar="NAME", required=True, help="You: the key's holder, or an admin.")
@_password_option
@click.option("--db", "db", metavar="PATH|URL", default=None,
              help="SQLite file or SQLAlchemy URL [default: $TRUCEWATCH_DB or ./trucewatch.sqlite3]")
def keys_revoke(name: str, reason: str, as_user: str, password_stdin: bool, db: str | None) -> None:
    """Revoke a signing key (its holder or an admin, with your password): it signs nothing more."""
    with _reader(db, None) as (desk, _):
        user = _authenticated(desk, as_user, password_stdin, "revokes a key")
        key = monitor_keys.revoke_key(desk, user, name, reason)
    click.echo(f"revoked {key.name} of {key.user} at {key.revoked_at}")


@findings.command("publish")
@click.argument("finding_id")
@_options
def findings_publish(finding_id: str, as_user: str | None, db: str | None) -> None:
    """Publish a sealed finding (a monitor): anyone may read it from now on."""
    with _desk(db, as_user) as (desk, user):
        f = casework.publish_finding(desk, user, finding_id)
    click.echo(f"published {f.finding_id} at {f.published_at}")


@findings.command("export-bundle")
@click.argument("finding_id")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="A new folder, or a file ending in .zip.")
@click.option("--checkpoint", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A co-signed checkpoint the guarantors keep: the proofs are made in its tree, and it is included.")
@click.option("--full", is_flag=True, default=False,
              help="Every cited evidence original, restricted ones and reports' texts included (monitors, admins).")
@_options
def findings_export_bundle(finding_id: str, output: Path, checkpoint: Path | None, full: bool, as_user: str | None,
                           db: str | None) -> None:
    """Write a finding's bundle: finding.json, its evidence marked public (the rest listed in withheld.json; all of
    it with --full), the audit entries with inclusion proofs, the checkpoint, verify_bundle.py and MANIFEST. Check
    it with 'sha256sum -c MANIFEST' and 'python3 verify_bundle.py [--keys FILE]'."""
    settings = _settings(db)
    with _reader(db, as_user) as (desk, user):
        kept = checked_checkpoint(desk.db, checkpoint, settings.audit_origin) if checkpoint else None
        bundle = make_bundle(desk, user, finding_id, kept, full=full)
    write_bundle(bundle, output)
    click.echo(f"wrote {output}: {len(bundle.files)} files; proofs in the tree of {bundle.tree_size} entries "
               f"(root {bundle.root_hash})" + ("" if bundle.checkpoint else "; no checkpoint: see its README.txt")
               + (f"; {len(bundle.withheld)} evidence files withheld: see withheld.json" if bundle.withheld else ""))
