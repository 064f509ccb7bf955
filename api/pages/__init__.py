"""Server-rendered pages (Indonesian UI). One router: every page module is included here.

Another SOP's pages: a module `api/pages/<name>.py` with `router = page_router()` whose handlers take
`PageUser`/`StaffPage`/`OptionalUser`, `CheckedForm` for POSTs, and answer with `render(...)` (templates
in templates/web extending base.html) or `redirect(...)`; list the module in PAGE_MODULES below.
Its start form's fields go in `FORM_FIELDS`, a step that takes form data in `STEP_FORMS` (api.pages.fields),
and a step decided on a page of its own in `STEP_PAGES`: the case page then links there instead of a form.
"""

from fastapi import APIRouter

# The shared layer first, so page modules may import it from here.
from api.pages.fields import FORM_FIELDS, STEP_FORMS, STEP_PAGES, FormField, field_messages, read_values, submitted
from api.pages.web import (
    CheckedForm, OptionalUser, PageUser, StaffPage, db, page_router, redirect, render, settings_of,
)
from api.pages import account, cases, eorder, gallery, home, public  # noqa: E402 (after the shared layer)

# In this order: a module whose route replaces a generic one comes before it (gallery's start form with
# its documents answers /layanan/gallery-curation/ajukan before home's /layanan/{sop}/ajukan).
PAGE_MODULES = (account, gallery, home, cases, public, eorder)

router = APIRouter()
for _module in PAGE_MODULES:
    router.include_router(_module.router)

__all__ = [
    "FORM_FIELDS", "STEP_FORMS", "STEP_PAGES", "CheckedForm", "FormField", "OptionalUser", "PageUser", "StaffPage",
    "db", "field_messages", "page_router", "read_values", "redirect", "render", "router", "settings_of", "submitted",
]
