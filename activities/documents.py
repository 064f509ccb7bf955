"""Document rows of a case, written when its workflow accepts an upload (the file is already stored)."""

import asyncio

from sqlalchemy.engine import Engine
from sqlmodel import col, select
from temporalio import activity

from core.db import session_scope
from core.messages import CaseDocuments, DocumentUpload, EngineActivity
from core.models_gallery import Document


def _row(case_id: str, upload: DocumentUpload) -> Document:
    return Document(
        case_id=case_id, kind=upload.kind, filename=upload.filename, stored_name=upload.stored_name,
        sha256=upload.sha256, size=upload.size, content_type=upload.content_type,
        uploaded_by=upload.uploaded_by.id, uploaded_by_name=upload.uploaded_by.name, uploaded_at=upload.uploaded_at,
    )


def write_documents(engine: Engine, batch: CaseDocuments) -> None:
    """Idempotent: a stored name is recorded once, however often the activity is retried."""
    names = [u.stored_name for u in batch.documents]
    with session_scope(engine) as session:
        known = set(session.exec(select(Document.stored_name).where(col(Document.stored_name).in_(names))).all())
        session.add_all(_row(batch.case_id, u) for u in batch.documents if u.stored_name not in known)
        session.commit()


class DocumentActivities:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @activity.defn(name=EngineActivity.RECORD_DOCUMENTS)
    async def record_documents(self, batch: CaseDocuments) -> None:
        await asyncio.to_thread(write_documents, self.engine, batch)
