"""How a case comes in, for every SOP (workflows.module.Intake): online by an account for itself, offline by
staff for someone without one (`Intake.staff_roles`), or through a public form without an account
(`Intake.public`).

An offline registration adds reserved keys to the start body, beside the SOP's own form:

    {..the SOP's form..., "on_behalf": {"name", "phone", "email"?, "address", "nik"?},
     "channel": "surat", "lapor_number": "..." (only and always for "sp4n_lapor")}

They are checked here (one small common form, Indonesian messages, field paths under `body`) and kept in
the case data under the same keys, with `registered_by` (the officer). The SOP's own form fields named like
the person's (`name`, `phone`, `email`, `address`, `nik`) are filled from `on_behalf` when the body leaves
them out, and an `agency` field from the officer's agency. A public start's body may carry the honeypot
field `website`, which people never see and so leave empty.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from api.errors import ApiError
from api.ratelimit import RateLimiter
from core.forms import Form, check, choice, widget
from core.identifiers import Email, MobilePhone, Nik
from core.messages import Person
from core.models import User
from core.roles import INTAKE_CHANNELS, NO_ACCOUNT
from core.users import person
from workflows.module import Intake

CHANNELS = INTAKE_CHANNELS
LAPOR = "sp4n_lapor"
RESERVED = ("on_behalf", "channel", "lapor_number", "registered_by")  # case data keys the intake writes
HONEYPOT = "website"
PERSON_FIELDS = ("name", "phone", "email", "address", "nik")  # SOP form fields filled from on_behalf
PUBLIC_LIMITED = "Terlalu banyak pengajuan dari alamat Anda. Coba lagi dalam {minutes} menit."
NOT_FOR_YOU = "Layanan ini tidak untuk peran Anda"


def _lapor_number(value: str) -> str:
    if not value.replace("-", "").isalnum() or not value.isascii():
        raise PydanticCustomError("lapor_number", "Nomor laporan hanya berisi huruf, angka dan tanda hubung")
    return value.upper()


class OnBehalf(Form):
    """The person a case is registered for (no account)."""

    name: str = Field(min_length=1, max_length=200, title="Nama")
    phone: MobilePhone = Field(title="Nomor HP", description="Nomor aktif, contoh 081234567890")
    email: Email | None = Field(default=None, title="E-mail",
                                description="Bila ada: nomor lacak dan kabar kasus dikirim ke alamat ini")
    address: str = Field(min_length=1, max_length=500, title="Alamat", json_schema_extra=widget("textarea"))
    nik: Nik | None = Field(default=None, title="NIK (bila ada)")


class OfflineIntake(Form):
    on_behalf: OnBehalf = Field(title="Atas nama")
    channel: choice(CHANNELS) = Field(title="Diterima melalui")  # type: ignore[valid-type]
    lapor_number: Annotated[str, AfterValidator(_lapor_number)] | None = Field(
        default=None, min_length=3, max_length=40, title="Nomor laporan SP4N-LAPOR!")

    @classmethod
    def admission(cls, raw: dict[str, Any]) -> list[tuple[str, str]]:
        given = bool(str(raw.get("lapor_number") or "").strip())
        if raw.get("channel") == LAPOR and not given:
            return [("lapor_number", "Wajib diisi untuk laporan dari SP4N-LAPOR!")]
        if raw.get("channel") != LAPOR and given:
            return [("lapor_number", "Hanya diisi untuk laporan dari SP4N-LAPOR!")]
        return []


class Way(StrEnum):
    """How a start came in."""

    ONLINE = "online"  # an account applies for itself
    OFFLINE = "offline"  # staff register it for someone without an account
    PUBLIC = "public"  # anyone, without an account


def way_in(intake: Intake, user: User | None) -> Way:
    """401 without an account unless the SOP is public; 403 for a role that may neither apply nor register."""
    if user is None:
        if not intake.public:
            raise ApiError(401, "Silakan masuk terlebih dahulu", headers={"WWW-Authenticate": "Bearer"})
        return Way.PUBLIC
    if user.role in intake.roles:
        return Way.ONLINE
    if user.role in intake.staff_roles:
        return Way.OFFLINE
    raise ApiError(403, NOT_FOR_YOU)


@dataclass
class Visitor:
    """Who starts a case without an account: the client's address and the limit it counts against."""

    address: str
    limiter: RateLimiter

    def admit(self) -> None:
        """429 with Retry-After once the address has used up its public starts."""
        wait = self.limiter.hit(self.address)
        if wait:
            raise ApiError(429, PUBLIC_LIMITED.format(minutes=max(1, -(-wait // 60))),
                           headers={"Retry-After": str(wait)})


@dataclass
class Split:
    """A start body taken apart: what the SOP's form checks, the intake's own case data, their errors."""

    form_body: Any
    reserved: dict[str, Any]
    errors: list[dict[str, Any]]
    filled: tuple[str, ...] = ()  # form fields on_behalf fills (their errors are on_behalf's)


def split_body(way: Way, intake: Intake, form: type[Form], body: Any, user: User | None) -> Split:
    """Separates the reserved keys of an offline registration (checked here) and a public start's honeypot
    from the SOP's own form. Online and public starts keep them in the form's body, where they are unknown
    fields (422): only staff register for someone else."""
    if not isinstance(body, dict):
        return Split(body, {}, [])
    online_channel = {"channel": "web"} if intake.staff_roles or intake.public else {}
    if way is Way.PUBLIC:
        body = dict(body)
        if str(body.pop(HONEYPOT, "") or "").strip():
            raise ApiError(422, [{"loc": ["body", HONEYPOT], "msg": "Kolom ini harus dikosongkan", "type": "honeypot"}])
        return Split(body, online_channel, [])
    if way is Way.ONLINE:
        return Split(body, online_channel, [])
    assert user is not None
    own = {k: v for k, v in body.items() if k not in RESERVED}
    checked = check(OfflineIntake, {k: body[k] for k in RESERVED if k in body})
    on_behalf = checked.data.get("on_behalf") or (body.get("on_behalf") if isinstance(body.get("on_behalf"), dict)
                                                  else {})
    filled = tuple(name for name in PERSON_FIELDS if name in form.model_fields and name not in own)
    own.update({name: on_behalf[name] for name in filled if on_behalf.get(name) not in (None, "")})
    if "agency" in form.model_fields and "agency" not in own:
        own["agency"] = user.agency
    reserved = {k: v for k, v in checked.data.items() if v is not None}
    reserved["registered_by"] = {"id": user.id, "name": user.name}
    return Split(own, reserved if checked.ok else {}, checked.errors, filled)


def form_errors(split: Split, errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The form's errors without those on fields filled from an on_behalf that has its own errors already."""
    if not split.errors:
        return errors
    return [e for e in errors if not (len(e["loc"]) > 1 and e["loc"][1] in split.filled)]


def applicant_of(way: Way, user: User | None, data: dict[str, Any]) -> Person:
    """Who the case is for: the account itself, or a person without an account (id None, role NO_ACCOUNT)
    named by `on_behalf` (offline) or by the public form's `name`, `email` and `phone`."""
    if way is Way.ONLINE:
        assert user is not None
        return person(user)
    named = data["on_behalf"] if way is Way.OFFLINE else data
    return Person(id=None, name=str(named.get("name") or "").strip(), role=NO_ACCOUNT,
                  email=named.get("email") or None, phone=named.get("phone") or None)


def client_address(request: Any) -> str:
    """The address a public start counts against (behind a proxy: run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"
