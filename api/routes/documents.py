from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool

from api import service
from api.deps import CurrentUser, EngineDep, SessionDep, SettingsDep, TemporalClientDep
from api.documents import single_upload
from api.paging import RowId
from api.service import add_document, document_file
from api.views import DocumentView, document_view
from core.models_gallery import Document

router = APIRouter(tags=["documents"])
UPLOAD_DOC = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["kind", "file"],
    "properties": {"kind": {"type": "string"}, "file": {"type": "string", "format": "binary"}},
}}}}}


@router.get("/cases/{case_id}/documents", response_model=list[DocumentView])
def list_documents(*, case_id: str, session: SessionDep, user: CurrentUser) -> list[DocumentView]:
    case = service.visible_case(session, user, case_id)
    rows = session.exec(select(Document).where(Document.case_id == case_id).order_by(col(Document.id)))
    return [document_view(d, case.sop) for d in rows]


@router.post("/cases/{case_id}/documents", response_model=DocumentView, status_code=201, openapi_extra=UPLOAD_DOC)
async def upload(*, case_id: str, request: Request, user: CurrentUser, client: TemporalClientDep,
                 settings: SettingsDep, engine: EngineDep) -> DocumentView:
    """PDF, JPEG or PNG (detected from the content) up to ALUR_MAX_UPLOAD_BYTES; 422 stores nothing."""
    await run_in_threadpool(service.with_session, engine, service.visible_case, user, case_id)  # 404 before the body
    return await add_document(client, settings, engine, user, case_id, await single_upload(request, settings))


@router.get("/cases/{case_id}/documents/{document_id}", response_class=FileResponse)
def download(*, case_id: str, document_id: RowId, session: SessionDep, user: CurrentUser,
             settings: SettingsDep) -> FileResponse:
    """Only the case's applicant and its agency's staff; always an attachment, never shown inline."""
    return document_file(session, settings, user, case_id, document_id)
