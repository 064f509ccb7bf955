"""Settings from the environment (prefix ALUR_). A bad value stops start-up with one clear line."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-secret-change-me"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Requests are bounded (ALUR_TEMPORAL_TIMEOUT, the database pool's timeout), so on SIGTERM the API
# waits at most this long for those in flight.
GRACEFUL_SHUTDOWN = 15


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ALUR_", extra="ignore")

    env: str = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'alur.db'}"
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = "alur"
    smtp_host: str = "localhost"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Alur <no-reply@alur.local>"
    base_url: str = "http://localhost:8000"
    secret_key: str = DEV_SECRET
    upload_dir: Path = ROOT / "var" / "uploads"
    max_upload_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    # Every request body, whatever it says its length is: a start with several documents fits.
    max_request_bytes: int = Field(default=30 * 1024 * 1024, gt=0)
    # WhatsApp through an HTTP gateway; off while the URL is unset. The default shape is Fonnte's:
    # token in the Authorization header, form fields target + message. Wablas: phone_field=phone.
    # Woowa: token_in=field, token_name=key, phone_field=phone_no, body=json.
    whatsapp_url: str | None = None
    whatsapp_token: str | None = None
    whatsapp_token_in: Literal["header", "field"] = "header"
    whatsapp_token_name: str = "Authorization"
    whatsapp_phone_field: str = "target"
    whatsapp_message_field: str = "message"
    whatsapp_body: Literal["form", "json"] = "form"
    # jathil-order (our rule): per destination ("ponorogo", "jatim", "other") the shipping fee in rupiah and
    # the time standards in working days, e.g. {"other": {"fee": 40000, "delivery_days": 8}}.
    jathil_destinations: dict[str, dict[str, int]] = {}
    # gallery-curation (our rule): "all" curators must recommend pass, or "any" of them.
    gallery_pass_rule: Literal["all", "any"] = "all"
    # The complaint channels each service standard publishes, per agency (JSON: agency id -> Indonesian
    # lines), e.g. {"jatim": ["SP4N-LAPOR! (www.lapor.go.id)", "WhatsApp: 0812..."]}; default core.roles.
    complaint_channels: dict[str, list[str]] = {}
    var_dir: Path = ROOT / "var"
    # Per-step SLA overrides, e.g. {"jathil-vendor.verify": "2d", "gallery-curation.curate": "3d"}; a
    # case-level time standard (an SOP's SpanDef) by its span id the same way
    sla_overrides: dict[str, str] = {}
    token_hours: int = 12
    # Cases anyone may start without an account (a public complaint form): at most this many per client
    # address and hour, counted in the database for every API process (api.ratelimit); beyond it 429 with
    # Retry-After.
    public_starts_per_hour: int = Field(default=10, ge=1)
    verify_hours: int = 48
    # An account not verified within this many days may be registered again (its row is reused) and is
    # removed by `alur users purge-unverified`, unless it has cases.
    unverified_ttl_days: int = Field(default=7, ge=1)
    # How long the API waits for a workflow to take a decision or a start before it answers 503:
    # a request never hangs on a stopped worker or an unreachable Temporal server.
    temporal_timeout: float = Field(default=10.0, gt=0, le=120)
    # The supervisors' stuck cases (/dasbor/macet): an open step without movement for this many working days.
    stuck_after_days: int = Field(default=3, ge=1, le=365)
    # The Temporal Web UI that the stuck cases link to (a case's workflow, prepared list queries).
    temporal_ui_url: str = "http://localhost:8233"
    # The daily digest (workflows/digest.py): when each agency's schedule fires, in the agency's own zone,
    # on its working days.
    digest_time: str = Field(default="07:30", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    # How long a satisfaction-survey link (core.survey) stays valid after the invitation is sent.
    survey_days: int = Field(default=30, ge=1, le=366)
    # Survey figures of a group with fewer respondents are withheld, so that no one's answer can be read alone.
    survey_min_respondents: int = Field(default=5, ge=1, le=1000)

    @field_validator("env")
    @classmethod
    def _known_env(cls, value: str) -> str:
        if value not in ("development", "test", "production"):
            raise ValueError("must be development, test or production")
        return value

    @field_validator("smtp_port")
    @classmethod
    def _port(cls, value: int) -> int:
        if not 0 < value < 65536:
            raise ValueError("must be a TCP port (1-65535)")
        return value

    @field_validator("jathil_destinations")
    @classmethod
    def _destinations(cls, value: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        zones, fields = ("ponorogo", "jatim", "other"), ("fee", "delivery_days", "receipt_days")
        for zone, rule in value.items():
            if zone not in zones:
                raise ValueError(f"unknown destination {zone}; one of: {', '.join(zones)}")
            for name, amount in rule.items():
                if name not in fields or amount < (0 if name == "fee" else 1):
                    raise ValueError(f"{zone}.{name}: one of {', '.join(fields)}, a whole number (days at least 1)")
        return value

    @field_validator("complaint_channels")
    @classmethod
    def _complaint_agencies(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        from core.roles import AGENCIES

        unknown = sorted(set(value) - set(AGENCIES))
        if unknown:
            raise ValueError(f"unknown agency {', '.join(unknown)}; one of: {', '.join(AGENCIES)}")
        cleaned = {agency: [line.strip() for line in lines if line.strip()] for agency, lines in value.items()}
        empty = sorted(agency for agency, lines in cleaned.items() if not lines)
        if empty:
            raise ValueError(f"no complaint channel for {', '.join(empty)}: give at least one line")
        return cleaned

    @model_validator(mode="after")
    def _safe_secret(self) -> "Settings":
        # A default or short secret would let anyone forge sessions and verification links: only a
        # development machine (or the test suite) may use it, and `alur api` refuses it beyond loopback.
        if self.env not in ("development", "test") and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise ValueError(f"ALUR_SECRET_KEY must be set to 32+ random characters in {self.env}")
        return self

    def refuse_exposed_dev_secret(self, host: str) -> None:
        """The development secret never serves beyond this machine."""
        if self.secret_key == DEV_SECRET and host not in LOOPBACK:
            raise ValueError(f"the development ALUR_SECRET_KEY only serves on loopback, not on {host}; "
                             "set ALUR_SECRET_KEY to 32+ random characters")

    @field_validator("sla_overrides")
    @classmethod
    def _sla_syntax(cls, value: dict[str, str]) -> dict[str, str]:
        from core.calendar import parse_working_time
        from workflows import SOPS  # the SOP modules name their steps

        known = {f"{sop}.{step.id}" for sop, definition in SOPS.items() for step in definition.steps if step.sla}
        known |= {f"{sop}.{span.id}" for sop, definition in SOPS.items() for span in definition.spans}
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown step {', '.join(unknown)}; steps with a time standard: {', '.join(sorted(known))}")
        for amount in value.values():
            parse_working_time(amount)  # raises with the offending text
        return value

    @property
    def is_dev(self) -> bool:
        return self.env == "development"


def describe_error(error: ValidationError) -> str:
    """One line naming the first bad ALUR_* variable and why."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ")
    if not first["loc"]:
        return f"invalid configuration: {message}"
    return f"invalid setting ALUR_{str(first['loc'][0]).upper()}: {message}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
