"""Accounts: creation (CLI, registration, tests) and lookup."""

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.db import session_scope
from core.identifiers import normalize_email
from core.messages import Person
from core.models import User
from core.roles import check_role_agency, is_staff
from core.security import hash_password


class UserExists(ValueError):
    pass


def create_user(
    engine: Engine, *, email: str, name: str, role: str, password: str, agency: str | None = None,
    phone: str | None = None, verified: bool = True, unit: str | None = None,
) -> User:
    """`unit`: the unit inside the agency the staff member belongs to (checked by the caller, e.g. the
    SKPD list for `alur users add --skpd`)."""
    check_role_agency(role, agency)
    if unit is not None and not is_staff(role):
        raise ValueError("applicants (umkm, pembeli) belong to no unit")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    email = normalize_email(email)
    with session_scope(engine) as session:
        if session.exec(select(User).where(User.email == email)).first():
            raise UserExists(f"e-mail {email} is already registered")
        user = User(email=email, name=name.strip(), role=role, agency=agency, phone=phone, unit=unit,
                    password_hash=hash_password(password), verified=verified)
        session.add(user)
        session.commit()
        session.refresh(user)
        return user


def find_user(engine: Engine, email: str) -> User | None:
    with session_scope(engine) as session:
        return session.exec(select(User).where(User.email == email.strip().lower())).first()


def find_staff(session: Session, agency: str, role: str, ref: object, unit: str | None = None) -> User | None:
    """A staff member named by user id or e-mail, only if they hold `role` in `agency` (and, for a case
    of a unit, belong to that unit or to none)."""
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdecimal()):
        user = session.get(User, int(ref))
    elif isinstance(ref, str) and ref.strip():
        user = session.exec(select(User).where(User.email == ref.strip().lower())).first()
    else:
        return None
    if user is None or user.role != role or user.agency != agency:
        return None
    return user if unit is None or user.unit in (None, unit) else None


def person(user: User) -> Person:
    return Person(id=user.id, name=user.name, role=user.role, agency=user.agency, email=user.email)
