from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api import accounts
from api.deps import CurrentUser, EngineDep, SettingsDep

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"


class AccountOut(BaseModel):
    id: int
    email: str
    name: str
    role: str
    agency: str | None
    verified: bool


class VerifyIn(BaseModel):
    token: str


@router.post("/token", response_model=TokenOut)
def token(*, form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, settings: SettingsDep,
          engine: EngineDep) -> TokenOut:
    """429 with Retry-After after five failures in a row for the account or the address."""
    address = request.client.host if request.client else ""
    return TokenOut(access_token=accounts.authenticate(settings, engine, form.username, form.password, address))


@router.post("/register", response_model=AccountOut, status_code=201)
async def register(*, body: Annotated[dict[str, Any], Body()], settings: SettingsDep, engine: EngineDep) -> Any:
    """Applicant account (`umkm` by default, or `pembeli`); a verification e-mail follows."""
    return await accounts.register(settings, engine, accounts.parse_registration(body))


@router.post("/verify", response_model=AccountOut)
def verify(*, body: VerifyIn, settings: SettingsDep, engine: EngineDep) -> Any:
    return accounts.verify(settings, engine, body.token)


@router.get("/me", response_model=AccountOut)
def me(*, user: CurrentUser) -> Any:
    return user


@router.post("/logout", status_code=204)
def logout(*, user: CurrentUser, engine: EngineDep) -> None:
    """Ends every session of this account: its tokens and page sessions stop working."""
    accounts.end_sessions(engine, user.id or 0)


@router.post("/password", response_model=TokenOut)
def change_password(*, body: Annotated[dict[str, Any], Body()], user: CurrentUser, settings: SettingsDep,
                    engine: EngineDep) -> TokenOut:
    """`current_password`, `new_password`: every other session ends; the answer carries a fresh token."""
    form = accounts.parse_form(accounts.PasswordChange, body)
    return TokenOut(access_token=accounts.change_password(settings, engine, user, form))
