"""Where the Zalo OA token pair lives: the database, so every worker shares one pair and a
rotated (single-use) refresh token is never lost with a process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db.models import ZaloToken, utcnow

ROW_ID = 1


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str

    def __repr__(self) -> str:  # tokens never reach a log through a repr
        return "TokenPair(access_token=…, refresh_token=…)"


class TokenStore(Protocol):
    def load(self) -> TokenPair | None: ...

    def save(self, pair: TokenPair) -> None: ...


class DatabaseTokenStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def load(self) -> TokenPair | None:
        with Session(self.engine) as session:
            row = session.get(ZaloToken, ROW_ID)
            return TokenPair(row.access_token, row.refresh_token) if row is not None else None

    def save(self, pair: TokenPair) -> None:
        with Session(self.engine) as session:
            row = session.get(ZaloToken, ROW_ID) or ZaloToken(
                id=ROW_ID, access_token=pair.access_token, refresh_token=pair.refresh_token
            )
            row.access_token, row.refresh_token, row.updated_at = (
                pair.access_token,
                pair.refresh_token,
                utcnow(),
            )
            session.add(row)
            session.commit()
