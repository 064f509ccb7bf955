"""JATHIL MART money: the ledger of every order's postings, for the main administrator of Ponorogo."""

import csv
import io
from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import CurrentUser, SessionDep
from core.ledger import entries, totals
from core.models import User
from workflows.jathil_order import DEFINITION

router = APIRouter(prefix="/jathil", tags=["jathil"])
LEDGER_ROLE = "admin_utama"


class LedgerEntryOut(BaseModel):
    case_id: str
    account: str
    debit: int
    credit: int
    key: str
    at: datetime


class LedgerOut(BaseModel):
    entries: list[LedgerEntryOut]
    totals: dict[str, int]  # per account, debits minus credits; they sum to zero


def require_ledger_reader(user: User) -> None:
    if user.role != LEDGER_ROLE or user.agency != DEFINITION.agency:
        raise HTTPException(403, "Buku besar hanya untuk Administrator Utama JATHIL MART")


def ledger(session: SessionDep, case_id: str | None) -> LedgerOut:
    rows = [LedgerEntryOut.model_validate(e, from_attributes=True) for e in entries(session, case_id)]
    return LedgerOut(entries=rows, totals=totals(session, case_id))


@router.get("/ledger", response_model=LedgerOut, responses={200: {"content": {"text/csv": {}}}})
def read_ledger(*, session: SessionDep, user: CurrentUser, case_id: str | None = Query(None, max_length=60),
                format: Literal["json", "csv"] = "json") -> LedgerOut | Response:
    """Every posting as two entries (debit and credit) with its idempotency key; `?format=csv` exports."""
    require_ledger_reader(user)
    found = ledger(session, case_id)
    return found if format == "json" else csv_response(found.entries)


def csv_response(rows: list[LedgerEntryOut]) -> Response:
    """The entries as a CSV download (the API's `?format=csv` and the ledger page's link)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["case_id", "account", "debit", "credit", "key", "at"])
    writer.writerows([e.case_id, e.account, e.debit, e.credit, e.key, e.at.isoformat()] for e in rows)
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="buku-besar-jathil.csv"'})
