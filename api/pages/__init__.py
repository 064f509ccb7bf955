"""Server-rendered pages (Indonesian UI).

The generic pages (accounts, home and start forms, cases and inbox, public tracking) are listed here;
an SOP's own pages are a module `api/pages/<name>.py` with `router = page_router()`, named in its
SopModule's `pages`, and included before these (so its page wins at an address a generic one also
serves). Handlers take `PageUser`/`StaffPage`/`OptionalUser`, `CheckedForm` for POSTs, and answer with
`render(...)` (templates in templates/web extending base.html) or `redirect(...)`. Form fields come from
the SOP's forms (api.pages.fields); a step decided on a page of its own names it in `StepDef.page`.
"""

from api.pages import account, cases, dashboard, home, intake, public, survey

GENERIC_ROUTERS = (account.router, home.router, cases.router, intake.router, public.router, survey.router,
                   dashboard.router)
