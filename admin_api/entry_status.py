"""Publishing and archiving an entry: what citizens are served changes only here.

The row is the working copy editors change; ``published_version`` names the version served.
Each change of status is a version of its own, so history shows who published what and when.
"""

from __future__ import annotations

from sqlmodel import Session

from admin_api.audit import audit
from core.db.models import FaqEntryRecord
from core.faq_versions import save_version


def is_live(record: FaqEntryRecord) -> bool:
    """Whether citizens are served (some version of) this entry."""
    return record.status == "published" and record.published_version is not None


class NotPublishableError(ValueError):
    """The working copy lacks what every served answer must have."""

    def __init__(self, entry_id: str, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.entry_id, self.field = entry_id, field


def check_publishable(record: FaqEntryRecord) -> None:
    """Every answer citizens get cites its legal basis."""
    if not record.legal_basis:
        raise NotPublishableError(
            record.id, "legal_basis", "an answer is published only with its legal basis"
        )


def publish_entry(session: Session, record: FaqEntryRecord, actor: str) -> bool:
    """Serve the working copy; False when it is served already (nothing to do)."""
    if is_live(record) and record.published_version == record.version:
        return False
    check_publishable(record)
    record.status = "published"
    save_version(session, record, actor, "published")
    record.published_version = record.version
    audit(session, actor, "entry_published", record.id, version=record.version)
    return True


def archive_entry(session: Session, record: FaqEntryRecord, actor: str) -> bool:
    """Stop serving the entry (kept with its history); True when citizens were served it."""
    was_live = is_live(record)
    if record.status == "archived":
        return False
    record.status = "archived"
    save_version(session, record, actor, "archived")
    audit(session, actor, "entry_archived", record.id, version=record.version)
    return was_live
