"""People and machines that may use Flowdeck: users, their sessions and API keys."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.db.types import fk_column, ts_column, utcnow


class User(SQLModel, table=True):
    __tablename__ = "user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=255)
    role: str = Field(default="member", max_length=16, index=True)
    is_active: bool = Field(default=True, index=True)
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=ts_column())
    last_login_at: datetime | None = Field(default=None, sa_column=ts_column())
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))


class Session(SQLModel, table=True):
    """A signed-in browser. The browser holds the token; only its hash is stored here."""

    __tablename__ = "session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=fk_column("user.id", ondelete="CASCADE", nullable=False))
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    expires_at: datetime = Field(sa_column=ts_column(nullable=False, index=True))
    last_used_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class ApiKey(SQLModel, table=True):
    """A REST API key: stored as a hash with a short visible prefix."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=fk_column("user.id", ondelete="CASCADE", nullable=False))
    name: str = Field(max_length=200)
    prefix: str = Field(max_length=16, index=True)
    key_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    last_used_at: datetime | None = Field(default=None, sa_column=ts_column())
    revoked_at: datetime | None = Field(default=None, sa_column=ts_column())
