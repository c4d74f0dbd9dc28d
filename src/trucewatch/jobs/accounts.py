"""Users and their API tokens as plain jobs over the database: what `trucewatch users ...` calls.

There is no default account and no default password anywhere: every user is added by someone who can run the CLI on
the database, with a password typed or piped in. Each job takes the `Database` its caller opened.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from trucewatch.audit.log import default_actor
from trucewatch.casework.access import binding_problem
from trucewatch.errors import WebError
from trucewatch.jobs.auth import hash_password, issue_token
from trucewatch.records import ApiToken, User
from trucewatch.storage import Database
from trucewatch.storage.audit_log import recorder

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")


@dataclass(frozen=True, slots=True)
class Account:
    """A user as `trucewatch users list` shows it: with how many of their API tokens are live."""

    user: User
    live_tokens: int


def add_user(db: Database, name: str, role: str, password: str, *, party: str | None = None,
             guarantor: str | None = None, by: str | None = None, parties: Sequence[str] | None = None) -> User:
    """Add a user (logged as `user.add` by `by`, default: TRUCEWATCH_USER or the login name). TW-E604 for a bad name
    or a role without its binding (a party not among `parties`, the conflict's; default: the shipped data's),
    TW-E605 for a password that is too short, TW-E602 for a name that is taken."""
    if not NAME.fullmatch(name):
        raise WebError("TW-E604", detail=f"user name {name!r}: use 1-100 letters, digits, '.', '_', '@' or '-', "
                                         "beginning with a letter or digit")
    party, guarantor = (party or None), (guarantor or None)
    problem = binding_problem(role, party.upper() if party else None, guarantor.upper() if guarantor else None,
                              parties)
    if problem:
        raise WebError("TW-E604", detail=problem)
    password_hash = hash_password(password)
    user = User(name=name, role=role, party=party.upper() if party else None,
                guarantor=guarantor.upper() if guarantor else None)
    entry = ("user.add", user.name, {"role": user.role, "party": user.party, "guarantor": user.guarantor})
    return db.workplace.add_user(user, password_hash, utc_now(), audit=recorder(by or default_actor(), entry))


def list_users(db: Database) -> list[Account]:
    live: dict[str, int] = {}
    for token in db.workplace.tokens():
        if token.revoked_at is None:
            live[token.user] = live.get(token.user, 0) + 1
    return [Account(user, live.get(user.name, 0)) for user in db.workplace.users()]


def disable_user(db: Database, name: str, by: str | None = None) -> User:
    """Disable a user: their sessions end and their tokens stop working (logged as `user.disable`). TW-E603 for an
    unknown name."""
    user = db.workplace.disable_user(name, audit=recorder(by or default_actor(), ("user.disable", name, {})))
    if user is None:
        raise WebError("TW-E603", name=name)
    return user


def set_role(db: Database, name: str, role: str, *, party: str | None = None, guarantor: str | None = None,
             by: str | None = None, parties: Sequence[str] | None = None) -> tuple[User, User]:
    """Change a user's role and binding (logged as `user.role`, with what it was); their browser sessions end.
    Returns (before, after). TW-E603 for an unknown name, TW-E604 for a role without its binding."""
    party, guarantor = (party.upper() if party else None), (guarantor.upper() if guarantor else None)
    problem = binding_problem(role, party, guarantor, parties)
    if problem:
        raise WebError("TW-E604", detail=problem)
    before = db.workplace.get_user(name)
    if before is None:
        raise WebError("TW-E603", name=name)
    entry = ("user.role", name, {"role": role, "party": party, "guarantor": guarantor,
                                 "was": {"role": before.role, "party": before.party, "guarantor": before.guarantor}})
    after = db.workplace.set_role(name, role, party, guarantor, audit=recorder(by or default_actor(), entry))
    return before, after or before


def new_token(db: Database, name: str) -> tuple[str, str]:
    """A new API token for an enabled user: (its id, the token). TW-E603 for an unknown or disabled user."""
    user = db.workplace.get_user(name)
    if user is None:
        raise WebError("TW-E603", name=name)
    if user.disabled:
        raise WebError("TW-E604", detail=f"user {name!r} is disabled; a disabled user's tokens would not work")
    return issue_token(db.workplace, user)


def list_tokens(db: Database) -> list[ApiToken]:
    return db.workplace.tokens()


def revoke_token(db: Database, token_id: str) -> ApiToken:
    """Revoke a token by its id (the part between 'tw_' and '.'); TW-E606 for an unknown id."""
    token_id = token_id.removeprefix("tw_").split(".", 1)[0]
    token = db.workplace.revoke_token(token_id, utc_now())
    if token is None:
        raise WebError("TW-E606", token_id=token_id, detail="")
    return token


def utc_now() -> datetime:
    return datetime.now(UTC)
