"""Creating staff accounts, shared by the API and `hoidap user create`."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from admin_api.audit import audit
from admin_api.security import hash_password
from admin_api.users_model import UserCreate
from core.db.models import StaffUser


class UsernameTakenError(ValueError):
    pass


def add_user(session: Session, data: UserCreate, actor: str) -> StaffUser:
    user = StaffUser(
        username=data.username,
        full_name=data.full_name,
        role=str(data.role),
        password_hash=hash_password(data.password),
    )
    session.add(user)
    audit(session, actor, "user_create", data.username, role=str(data.role))
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise UsernameTakenError(f"username {data.username!r} is taken") from exc
    session.refresh(user)
    return user


def create_user(engine: Engine, data: UserCreate, actor: str = "cli") -> StaffUser:
    with Session(engine) as session:
        return add_user(session, data, actor)
