"""coaching side effects: the request letter's number in the agency's agenda (core.models_agenda)."""

from typing import Any

from anyio import to_thread
from sqlalchemy.engine import Engine
from temporalio import activity

from core.cases import case_year
from core.config import Settings
from core.models_agenda import register_letter
from workflows.coaching import REGISTER_LETTER, AgendaNumber, AgendaRequest


class AgendaActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=REGISTER_LETTER)
    async def register_letter(self, request: AgendaRequest) -> AgendaNumber:
        """The case's agenda number: the next of its agency's year, or the one a retry drew before."""
        year = case_year(request.agency, request.at)
        agenda = await to_thread.run_sync(register_letter, self.engine, request.agency, year, request.case_id,
                                          request.at)
        return AgendaNumber(number=agenda.number, year=agenda.year, text=agenda.text)


def sop_activities(settings: Settings, engine: Engine) -> list[Any]:
    """coaching's activities, for the worker (workflows.coaching names this module)."""
    return [AgendaActivities(engine).register_letter]
