"""What makes an SOP one module: its workflow (with the definition), its intake rules, and what it adds
to the worker and the API. Each SOP module ends with `SOP = SopModule(...)`; `workflows.SOP_MODULES` lists
them, and every registry (workflows, intakes, catalogue, page fields, worker activities, routes) is
derived from that one list. Pure data: nothing here touches a database at import.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from importlib import import_module
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from core.config import Settings
    from core.forms import Form
    from core.models import User
    from workflows.sop import SopDefinition, SopWorkflow


class IntakeRefused(Exception):
    """A business refusal before anything is stored: status 403 or 409 and an Indonesian message,
    or 422 and field errors (see `bad_field`)."""

    def __init__(self, status: int, message: str | list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    @classmethod
    def bad_field(cls, name: str, message: str) -> "IntakeRefused":
        """A field the form accepted but existing records refuse (e.g. a code not in a list)."""
        return cls(422, [{"loc": ["body", name], "msg": message, "type": "refused"}])


def _no_title(data: dict[str, Any]) -> str:
    return ""


def _anyone(session: "Session", user: "User") -> None:
    return None


def _as_is(session: "Session", user: "User | None", data: dict[str, Any]) -> dict[str, Any]:
    return data


def _own_agency(data: dict[str, Any]) -> str | None:
    return None


def _nothing_to_undo(session: "Session", data: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True)
class Intake:
    """How an SOP takes a new case: the start form is the definition's `start_form`.

    Three ways in, all through POST /api/v1/sops/{sop}/cases (api.service.open_case):
    - online: an account of one of `roles` applies for itself;
    - offline: staff of one of `staff_roles` register a case for someone who came in person, wrote, phoned...
      The body adds `on_behalf` {name, phone, email?, address, nik?}, `channel` and, for SP4N-LAPOR!,
      `lapor_number` (api.intake); the case belongs to the officer's agency, its applicant has no account;
    - public (`public=True`): anyone, without a token; the start form's `name`, `email` and `phone` fields
      name the person (no account), and a honeypot and a per-address rate limit keep bots out.
    An applicant without an account follows the case by its tracking code (and e-mail, when given).
    """

    roles: tuple[str, ...] = ("umkm",)
    title: Callable[[dict[str, Any]], str] = _no_title
    staff_roles: tuple[str, ...] = ()  # who may register a case on behalf of someone (offline intake)
    public: bool = False  # anyone may start one without an account
    # Whether this account may apply at all (one active case per account, a prerequisite case...),
    # checked before the form so that a refusal is not hidden behind field errors; raises IntakeRefused.
    # Online starts only: an officer registering for someone, or a visitor without an account, has none.
    eligible: Callable[["Session", "User"], None] = _anyone
    # Checks of the validated form against existing records (a code from a list...) and what they add
    # to the case data; raises IntakeRefused. `user`: who sends it (the officer for an offline intake,
    # None for a public start).
    prepare: Callable[["Session", "User | None", dict[str, Any]], dict[str, Any]] = _as_is
    # The agency that handles the case, when the SOP serves several (default: the SOP's own).
    agency: Callable[[dict[str, Any]], str | None] = _own_agency
    # Gives back what `prepare` took (reserved stock) when the case could not be started after all.
    undo: Callable[["Session", dict[str, Any]], None] = _nothing_to_undo


FREE = "Gratis (tidak dipungut biaya)"


@dataclass(frozen=True)
class ServiceStandard:
    """What an SOP publishes as its service standard (Permenpan RB 15/2014), in Indonesian, beside its
    definition. The procedure and each step's time come from the definition's steps, and the complaint
    channels from the agency (core.roles, ALUR_COMPLAINT_CHANNELS): neither is written here."""

    requirements: tuple[str, ...]  # persyaratan
    product: str  # produk pelayanan
    time: str  # the whole service's time standard, e.g. "2 hari kerja"
    cost: str = FREE  # biaya/tarif
    legal_basis: tuple[str, ...] = ()  # dasar hukum, when the SOP names it
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class SopModule:
    workflow: "type[SopWorkflow]"
    intake: Intake | None = None  # None: only other cases open it (a referral)
    # A module (dotted name) with `sop_activities(settings, engine) -> list`: the SOP's own activities,
    # built by the worker (named, not imported here: activities are not workflow code).
    activities: str | None = None
    # Modules (dotted names) with a `router`: the SOP's own JSON API routes (under /api/v1) and pages.
    # They are included before the generic ones, so an SOP's own page wins at the same address.
    api_routes: tuple[str, ...] = ()
    pages: tuple[str, ...] = ()
    # What the case's second participant (WORKFLOW.participant_from: an order's seller) sees of it: these
    # data keys and these document kinds; nothing else of the applicant.
    participant_data: tuple[str, ...] = ()
    # Steps whose decision data is for staff only (each curator's scores): applicants see that the step
    # was decided, not its data.
    staff_only_steps: tuple[str, ...] = ()
    participant_documents: tuple[str, ...] = ()
    start_page: str | None = None  # applicants start on a page of the SOP's own instead of the generic form
    # How the pages show case data that the workflow writes (no form names it): key -> label, and
    # key -> {stored id -> Indonesian name}.
    data_labels: dict[str, str] = field(default_factory=dict)
    value_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    standard: ServiceStandard | None = None  # the published service standard (persyaratan, waktu, ...)
    # Case data keys the public tracking page shows to whoever holds the tracking code (the applicant),
    # e.g. a complaint's written response. Nothing else of the case data is public.
    tracking_data: tuple[str, ...] = ()

    @property
    def definition(self) -> "SopDefinition":
        return self.workflow.definition

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def start_form(self) -> "type[Form] | None":
        return self.definition.start_form


class Registry:
    """The SOP modules and what is derived from them; `register` is the one place to add one."""

    def __init__(self, modules: tuple[SopModule, ...] = ()) -> None:
        self.modules: dict[str, SopModule] = {}
        for module in modules:
            self.register(module)

    def register(self, module: SopModule) -> None:
        if module.id in self.modules:
            raise ValueError(f"SOP {module.id!r} registered twice")
        self.modules[module.id] = module

    def unregister(self, sop: str) -> None:
        self.modules.pop(sop, None)

    @contextmanager
    def registered(self, module: SopModule) -> Iterator[SopModule]:
        """For tests: the SOP is known while the block runs."""
        self.register(module)
        try:
            yield module
        finally:
            self.unregister(module.id)

    def __getitem__(self, sop: str) -> SopModule:
        return self.modules[sop]

    def get(self, sop: str) -> SopModule | None:
        return self.modules.get(sop)

    def __iter__(self) -> Iterator[SopModule]:
        return iter(list(self.modules.values()))

    def definitions(self) -> "dict[str, SopDefinition]":
        return {m.id: m.definition for m in self}

    def workflows(self) -> "list[type[SopWorkflow]]":
        return [m.workflow for m in self]

    def intake(self, sop: str) -> Intake | None:
        module = self.modules.get(sop)
        return module.intake if module else None

    def startable(self) -> list[SopModule]:
        """The SOPs an applicant may start (not those only other cases open)."""
        return [m for m in self if m.intake is not None and m.start_form is not None]

    def activities(self, settings: "Settings", engine: "Engine") -> list[Callable[..., Any]]:
        return [activity for m in self if m.activities
                for activity in import_module(m.activities).sop_activities(settings, engine)]

    def api_routes(self) -> list[str]:
        return [name for m in self for name in m.api_routes]

    def pages(self) -> list[str]:
        return [name for m in self for name in m.pages]


class View(Mapping[str, Any]):
    """A live mapping over the registry (sop id -> what `pick` takes from its module; modules for which
    it gives None are left out), so that a module registered later is seen by every reader."""

    def __init__(self, registry: Registry, pick: Callable[[SopModule], Any]) -> None:
        self._registry, self._pick = registry, pick

    def _items(self) -> dict[str, Any]:
        picked = ((m.id, self._pick(m)) for m in self._registry)
        return {sop: value for sop, value in picked if value is not None}

    def __getitem__(self, sop: str) -> Any:
        module = self._registry.get(sop)
        value = self._pick(module) if module else None
        if value is None:
            raise KeyError(sop)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._items())

    def __len__(self) -> int:
        return len(self._items())
