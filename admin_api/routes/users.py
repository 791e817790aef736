"""Staff accounts: admins only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, status
from sqlmodel import col, select

from admin_api.audit import audit
from admin_api.deps import CurrentUser, SessionDep, requires, row_id
from admin_api.roles import Role
from admin_api.security import hash_password
from admin_api.users import UsernameTakenError, add_user
from admin_api.users_model import UserCreate, UserPublic, UserUpdate
from core.db.models import StaffUser

router = APIRouter(prefix="/users", tags=["users"])
UserId = Annotated[int, row_id("the account's id, as GET /users shows it")]


@router.get("", response_model=list[UserPublic], **requires(Role.ADMIN))
def list_users(session: SessionDep) -> list[StaffUser]:
    """Every staff account, by username (password hashes are never shown)."""
    return list(session.exec(select(StaffUser).order_by(col(StaffUser.username))).all())


@router.post("", response_model=UserPublic, status_code=201, **requires(Role.ADMIN))
def create(body: UserCreate, session: SessionDep, user: CurrentUser) -> StaffUser:
    """Open a staff account with a role and an initial password (409 if the username is taken)."""
    try:
        return add_user(session, body, user.username)
    except UsernameTakenError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"username: {exc}") from exc


@router.patch("/{user_id}", response_model=UserPublic, **requires(Role.ADMIN))
def update(user_id: UserId, body: UserUpdate, session: SessionDep, user: CurrentUser) -> StaffUser:
    """Change an account's name, role, password or active flag; admins cannot demote themselves."""
    target = session.get(StaffUser, user_id)
    if target is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "user_id: no such user")
    changes = body.model_dump(exclude_unset=True)
    if target.id == user.id and (
        changes.get("active") is False or changes.get("role", Role.ADMIN) != Role.ADMIN
    ):
        raise HTTPException(status.HTTP_409_CONFLICT, "an admin cannot demote or disable themselves")
    if "password" in changes:
        target.password_hash = hash_password(changes.pop("password"))
    for name, value in changes.items():
        setattr(target, name, str(value) if name == "role" else value)
    session.add(target)
    audit(
        session,
        user.username,
        "user_update",
        target.username,
        fields=sorted(body.model_dump(exclude_unset=True)),
    )
    session.commit()
    session.refresh(target)
    return target
