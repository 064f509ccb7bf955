"""The engine's generate_document activity: a PDF from templates/documents/, stored and recorded once per key
(core.generated)."""

import asyncio

from sqlalchemy.engine import Engine
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.config import Settings
from core.generated import generate
from core.messages import SYSTEM, DocumentRequest, DocumentUpload, EngineActivity


class GeneratedDocumentActivities:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine

    @activity.defn(name=EngineActivity.GENERATE_DOCUMENT)
    async def generate_document(self, request: DocumentRequest) -> DocumentUpload:
        from jinja2 import TemplateNotFound

        try:
            return await asyncio.to_thread(generate, self.settings.upload_dir, self.engine, request, SYSTEM)
        except TemplateNotFound as missing:  # no retry brings a template file into being
            raise ApplicationError(f"unknown document template {missing.name!r}", non_retryable=True) from None
