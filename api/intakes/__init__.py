"""How each SOP takes a new case: its form, who may apply, and checks against existing records.

One module per SOP; the API's start endpoint and the applicant's pages both use INTAKES.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from core.forms import Form
from core.models import User


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


@dataclass(frozen=True)
class Intake:
    sop: str
    form: type[Form]
    roles: tuple[str, ...] = ("umkm",)
    title: Callable[[dict[str, Any]], str] = lambda data: ""
    # Whether this account may apply at all (one active case per account, a prerequisite case...),
    # checked before the form so that a refusal is not hidden behind field errors; raises IntakeRefused.
    eligible: Callable[[Session, User], None] = lambda session, user: None
    # Checks of the form against existing records (a code from a list...) and
    # what they add to the case data; raises IntakeRefused. Gets the validated form data.
    prepare: Callable[[Session, User, dict[str, Any]], dict[str, Any]] = lambda session, user, data: data
    # The agency that handles the case, when the SOP serves several (default: the SOP's own).
    agency: Callable[[dict[str, Any]], str | None] = lambda data: None


def registry() -> dict[str, Intake]:
    from api.intakes import eorder_product, eorder_vendor, gallery_curation, jathil_vendor

    return {i.sop: i for i in (jathil_vendor.INTAKE, eorder_vendor.INTAKE, eorder_product.INTAKE,
                               gallery_curation.INTAKE)}


INTAKES = registry()
