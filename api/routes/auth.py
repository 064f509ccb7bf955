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


class MessageOut(BaseModel):
    """The same answer whether or not the e-mail has an account."""
    message: str


class RegisteredOut(MessageOut):
    email: str


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


@router.post("/token", response_model=TokenOut)
def token(*, form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request, settings: SettingsDep,
          engine: EngineDep) -> TokenOut:
    """429 with Retry-After after five failures in a row for the account or the address."""
    return TokenOut(access_token=accounts.authenticate(settings, engine, form.username, form.password,
                                                       client_of(request)))


@router.post("/register", response_model=RegisteredOut, status_code=201)
async def register(*, body: Annotated[dict[str, Any], Body()], request: Request, settings: SettingsDep,
                   engine: EngineDep) -> RegisteredOut:
    """Applicant account (`umkm` by default, or `pembeli`); a verification e-mail follows. The same 201 and
    body whether or not the e-mail is taken: an unverified account gets a new link (the newest registration
    wins), the owner of a verified one an e-mail saying someone tried."""
    form = accounts.parse_registration(body)
    await accounts.register(settings, engine, form, client_of(request))
    return RegisteredOut(email=form.email, message=accounts.REGISTERED)


@router.post("/verify", response_model=AccountOut)
def verify(*, body: VerifyIn, settings: SettingsDep, engine: EngineDep) -> Any:
    return accounts.verify(settings, engine, body.token)


@router.post("/verify/resend", response_model=MessageOut, status_code=202)
async def resend_verification(*, body: Annotated[dict[str, Any], Body()], request: Request,
                              settings: SettingsDep, engine: EngineDep) -> MessageOut:
    """`{"email"}`: a new verification link if the account exists and is not verified; always the same 202."""
    form = accounts.parse_form(accounts.EmailOnly, body)
    await accounts.resend_verification(settings, engine, form.email, client_of(request))
    return MessageOut(message=accounts.LINK_SENT)


@router.post("/password/forgot", response_model=MessageOut, status_code=202)
async def forgot_password(*, body: Annotated[dict[str, Any], Body()], request: Request, settings: SettingsDep,
                          engine: EngineDep) -> MessageOut:
    """`{"email"}`: a password-reset link (one use, one hour) if the account exists; always the same 202."""
    form = accounts.parse_form(accounts.EmailOnly, body)
    await accounts.forgot_password(settings, engine, form.email, client_of(request))
    return MessageOut(message=accounts.LINK_SENT)


@router.post("/password/reset", response_model=MessageOut)
def reset_password(*, body: Annotated[dict[str, Any], Body()], settings: SettingsDep,
                   engine: EngineDep) -> MessageOut:
    """`{"token", "password"}` from the reset e-mail: 200 and every session of the account ends; 400 when the
    link is invalid, used or expired; 422 for a password the registration would refuse."""
    accounts.reset_password(settings, engine, accounts.parse_form(accounts.PasswordReset, body))
    return MessageOut(message=accounts.PASSWORD_RESET)


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
