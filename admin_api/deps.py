"""Dependencies of the staff routes: settings, a database session, the signed-in staff member,
and the role a route requires (declared once per route with ``requires``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Path, Query, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import Field
from sqlmodel import Session, select

from admin_api.roles import Role
from admin_api.security import InvalidTokenError, read_token
from core.app_state import one_per_app
from core.db.models import StaffUser
from core.runtime import Runtime
from core.settings import Settings

# PostgreSQL's integer: a larger id, version or offset is refused with 422, not sent to the database.
MAX_DB_INT = 2**31 - 1
Version = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
Offset = Annotated[int, Query(ge=0, le=MAX_DB_INT, description="rows skipped")]


def row_id(description: str) -> Any:
    """A row id in the path (PostgreSQL's integer), described for the OpenAPI document; use as
    ``Annotated[int, row_id("…")]``."""
    return Path(ge=1, le=MAX_DB_INT, description=description, examples=[7])


_bearer = HTTPBearer(auto_error=False, description="an access token from POST /admin/api/login")
ROLE_KEY = "x-required-role"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.runtime.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.runtime.engine) as session:
        yield session


T = TypeVar("T")


def app_service(request: Request, name: str, make: Callable[[Runtime], T]) -> T:
    """The app's one ``name`` object, made on first use from the runtime."""
    state = request.app.state
    return one_per_app(state, name, lambda: make(state.runtime))


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"})


def current_user(
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffUser:
    if credentials is None:
        raise _unauthorized("Authorization: a Bearer token is required")
    try:
        username = read_token(credentials.credentials, settings.admin_secret_key.get_secret_value())
    except InvalidTokenError as exc:
        raise _unauthorized("Authorization: the token is invalid or expired") from exc
    user = session.exec(select(StaffUser).where(StaffUser.username == username)).first()
    if user is None or not user.active:
        raise _unauthorized("Authorization: the account is disabled or gone")
    return user


def requires(role: Role) -> dict[str, Any]:
    """Route keyword arguments: the role check, and the role written into the OpenAPI schema
    (the route-matrix test reads it back)."""

    def check(user: Annotated[StaffUser, Depends(current_user)]) -> StaffUser:
        if not Role(user.role).includes(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"role: {role} or higher is required")
        return user

    return {"dependencies": [Depends(check)], "openapi_extra": {ROLE_KEY: str(role)}}


CurrentUser = Annotated[StaffUser, Depends(current_user)]
