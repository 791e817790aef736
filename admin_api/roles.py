"""Staff roles, each including the rights of the ones before it."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    VIEWER = "viewer"  # reads content, logs and reports
    EDITOR = "editor"  # changes drafts
    PUBLISHER = "publisher"  # publishes and archives
    ADMIN = "admin"  # manages accounts and settings; reads the audit log

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank
