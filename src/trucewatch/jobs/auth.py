"""Who is asking: passwords (argon2), browser sessions, CSRF tokens, API tokens and the sign-in rate limit.

No web framework here: plain functions over a `WebStore`, so they are tested, and used by the CLI, on their own.

- **Passwords** are hashed with argon2id (argon2-cffi's defaults); a sign-in for an unknown name still verifies
  against a dummy hash, so the time taken does not tell which names exist.
- **Sessions**: the cookie holds 32 random bytes; the store keeps only their SHA-256, with the session's CSRF token
  (a synchronizer token, sent back in forms as `csrf_token` or in the `X-CSRF-Token` header). They last
  `SESSION_LIFETIME`.
- **Before signing in** there is no session: the sign-in form's CSRF token is an HMAC, under the secret key, of a
  random nonce kept in a cookie of its own (`LOGIN_COOKIE`).
- **API tokens** are `tw_<id>.<secret>`: the id is public (`trucewatch users revoke-token ID`), the store keeps the
  SHA-256 of the secret only, and the token is printed once.
- **Rate limit**: `MAX_FAILURES` failed sign-ins within `FAILURE_WINDOW`, for one user name or from one client
  address, and further attempts are refused (TW-E615, HTTP 429) until the oldest of them leaves the window, without
  the password being checked.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from trucewatch.errors import WebError
from trucewatch.records import User
from trucewatch.storage.workplace import WebStore

SESSION_COOKIE = "tw_session"
LOGIN_COOKIE = "tw_login"
SESSION_LIFETIME = timedelta(hours=12)
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
ATTEMPTS_KEPT = timedelta(days=30)  # sign-in attempts are a record of who tried; older ones are dropped
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
TOKEN_PREFIX = "tw_"


# --- passwords -------------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    """The argon2id hash of a password that `password_problem` accepts (TW-E605 otherwise)."""
    problem = password_problem(password)
    if problem:
        raise WebError("TW-E605", detail=problem)
    return _hasher().hash(password)


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"the password is shorter than {MIN_PASSWORD} characters"
    if len(password) > MAX_PASSWORD:
        return f"the password is longer than {MAX_PASSWORD} characters"
    if password != password.strip():
        return "the password begins or ends with white space (a stray newline?)"
    return None


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def digest(secret: str) -> str:
    """SHA-256 of a high-entropy secret (session cookie, token secret): what the store keeps."""
    return hashlib.sha256(secret.encode()).hexdigest()


# --- signing in, with the rate limit ---------------------------------------------------------------------------


def retry_after(store: WebStore, name: str, address: str, now: datetime) -> int | None:
    """Seconds until another sign-in for `name` from `address` may be tried, or None if it may be tried now."""
    since = now - FAILURE_WINDOW
    return _wait(now, store.failures_since(since, name=name), store.failures_since(since, address=address))


def _wait(now: datetime, *failures: list[datetime]) -> int | None:
    waits = [max(1, int((found[-MAX_FAILURES] + FAILURE_WINDOW - now).total_seconds()) + 1)
             for found in failures if len(found) >= MAX_FAILURES]
    return max(waits) if waits else None


def sign_in(store: WebStore, name: str, password: str, address: str, now: datetime | None = None) -> User:
    """The user, if `name` and `password` match an enabled account. TW-E615 (with `retry_after`) while rate
    limited, before the password is looked at; TW-E611 otherwise. Every attempt checked is recorded: it is claimed
    (counted as a failure) before the password is checked, in the same transaction as the count, so parallel
    attempts cannot all pass the count; a success then settles it."""
    now = now or _now()
    claim = store.claim_attempt(name, address, now, now - FAILURE_WINDOW, MAX_FAILURES)
    if claim.attempt_id is None:
        raise WebError("TW-E615", retry_after=_wait(now, claim.by_name, claim.by_address) or 1)
    found = store.credentials(name)
    ok = verify_password(found[1] if found else _dummy_hash(), password)
    user = found[0] if found else None
    if not ok or user is None or user.disabled:
        raise WebError("TW-E611")
    store.settle_attempt(claim.attempt_id, succeeded=True)
    store.forget_attempts(now - ATTEMPTS_KEPT)
    return user


# --- browser sessions ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Session:
    """A session just started: the cookie value (shown to the browser only) and its CSRF token."""

    cookie: str
    csrf_token: str
    user: User
    expires_at: datetime


def start_session(store: WebStore, user: User, now: datetime | None = None) -> Session:
    now = now or _now()
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    assert user.user_id is not None
    store.add_session(digest(cookie), user.user_id, csrf, now, expires)
    store.drop_expired_sessions(now)
    return Session(cookie, csrf, user, expires)


def session_user(store: WebStore, cookie: str | None, now: datetime | None = None) -> tuple[User, str] | None:
    """The user of the session this cookie names, and its CSRF token; None for no, an unknown or an expired one."""
    if not cookie or len(cookie) > 200:
        return None
    return store.session(digest(cookie), now or _now())


def end_session(store: WebStore, cookie: str | None) -> None:
    if cookie:
        store.drop_session(digest(cookie))


# --- CSRF ------------------------------------------------------------------------------------------------------


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


def login_csrf_token(secret_key: str, nonce: str) -> str:
    """The sign-in form's CSRF token for the nonce in the browser's LOGIN_COOKIE."""
    return hmac.new(secret_key.encode(), b"login:" + nonce.encode(), hashlib.sha256).hexdigest()


# --- API tokens ------------------------------------------------------------------------------------------------


def issue_token(store: WebStore, user: User, now: datetime | None = None) -> tuple[str, str]:
    """A new API token for `user`: (its id, the whole token). The token is not kept: show it once."""
    assert user.user_id is not None
    token_id, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    store.add_token(token_id, user.user_id, digest(secret), now or _now())
    return token_id, f"{TOKEN_PREFIX}{token_id}.{secret}"


def token_user(store: WebStore, token: str) -> User | None:
    """The enabled user a valid, unrevoked token belongs to; None otherwise."""
    if not token.startswith(TOKEN_PREFIX) or "." not in token or len(token) > 200:
        return None
    token_id, secret = token[len(TOKEN_PREFIX):].split(".", 1)
    found = store.token(token_id)
    if found is None:
        return None
    user, secret_hash = found
    if user.disabled or not same_token(secret_hash, digest(secret)):
        return None
    return user


def _now() -> datetime:
    return datetime.now(UTC)
