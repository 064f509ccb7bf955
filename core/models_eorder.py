"""Tables of the eorder SOPs: the SKPD Pembina list each agency keeps."""

from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col, select

from core.db import session_scope
from core.roles import AGENCIES


class Skpd(SQLModel, table=True):
    """A regional work unit (SKPD) a UMKM may choose as its Pembina in e-order."""

    __tablename__ = "eorder_skpd"
    code: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=200)
    agency: str = Field(index=True, max_length=30)


# Staff who belong to one SKPD (users.unit): they see and act only on its registrations and products.
SKPD_ROLES = ("satpel", "pjlp")


def staff_skpd(session: Session, role: str, agency: str | None, code: str | None) -> str | None:
    """The SKPD code a new staff member belongs to (`alur users add --skpd`): required for a Satpel or
    PJLP, refused for other roles and for a code not listed for the agency. ValueError: one line."""
    if role not in SKPD_ROLES:
        if code is not None:
            raise ValueError(f"--skpd is only for {' and '.join(SKPD_ROLES)} users")
        return None
    listed = ", ".join(s.code for s in skpd_list(session, agency or ""))
    if code is None:
        raise ValueError(f"a {role} belongs to one SKPD: give --skpd CODE (listed for {agency}: {listed or 'none'})")
    skpd = find_skpd(session, agency or "", code)
    if skpd is None:
        raise ValueError(f"unknown SKPD {code.strip()!r} for agency {agency}; listed: {listed or 'none'} "
                         "(add one with `alur skpd add`)")
    return skpd.code


def find_skpd(session: Session, agency: str, code: str) -> Skpd | None:
    skpd = session.get(Skpd, code.strip())
    return skpd if skpd is not None and skpd.agency == agency else None


def skpd_list(session: Session, agency: str) -> list[Skpd]:
    return list(session.exec(select(Skpd).where(Skpd.agency == agency).order_by(col(Skpd.code))))


def add_skpd(engine: Engine, *, code: str, name: str, agency: str) -> Skpd:
    """`alur skpd add`: refuses an unknown agency, an empty or long code, and a code already listed."""
    code, name = code.strip(), " ".join(name.split())
    if agency not in AGENCIES:
        raise ValueError(f"unknown agency {agency!r}; one of: {', '.join(AGENCIES)}")
    if not code or len(code) > 20 or not name or len(name) > 200:
        raise ValueError("code must have 1-20 characters and name 1-200")
    with session_scope(engine) as session:
        if session.get(Skpd, code) is not None:
            raise ValueError(f"SKPD {code} is already listed")
        skpd = Skpd(code=code, name=name, agency=agency)
        session.add(skpd)
        session.commit()
        return skpd
