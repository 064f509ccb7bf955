"""Typed dependencies: settings, database session, Temporal client, the current user by role."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session
from temporalio.client import Client

from core.config import Settings
from core.models import User
from core.roles import is_staff
from core.security import ACCESS, read_claims

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


# async: FastAPI runs a plain `def` dependency in the thread pool, a hop per request for an attribute read.
async def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


async def get_engine_dep(request: Request) -> Engine:
    return request.app.state.engine


def get_session(engine: Annotated[Engine, Depends(get_engine_dep)]) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


async def get_temporal(request: Request) -> Client:
    return await request.app.state.temporal()


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
EngineDep = Annotated[Engine, Depends(get_engine_dep)]
SessionDep = Annotated[Session, Depends(get_session)]
TemporalClientDep = Annotated[Client, Depends(get_temporal)]

UNAUTHORIZED = HTTPException(401, "Silakan masuk terlebih dahulu", headers={"WWW-Authenticate": "Bearer"})


def user_from_token(session: Session, settings: Settings, token: str | None) -> User | None:
    if not token:
        return None
    claims = read_claims(settings.secret_key, ACCESS, token, settings.token_hours * 3600)
    user = session.get(User, claims[0]) if claims else None
    if user is None or not user.verified or not user.active or claims[1] != user.session_version:  # type: ignore[index]
        return None
    return user


def current_user(engine: EngineDep, settings: SettingsDep, token: Annotated[str | None, Depends(bearer)]) -> User:
    # A session of its own, closed at once: an async handler must not hold a connection while it awaits.
    with Session(engine, expire_on_commit=False) as session:
        user = user_from_token(session, settings, token)
    if user is None:
        raise UNAUTHORIZED
    return user


def optional_user(engine: EngineDep, settings: SettingsDep,
                  token: Annotated[str | None, Depends(bearer)]) -> User | None:
    """None without a token (a public form); a token that is given must be valid."""
    return current_user(engine, settings, token) if token else None


def staff_user(user: Annotated[User, Depends(current_user)]) -> User:
    if not is_staff(user.role):
        raise HTTPException(403, "Hanya untuk petugas Dinas")
    return user


def applicant_user(user: Annotated[User, Depends(current_user)]) -> User:
    if is_staff(user.role):
        raise HTTPException(403, "Hanya untuk pemohon (UMKM/pembeli)")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
StaffUser = Annotated[User, Depends(staff_user)]
Applicant = Annotated[User, Depends(applicant_user)]
