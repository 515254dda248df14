"""Users, their login sessions and their API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.roles import OFFICIAL_ROLES, Role
from core.database import Base


class User(Base):
    """A person who signs in: a tourist, someone at a lodging, or an official.

    ``get_id`` answers the current login session's token, not the user id:
    Flask-Login keeps that in the cookie, so ending the server-side session
    (logout, idle time-out) ends the cookie's power too.
    """

    __tablename__ = "core_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    # Police users act within a jurisdiction: a province's police, or one commune's
    # (GSO codes of the units in force; a feature resolves names, see core.auth.areas).
    police_province_code: Mapped[int | None]
    police_commune_code: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]
    last_login_at: Mapped[dt.datetime | None]

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @property
    def is_official(self) -> bool:
        return self.role in OFFICIAL_ROLES

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def attach_session(self, token: str) -> None:
        """Remember the login session this request came through (never stored)."""
        vars(self)["_session_token"] = token

    def get_id(self) -> str | None:
        token = vars(self).get("_session_token")
        return str(token) if token else None


class LoginSession(Base):
    """One signed-in browser. The cookie holds a random token; we keep its hash."""

    __tablename__ = "core_login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    address: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()


class ApiToken(Base):
    """A bearer token for the API, shown once and stored only as a hash."""

    __tablename__ = "core_api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("core_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[dt.datetime]
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")
