"""Documents the system generates for a case: rendered (core.pdf), stored like uploads (core.documents)
and recorded as Document rows with the template and context they came from.

The stored name follows from the request's key (case + kind + round), so a retried activity or a
replayed workflow writes the same file and finds the same row instead of adding one. A stored file
that went missing is rendered again from its row (`restore`) when someone downloads it.
"""

import logging
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from core.db import session_scope
from core.documents import generated_name, store_as, stored_path
from core.messages import DocumentRequest, DocumentUpload, Person
from core.models_gallery import Document
from core.pdf import render_pdf

PDF = "application/pdf"
log = logging.getLogger(__name__)


def _upload(row: Document) -> DocumentUpload:
    return DocumentUpload(
        kind=row.kind, filename=row.filename, stored_name=row.stored_name, sha256=row.sha256, size=row.size,
        content_type=row.content_type, uploaded_by=Person(id=row.uploaded_by, name=row.uploaded_by_name),
        uploaded_at=row.uploaded_at,
    )


def _find(engine: Engine, stored_name: str) -> Document | None:
    with session_scope(engine) as session:
        return session.exec(select(Document).where(Document.stored_name == stored_name)).first()


def generate(upload_dir: Path, engine: Engine, request: DocumentRequest, by: Person) -> DocumentUpload:
    """Renders, stores and records the document once per key; returns what is recorded."""
    stored_name = generated_name(request.key)
    known = _find(engine, stored_name)
    if known is not None:  # a retry after the row was written: the file too, unless lost since
        restore(upload_dir, known)
        return _upload(known)
    content = render_pdf(request.template, request.context)
    stored = store_as(upload_dir, stored_name, content)
    row = Document(
        case_id=request.case_id, kind=request.kind, filename=request.filename, stored_name=stored_name,
        sha256=stored.sha256, size=stored.size, content_type=PDF, uploaded_by=by.id, uploaded_by_name=by.name,
        uploaded_at=request.at, template=request.template, context=request.context,
    )
    with session_scope(engine) as session:
        session.add(row)
        try:
            session.commit()
        except IntegrityError:  # a concurrent attempt recorded it first (same key, same bytes)
            session.rollback()
            row = session.exec(select(Document).where(Document.stored_name == stored_name)).one()
        return _upload(row)


def restore(upload_dir: Path, document: Document) -> bool:
    """Makes sure a generated document's file is there, rendering it again from its row when it is
    missing. False for an upload whose file is gone (nothing to render it from)."""
    path = stored_path(upload_dir, document.stored_name)
    if path.is_file():
        return True
    if not document.template:
        return False
    stored = store_as(upload_dir, document.stored_name, render_pdf(document.template, document.context or {}))
    if stored.sha256 != document.sha256:
        # The template changed since: the same data in today's layout. The row keeps the first digest.
        log.warning("document %s (%s) rendered again differs from its recorded digest",
                    document.stored_name, document.template)
    return True


def document_bytes(upload_dir: Path, engine: Engine, stored_name: str) -> bytes:
    """The stored file, rendered again first if it is a generated document that went missing."""
    path = stored_path(upload_dir, stored_name)
    if not path.is_file():
        row = _find(engine, stored_name)
        if row is None or not restore(upload_dir, row):
            raise FileNotFoundError(stored_name)
    return path.read_bytes()
