"""Q&A pairs: search and filter, create drafts, update with optimistic concurrency, history,
diff and revert; publishing and archiving (publishers) rebuild the serving index."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, status
from sqlalchemy import and_, func, or_
from sqlmodel import col, select

from admin_api.audit import audit
from admin_api.deps import MAX_DB_INT, CurrentUser, Offset, SessionDep, app_service, requires
from admin_api.entries_model import (
    EntryCreate,
    EntryPage,
    EntryPublic,
    EntryUpdate,
    RevertRequest,
    StatusChange,
    VersionDiff,
    VersionPublic,
)
from admin_api.entry_checks import check_category, checked, entry_or_404, validated
from admin_api.entry_status import NotPublishableError, archive_entry, publish_entry
from admin_api.publishing import IndexPublisher
from admin_api.roles import Role
from core.db.models import FaqEntryRecord
from core.faq import FaqEntry
from core.faq_versions import (
    changed_fields,
    get_version,
    history,
    save_version,
)

router = APIRouter(prefix="/entries", tags=["entries"])
# Not archived, and the working copy is not the version served (or none is served yet).
PENDING = and_(
    col(FaqEntryRecord.status) != "archived",
    or_(
        col(FaqEntryRecord.published_version).is_(None),
        col(FaqEntryRecord.published_version) != col(FaqEntryRecord.version),
    ),
)
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"description": "the entry changed since base_version; the body names the current version"}
}


def get_publisher(request: Request) -> IndexPublisher:
    return app_service(request, "publisher", IndexPublisher)


PublisherDep = Annotated[IndexPublisher, Depends(get_publisher)]
EntryId = Annotated[str, Path(description="the entry's id", examples=["can-cuoc-cap-lai-khi-mat"])]


@router.get("", response_model=EntryPage, **requires(Role.VIEWER))
def list_entries(
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=200, description="text in the question or the id (case-insensitive)")
    ] = None,
    category: Annotated[
        str | None, Query(max_length=80, description="category id", examples=["can-cuoc"])
    ] = None,
    entry_status: Annotated[
        str | None,
        Query(
            alias="status", pattern="^(draft|published|archived)$", description="draft, published or archived"
        ),
    ] = None,
    updated_by: Annotated[
        str | None, Query(max_length=64, description="username of the last editor", examples=["bientap01"])
    ] = None,
    updated_since: Annotated[
        datetime | None,
        Query(description="last saved at or after this instant", examples=["2026-07-01T00:00:00+07:00"]),
    ] = None,
    pending: Annotated[
        bool | None, Query(description="true: only entries with changes not yet published")
    ] = None,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=200, description="rows returned")] = 50,
) -> dict[str, Any]:
    """Search and filter the working copies of the entries, by id, a page at a time."""
    where = []
    if q:
        pattern = f"%{q.strip().lower()}%"
        where.append(
            or_(
                func.lower(FaqEntryRecord.question).like(pattern), func.lower(FaqEntryRecord.id).like(pattern)
            )
        )
    if category:
        where.append(col(FaqEntryRecord.category) == category)
    if entry_status:
        where.append(col(FaqEntryRecord.status) == entry_status)
    if updated_by:
        where.append(col(FaqEntryRecord.updated_by) == updated_by)
    if updated_since:
        where.append(col(FaqEntryRecord.updated_at) >= updated_since)
    if pending is not None:
        where.append(PENDING if pending else ~PENDING)
    total = session.exec(select(func.count()).select_from(FaqEntryRecord).where(*where)).one()
    rows = session.exec(
        select(FaqEntryRecord).where(*where).order_by(col(FaqEntryRecord.id)).offset(offset).limit(limit)
    ).all()
    return {"items": rows, "total": total, "offset": offset, "limit": limit}


@router.get("/{entry_id}", response_model=EntryPublic, **requires(Role.VIEWER))
def get_entry(entry_id: EntryId, session: SessionDep) -> FaqEntryRecord:
    """One entry's working copy, with its status and the version citizens are served."""
    return entry_or_404(session, entry_id)


@router.post("", response_model=EntryPublic, status_code=201, **requires(Role.EDITOR))
def create_entry(body: EntryCreate, session: SessionDep, user: CurrentUser) -> FaqEntryRecord:
    """Create an entry as a draft (version 1); a publisher makes it live."""
    if session.get(FaqEntryRecord, body.id) is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, f"id: entry {body.id!r} exists")
    check_category(session, body.category)
    record = FaqEntryRecord(**body.model_dump(), status="draft")
    validated(record)
    save_version(session, record, user.username, "created")
    audit(session, user.username, "entry_create", body.id)
    session.commit()
    session.refresh(record)
    return record


