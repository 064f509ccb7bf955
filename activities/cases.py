"""Ids for cases that a workflow opens itself (linked cases, e.g. referrals)."""

import asyncio

from sqlalchemy.engine import Engine
from temporalio import activity

from core.cases import case_year, new_tracking_code, next_case_id
from core.messages import CaseIdRequest, CaseTicket, EngineActivity


class CaseActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=EngineActivity.ALLOCATE_CASE)
    async def allocate_case(self, request: CaseIdRequest) -> CaseTicket:
        """A fresh id from the counter; a retry only skips a number (the workflow starts the case)."""
        year = case_year(request.agency or None, request.at)
        case_id = await asyncio.to_thread(next_case_id, self.engine, request.sop, year)
        return CaseTicket(case_id=case_id, tracking_code=new_tracking_code())
