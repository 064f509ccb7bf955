"""Accounts: creation (CLI, registration, tests) and lookup."""

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.db import session_scope
from core.identifiers import normalize_email
from core.messages import Person
from core.models import User
from core.roles import check_role_agency
from core.security import hash_password


class UserExists(ValueError):
    pass


def create_user(
    engine: Engine, *, email: str, name: str, role: str, password: str, agency: str | None = None,
    phone: str | None = None, verified: bool = True,
) -> User:
    check_role_agency(role, agency)
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    email = normalize_email(email)
    with session_scope(engine) as session:
        if session.exec(select(User).where(User.email == email)).first():
            raise UserExists(f"e-mail {email} is already registered")
        user = User(email=email, name=name.strip(), role=role, agency=agency, phone=phone,
                    password_hash=hash_password(password), verified=verified)
        session.add(user)
        session.commit()
        session.refresh(user)
        return user


def find_user(engine: Engine, email: str) -> User | None:
    with session_scope(engine) as session:
        return session.exec(select(User).where(User.email == email.strip().lower())).first()


def find_staff(session: Session, agency: str, role: str, ref: object) -> User | None:
    """A staff member named by user id or e-mail, only if they hold `role` in `agency`."""
    if isinstance(ref, bool):
        return None
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdecimal()):
        user = session.get(User, int(ref))
    elif isinstance(ref, str) and ref.strip():
        user = session.exec(select(User).where(User.email == ref.strip().lower())).first()
    else:
        return None
    return user if user is not None and user.role == role and user.agency == agency else None


def person(user: User) -> Person:
    return Person(id=user.id, name=user.name, role=user.role, agency=user.agency, email=user.email)
