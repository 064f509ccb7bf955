"""Accounts: creation (CLI, registration, tests), lookup, and unverified accounts that expire."""

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.db import session_scope
from core.identifiers import normalize_email
from core.messages import Person
from core.models import Case, CaseEvent, Task, User, utcnow
from core.models_jathil import JathilProduct
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
    return Person(id=user.id, name=user.name, role=user.role, agency=user.agency, email=user.email, unit=user.unit)


def holds_records(session: Session, user_id: int) -> bool:
    """Cases it applied for, products it sells, steps assigned to it or taken by it: such an account is
    never removed or handed to someone else."""
    queries = (select(Case.id).where(Case.applicant_id == user_id),
               select(JathilProduct.id).where(JathilProduct.seller_id == user_id),
               select(Task.id).where(Task.assignee_id == user_id),
               select(CaseEvent.id).where(CaseEvent.actor_id == user_id))
    return any(session.exec(query.limit(1)).first() is not None for query in queries)


Registered = Literal["new", "unverified", "verified"]


def register_unverified(engine: Engine, *, email: str, name: str, role: str, phone: str | None,
                        password_hash: str) -> tuple[Registered, User]:
    """An applicant's registration (the password already hashed: the caller does that work on every path).

    - a new e-mail: an unverified account ("new");
    - an unverified account: the newest registration wins ("unverified") — name, phone, role and password
      are replaced, its earlier verification links die (session_version) and its unverified days start
      again; so whoever registered an address first cannot keep the account from its owner. An account
      that already holds records (holds_records) is left as it is;
    - a verified account: left as it is ("verified").
    """
    email = normalize_email(email)
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None:
            user = User(email=email, name=name.strip(), role=role, phone=phone, password_hash=password_hash,
                        verified=False)
            session.add(user)
            try:
                session.commit()
            except IntegrityError:  # registered at the same moment by another request
                session.rollback()
                user = session.exec(select(User).where(User.email == email)).one()
                return ("verified" if user.verified else "unverified"), user
            session.refresh(user)
            return "new", user
        if user.verified:
            return "verified", user
        if user.active and not holds_records(session, user.id or 0):
            user.name, user.phone, user.role, user.password_hash = name.strip(), phone, role, password_hash
            user.session_version += 1
            user.created_at = utcnow()
            session.add(user)
            session.commit()
            session.refresh(user)
        return "unverified", user


def purge_unverified(engine: Engine, ttl_days: int, now: datetime | None = None) -> list[str]:
    """Removes the accounts not verified within `ttl_days` of registering, unless they hold records;
    returns their e-mails."""
    cutoff = (now or utcnow()) - timedelta(days=ttl_days)
    with session_scope(engine) as session:
        stale = session.exec(select(User).where(User.verified == False, col(User.created_at) < cutoff)).all()  # noqa: E712
        doomed = [user for user in stale if not holds_records(session, user.id or 0)]
        for user in doomed:
            session.delete(user)
        session.commit()
        return [user.email for user in doomed]
