"""Accounts, their (role, office) pairs, and login attempts for the time-windowed throttle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from db.models.base import utcnow


class User(SQLModel, table=True):
    __tablename__ = "app_user"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)  # stored lower-case
    display_name: str = Field(max_length=64)
    password_hash: str = Field(max_length=128)
    active: bool = True
    must_change_password: bool = False
    is_demo: bool = False
    # Sessions (and cookies) issued before this instant are refused: logout, password change, disable.
    sessions_valid_after: datetime = Field(default_factory=utcnow)
    password_changed_at: datetime = Field(default_factory=utcnow)
    # Last activity, persisted at most once a minute: a cookie re-login after the idle timeout is refused.
    last_seen_at: datetime | None = None
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    deputy_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    deputy_until: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role", "org_unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    role: str = Field(max_length=32)
    org_unit_id: int = Field(foreign_key="org_unit.id")


class LoginAttempt(SQLModel, table=True):
    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    source: str = Field(default="", max_length=64, index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    success: bool = False
