"""Abuse limits kept in the database, so that every API process counts the same attempts (issue 12):
sliding-window rate limits (api.ratelimit), the login backoff (api.throttle) and one start at a time
per account and SOP (api.claims). Instants are Unix seconds (float) from the callers' clocks.

Rows are short-lived: each limiter deletes what has left its window (api.ratelimit.RateLimiter.sweep,
api.throttle.LoginThrottle.sweep, run now and then by the calls themselves), and a start claim is
deleted when its start ends."""

from typing import Any

from sqlalchemy import Index
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel

KEY_LENGTH = 400  # "<kind>:<e-mail>" or an address; e-mail addresses are at most 254 characters


class RateKey(SQLModel, table=True):
    """One row per limiter and key seen within the window: the row a hit locks (the upsert) so that
    concurrent hits of one key, from any process, count one after the other."""

    __tablename__ = "rate_keys"
    scope: str = Field(primary_key=True, max_length=40)  # which limiter
    key: str = Field(primary_key=True, max_length=KEY_LENGTH)
    seen_at: float  # the last hit, counted or refused


class RateHit(SQLModel, table=True):
    """A counted hit: at most the limiter's limit per key within its window."""

    __tablename__ = "rate_hits"
    __table_args__ = (Index("ix_rate_hits_scope_key_at", "scope", "key", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=40)
    key: str = Field(max_length=KEY_LENGTH)
    at: float


class LoginFailures(SQLModel, table=True):
    """Failed logins in a row for an account ("account:<e-mail>") or a client address ("address:<ip>")."""

    __tablename__ = "login_failures"
    key: str = Field(primary_key=True, max_length=KEY_LENGTH)
    failures: int
    last_at: float = Field(index=True)


class StartClaim(SQLModel, table=True):
    """A start of this SOP by this account is under way (api.claims): a second one waits for it."""

    __tablename__ = "start_claims"
    sop: str = Field(primary_key=True, max_length=40)
    account_id: int = Field(primary_key=True)
    holder: str = Field(max_length=40)  # which request holds it (only the holder releases it)
    claimed_at: float


def upsert(session: Session, model: type[SQLModel]) -> Any:
    """INSERT … ON CONFLICT DO UPDATE … RETURNING for this database: SQLite (3.35 and later) and PostgreSQL
    both have it, each through its own dialect's construct."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    return insert(model)
