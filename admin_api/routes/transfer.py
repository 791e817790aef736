"""Export of the working copies and import of a whole file (CSV, Excel or JSON;
docs/IMPORT_FORMAT.md): all or nothing, with a dry run; imported changes wait for a publisher."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, Response, UploadFile, status
from pydantic import ConfigDict, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from admin_api import transfer
from admin_api.audit import audit
from admin_api.deps import CurrentUser, SessionDep, requires
from admin_api.entries_model import ENTRY_EXAMPLE
from admin_api.roles import Role
from admin_api.routes.entries import PENDING
from core import faq_store
from core.db.models import FaqCategoryRecord, FaqEntryRecord, utcnow
from core.faq import Category, FaqEntry
from core.faq_versions import ENTRY_FIELDS, StaleVersionError, snapshot

router = APIRouter(tags=["import and export"])
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
FormatQuery = Annotated[
    transfer.Format | None,
    Query(alias="format", description="csv, xlsx or json; by default the file name's extension"),
]


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.runtime.engine
    return engine


EngineDep = Annotated[Engine, Depends(get_engine)]
EXPORT_JSON_EXAMPLE: dict[str, Any] = {
    "categories": [
        {"id": "can-cuoc", "name": "Căn cước và định danh điện tử", "description": ""},
    ],
    "entries": [{"id": "can-cuoc-cap-lai-khi-mat", **ENTRY_EXAMPLE, "status": "published", "version": 4}],
}


class ImportResult(transfer.Plan):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "created": ["can-cuoc-cap-lai-khi-mat"],
                    "updated": [{"id": "can-cuoc-le-phi-cap-lai", "fields": ["answer", "legal_basis"]}],
                    "unchanged": 212,
                    "categories_created": [],
                    "dry_run": False,
                    "applied": True,
                    "awaiting_publication": ["can-cuoc-cap-lai-khi-mat", "can-cuoc-le-phi-cap-lai"],
                    "message": "saved as drafts: 2 entries wait for a publisher (POST /admin/api/publish) "
                    "before citizens are served them",
                }
            ]
        }
    )

    dry_run: bool
    applied: bool = Field(description="whether the changes were saved")
    awaiting_publication: list[str] = Field(
        description="entries whose saved changes now wait for a publisher (POST /publish)"
    )
    message: str


@router.get(
    "/export",
    response_class=Response,
    responses={
        200: {
            "description": "the file, as an attachment: CSV, XLSX (sheets entries and categories) or JSON",
            "content": {
                **{media: {} for media in transfer.MEDIA_TYPES.values()},
                transfer.MEDIA_TYPES["json"]: {"example": EXPORT_JSON_EXAMPLE},
            },
        }
    },
    **requires(Role.VIEWER),
)
def export(
    session: SessionDep,
    user: CurrentUser,
    file_format: Annotated[transfer.Format, Query(alias="format", description="file type")] = "xlsx",
    category: Annotated[
        str | None, Query(max_length=80, description="only this category's entries", examples=["can-cuoc"])
    ] = None,
    entry_status: Annotated[
        str | None,
        Query(
            alias="status", pattern="^(draft|published|archived)$", description="only entries in this status"
        ),
    ] = None,
) -> Response:
    """The working copies (what editors last saved, published or not) with their versions, and
    every category. The version column lets an import detect rows someone changed since."""
    where = []
    if category:
        where.append(col(FaqEntryRecord.category) == category)
    if entry_status:
        where.append(col(FaqEntryRecord.status) == entry_status)
    records = session.exec(select(FaqEntryRecord).where(*where).order_by(col(FaqEntryRecord.id))).all()
    entries = [transfer.Exported(_entry(r), r.version) for r in records]
    body = transfer.export(file_format, entries, _categories(session))
    detail = {"format": file_format, "category": category, "status": entry_status, "entries": len(entries)}
    audit(session, user.username, "export", file_format, **detail)
    session.commit()
    filename = f"hoidap-faq-{utcnow():%Y%m%d-%H%M}.{file_format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return Response(body, media_type=transfer.MEDIA_TYPES[file_format], headers=headers)


def _entry(record: FaqEntryRecord) -> FaqEntry:
    return FaqEntry.model_validate(record.model_dump(include=set(ENTRY_FIELDS)))


def _categories(session: Session) -> list[Category]:
    records = session.exec(select(FaqCategoryRecord).order_by(col(FaqCategoryRecord.id))).all()
    return [Category.model_validate(c.model_dump()) for c in records]


@router.post(
    "/import",
    response_model=ImportResult,
    responses={
        413: {"description": f"the file is larger than {MAX_UPLOAD_BYTES // 2**20} MiB"},
        422: {
            "description": 'the file is unreadable, or has problems: {"detail": {"field": "file", '
            '"problems": [{"row", "column", "message", "sheet"}]}}; nothing was saved'
        },
    },
    **requires(Role.EDITOR),
)
def import_file(
    file: Annotated[UploadFile, File(description="a file as GET /export writes it")],
    session: SessionDep,
    user: CurrentUser,
    engine: EngineDep,
    file_format: FormatQuery = None,
    dry_run: Annotated[bool, Query(description="check and show the plan; save nothing")] = False,
) -> ImportResult:
    """Check the whole file, then save all of it or nothing. New entries become drafts; changes
    to existing entries keep their status and wait for a publisher."""
    fmt = _format_of(file, file_format)
    upload = _parse(fmt, _read_limited(file))
    current = _current(session)
    checked = transfer.check(upload, current)
    target = file.filename or fmt
    if checked.problems:
        audit(
            session,
            user.username,
            "import",
            target,
            format=fmt,
            dry_run=dry_run,
            problems=len(checked.problems),
        )
        session.commit()
        raise _refused(checked.problems)
    plan = transfer.make_plan(checked, current)
    # End the read transaction: the save runs in its own, and SQLite would keep showing this
    # session the state before it.
    session.rollback()
    applied = not dry_run and bool(plan.created or plan.updated or plan.categories_created)
    if applied:
        entries = transfer.to_save(checked, plan)
        versions = {e.id: current.entries[e.id].version if e.id in current.entries else None for e in entries}
        try:
            faq_store.save(
                engine, checked.categories, entries, user.username, publish=False, expected_versions=versions
            )
        except StaleVersionError as exc:  # saved by someone between the check and the save
            detail = {"field": "file", "message": f"{exc}: changed during the import; import again"}
            raise HTTPException(status.HTTP_409_CONFLICT, detail) from exc
    awaiting = _awaiting(session, [*plan.created, *(u.id for u in plan.updated)]) if applied else []
    counts = {"created": len(plan.created), "updated": len(plan.updated), "unchanged": plan.unchanged}
    audit(session, user.username, "import", target, format=fmt, dry_run=dry_run, **counts)
    session.commit()
    return ImportResult(
        **plan.model_dump(),
        dry_run=dry_run,
        applied=applied,
        awaiting_publication=awaiting,
        message=_summary(dry_run, applied, awaiting),
    )


def _format_of(file: UploadFile, given: transfer.Format | None) -> transfer.Format:
    if given is not None:
        return given
    suffix = PurePath(file.filename or "").suffix.lower().lstrip(".")
    if suffix in transfer.FORMAT_BY_SUFFIX:
        return transfer.FORMAT_BY_SUFFIX[suffix]
    message = "give format=csv|xlsx|json, or a file name ending in .csv, .xlsx or .json"
    raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, {"field": "format", "message": message})


def _read_limited(file: UploadFile) -> bytes:
    # Starlette has spooled the upload already; the limit bounds what is parsed and held in memory.
    # (A reverse proxy's body limit is what stops a huge upload at the door.)
    data = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        message = f"larger than {MAX_UPLOAD_BYTES // 2**20} MiB: split the file"
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, {"field": "file", "message": message})
    return data


def _parse(fmt: transfer.Format, data: bytes) -> transfer.Upload:
    try:
        return transfer.read(fmt, data)
    except transfer.UnreadableFile as exc:
        detail = {"field": "file", "message": f"{exc} (format {fmt})"}
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail) from exc


def _current(session: Session) -> transfer.Current:
    records = session.exec(select(FaqEntryRecord)).all()
    categories = session.exec(select(FaqCategoryRecord.id)).all()
    return transfer.Current(
        entries={r.id: transfer.Stored(r.version, snapshot(r)) for r in records},
        categories=set(categories),
    )


def _refused(problems: list[transfer.Problem]) -> HTTPException:
    detail: dict[str, Any] = {
        "field": "file",
        "message": f"{len(problems)} problem(s): nothing was imported",
        "problems": [p.model_dump() for p in problems],
    }
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail)


def _awaiting(session: Session, ids: list[str]) -> list[str]:
    """Of the entries just saved, those not served as they now stand (archived ones are not served)."""
    if not ids:
        return []
    statement = select(FaqEntryRecord.id).where(col(FaqEntryRecord.id).in_(ids), PENDING)
    return sorted(session.exec(statement).all())


def _summary(dry_run: bool, applied: bool, awaiting: list[str]) -> str:
    if dry_run:
        return "dry run: nothing was saved"
    if not applied:
        return "nothing to change"
    return (
        f"saved as drafts: {len(awaiting)} entries wait for a publisher (POST /admin/api/publish) "
        "before citizens are served them"
    )
