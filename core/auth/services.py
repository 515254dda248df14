"""Accounts: registering, signing in and out, sessions and API tokens.

Plain arguments in, model objects out; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import cache

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import joinedload

from core.auth import passwords
from core.auth.models import ApiToken, LoginSession, User
from core.auth.roles import Role
from core.database import DbSession

API_TOKEN_PREFIX = "stp_"  # noqa: S105 - a visible prefix, not a secret


class AccountError(Exception):
    """A request about an account that cannot be carried out, and why (translated)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(str(message))
        self.field = field
        self.message = message


MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


@dataclass(frozen=True)
class PasswordPolicy:
    min_length: int = MIN_PASSWORD_LENGTH
    max_length: int = MAX_PASSWORD_LENGTH


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalize_email(email: str) -> str:
    """The address as we store it, or AccountError if it is not an address."""
    try:
        checked = validate_email(email.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise AccountError("email", _l("Enter a valid e-mail address.")) from exc
    return checked.normalized.lower()


def check_password(password: str, policy: PasswordPolicy, email: str = "") -> None:
    """Raise AccountError unless the password is long enough and not a common one."""
    if len(password) < policy.min_length:
        raise AccountError(
            "password",
            _l("Use at least %(count)d characters.", count=policy.min_length),
        )
    if len(password) > policy.max_length:
        raise AccountError(
            "password",
            _l("Use at most %(count)d characters.", count=policy.max_length),
        )
    local_part = email.split("@", 1)[0].lower()
    if passwords.is_common(password) or (local_part and password.lower() == local_part):
        raise AccountError(
            "password",
            _l("This password is too common. Choose one that is harder to guess."),
        )


def create_user(
    session: DbSession,
    *,
    email: str,
    password: str,
    role: Role,
    now: dt.datetime,
    full_name: str = "",
    locale: str = "vi",
    police_province_code: int | None = None,
    police_commune_code: int | None = None,
    policy: PasswordPolicy = PasswordPolicy(),
) -> User:
    """Create an account of any role; police accounts need their jurisdiction."""
    email = normalize_email(email)
    check_password(password, policy, email)
    if role is Role.POLICE and police_province_code is None:
        raise AccountError(
            "police_province", _l("A police account needs the province of its police unit.")
        )
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError("email", _l("An account with this e-mail address already exists."))
    user = User(
        email=email,
        full_name=full_name.strip(),
        password_hash=passwords.hash_password(password),
        role=role,
        locale=locale,
        police_province_code=police_province_code if role is Role.POLICE else None,
        police_commune_code=police_commune_code if role is Role.POLICE else None,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: DbSession, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None (in constant-ish time)."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        passwords.verify_password(passwords.DUMMY_HASH, password)
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.active:
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def start_login_session(session: DbSession, user: User, now: dt.datetime, address: str) -> str:
    """Open a new server-side session for the user and return its cookie token."""
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=_digest(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            address=address[:64],
        )
    )
    user.last_login_at = now
    user.attach_session(token)
    session.flush()
    return token


@dataclass(frozen=True)
class IdleLimits:
    """How long a session may sit unused: officials handle other people's data."""

    official: dt.timedelta = dt.timedelta(minutes=30)
    other: dt.timedelta = dt.timedelta(days=14)


def resume_login_session(
    session: DbSession, token: str, now: dt.datetime, limits: IdleLimits
) -> User | None:
    """The user behind a live session token, or None if it ended or sat idle too long."""
    login = session.scalar(
        select(LoginSession).where(
            LoginSession.token_hash == _digest(token), LoginSession.ended_at.is_(None)
        )
    )
    if login is None or not login.user.active:
        return None
    user = login.user
    limit = limits.official if user.is_official else limits.other
    if now - login.last_seen_at > limit:
        login.ended_at = now
        return None
    # Writing on every request would make each page a write; a minute's precision is enough.
    if now - login.last_seen_at > dt.timedelta(minutes=1):
        login.last_seen_at = now
    user.attach_session(token)
    return user


def end_login_session(session: DbSession, token: str, now: dt.datetime) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _digest(token), LoginSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def create_api_token(session: DbSession, user: User, name: str, now: dt.datetime) -> str:
    """Create a bearer token for the user; the plain token is returned once, never stored."""
    name = name.strip()
    if not name:
        raise AccountError("name", _l("Give the token a name."))
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user=user, name=name[:100], token_hash=_digest(token), prefix=token[:12], created_at=now
        )
    )
    session.flush()
    return token


@cache
def _live_token() -> Select[tuple[ApiToken]]:
    """Built once: every API request runs it, and SQLAlchemy would build and key it anew."""
    return (
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
    )


def user_for_api_token(session: DbSession, token: str, now: dt.datetime) -> User | None:
    api_token = session.scalar(_live_token(), {"token_hash": _digest(token)})
    if api_token is None or not api_token.user.active:
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at > dt.timedelta(minutes=1):
        api_token.last_used_at = now
    return api_token.user


def find_user(session: DbSession, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == email.strip().lower()))