@router.patch("/{entry_id}", response_model=EntryPublic, responses=CONFLICT, **requires(Role.EDITOR))
def update_entry(
    entry_id: EntryId, body: EntryUpdate, session: SessionDep, user: CurrentUser
) -> FaqEntryRecord:
    """Change the fields sent as a new version (409 if someone saved since base_version); a
    published entry keeps serving its published version until a publisher publishes again."""
    record = checked(session, entry_id, body.base_version)
    changes = body.model_dump(exclude_unset=True, exclude={"base_version"})
    if "category" in changes:
        check_category(session, changes["category"])
    for name, value in changes.items():
        setattr(record, name, value)
    validated(record)
    save_version(session, record, user.username, "edited: " + ", ".join(sorted(changes)))
    audit(session, user.username, "entry_update", entry_id, fields=sorted(changes))
    session.commit()
    session.refresh(record)
    return record


@router.post(
    "/{entry_id}/publish", response_model=EntryPublic, responses=CONFLICT, **requires(Role.PUBLISHER)
)
def publish(
    entry_id: EntryId, body: StatusChange, session: SessionDep, user: CurrentUser, publisher: PublisherDep
) -> FaqEntryRecord:
    """Serve the working copy of this entry to citizens: the index is rebuilt in the background
    (GET /index/status). Publishing an entry served as it stands changes nothing."""
    record = checked(session, entry_id, body.base_version)
    try:
        changed = publish_entry(session, record, user.username)
    except NotPublishableError as exc:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, {"field": exc.field, "message": str(exc)}
        ) from exc
    session.commit()
    session.refresh(record)
    if changed:
        publisher.request_build()
    return record


@router.post(
    "/{entry_id}/archive", response_model=EntryPublic, responses=CONFLICT, **requires(Role.PUBLISHER)
)
def archive(
    entry_id: EntryId, body: StatusChange, session: SessionDep, user: CurrentUser, publisher: PublisherDep
) -> FaqEntryRecord:
    """Stop serving this entry (kept with its history)."""
    record = checked(session, entry_id, body.base_version)
    was_live = archive_entry(session, record, user.username)
    session.commit()
    session.refresh(record)
    if was_live:
        publisher.request_build()
    return record


@router.get("/{entry_id}/versions", response_model=list[VersionPublic], **requires(Role.VIEWER))
def versions(entry_id: EntryId, session: SessionDep) -> list[Any]:
    """Every saved version of the entry, oldest first, with who saved it and a full snapshot."""
    entry_or_404(session, entry_id)
    return list(history(session, entry_id))


@router.get("/{entry_id}/diff", response_model=VersionDiff, **requires(Role.VIEWER))
def diff(
    entry_id: EntryId,
    session: SessionDep,
    from_version: Annotated[
        int, Query(alias="from", ge=1, le=MAX_DB_INT, description="the older version", examples=[2])
    ],
    to_version: Annotated[
        int, Query(alias="to", ge=1, le=MAX_DB_INT, description="the newer version", examples=[4])
    ],
) -> VersionDiff:
    """The fields that differ between two versions of the entry, each with its old and new value."""
    before, after = get_version(session, entry_id, from_version), get_version(session, entry_id, to_version)
    if before is None or after is None:
        missing = "from" if before is None else "to"
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{missing}: no such version of {entry_id}")
    changes = changed_fields(before.snapshot, after.snapshot)
    return VersionDiff(entry_id=entry_id, from_version=from_version, to_version=to_version, changes=changes)


@router.post("/{entry_id}/revert", response_model=EntryPublic, responses=CONFLICT, **requires(Role.EDITOR))
def revert(entry_id: EntryId, body: RevertRequest, session: SessionDep, user: CurrentUser) -> FaqEntryRecord:
    """Bring back the content of an earlier version as a new version (the status stays)."""
    record = checked(session, entry_id, body.base_version)
    old = get_version(session, entry_id, body.version)
    if old is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"version: no version {body.version} of {entry_id}")
    restored = FaqEntry.model_validate(old.snapshot)  # typed again (dates travel as text in JSON)
    for name in FaqEntry.model_fields:
        if name not in ("id", "status"):
            setattr(record, name, getattr(restored, name))
    save_version(session, record, user.username, f"reverted to version {body.version}")
    audit(session, user.username, "entry_revert", entry_id, version=body.version)
    session.commit()
    session.refresh(record)
    return record
