"""POST /login: a staff member's name and password for an access token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from admin_api.audit import audit
from admin_api.deps import CurrentUser, SessionDep, SettingsDep, app_service, requires
from admin_api.login_throttle import LoginThrottle
from admin_api.roles import Role
from admin_api.security import create_token, verify_password
from admin_api.users_model import UserPublic
from core.db.models import StaffUser

router = APIRouter(tags=["login"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64, examples=["bientap01"])
    password: str = Field(min_length=1, max_length=256, examples=["một mật khẩu dài"])


class Token(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
                    ".eyJzdWIiOiJiaWVudGFwMDEiLCJleHAiOjE3ODM4MzU0MTV9.c2lnbmF0dXJl",
                    "token_type": "bearer",
                    "expires_in": 28800,
                    "role": "editor",
                }
            ]
        }
    )

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds")
    role: Role


def get_throttle(request: Request) -> LoginThrottle:
    return app_service(
        request, "login_throttle", lambda runtime: LoginThrottle(runtime.settings.admin_login_rate)
    )


@router.post(
    "/login",
    response_model=Token,
    responses={
        401: {"description": "wrong name or password"},
        429: {"description": "too many failed logins"},
    },
)
def login(
    body: LoginRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    throttle: Annotated[LoginThrottle, Depends(get_throttle)],
) -> Token:
    """Exchange a staff member's username and password for a Bearer token carrying their role."""
    address = request.client.host if request.client else "unknown"
    if throttle.locked(body.username, address):
        retry = str(throttle.retry_after_seconds())
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, "too many failed logins", {"Retry-After": retry}
        )
    user = session.exec(select(StaffUser).where(StaffUser.username == body.username)).first()
    if (
        not verify_password(body.password, user.password_hash if user else None)
        or user is None
        or not user.active
    ):
        throttle.failed(body.username, address)
        audit(session, body.username[:64], "login_failed", address=address)
        session.commit()
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "username or password is wrong")
    audit(session, user.username, "login", address=address)
    session.commit()
    minutes = settings.admin_token_minutes
    token = create_token(
        user.username, Role(user.role), settings.admin_secret_key.get_secret_value(), minutes
    )
    return Token(access_token=token, expires_in=minutes * 60, role=Role(user.role))


@router.get("/me", response_model=UserPublic, **requires(Role.VIEWER))
def me(user: CurrentUser) -> StaffUser:
    """The signed-in staff member's own account (name and role), e.g. to shape the UI."""
    return user
