"""The national catalog of administrative procedures: reading, cleaning and procedure cards.

Records follow the format of the national public-service portal's procedure pages
(see ../shared/README.md): long fields whose tables were flattened to text. We keep
what a citizen needs on a card — who handles it, at which level, time limit and fee
per channel, the first documents to bring, the official link — and say clearly
that it comes from the national catalog, not from our curated answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError, field_validator

from core.faq import CATALOG_ID_PREFIX, FaqEntry, FaqFormatError, Level, read_jsonl

CARD_LABEL = "Thông tin từ Cơ sở dữ liệu quốc gia về thủ tục hành chính"
MAX_DOCUMENTS = 5
_SPACES = re.compile(r"\s+")
_CHANNEL = re.compile(
    r"(Trực tuyến|Trực tiếp|Dịch vụ bưu chính)\s*"
    r"(?P<time>\d+(?:[.,]\d+)?\s*(?:Ngày làm việc|Ngày|Giờ làm việc|Giờ|Tháng|Năm)?)?\s*"
    r"(?P<fee>Miễn phí|Không|[\d.,]+\s*Việt Nam Đồng)?"
)
_DOCUMENT = re.compile(r"(.+?)(\d+\s*bản\s*(?:chính|sao)(?:\s*,\s*\d+\s*bản\s*(?:chính|sao))*)")
# Attached form files glued to the text: "…TT-BCA).1.MuCT01.doc1 bản chính", "theo quy
# địnhMauon (2).docx", "…Bộ Công an.NA5 (1).doc", "bảo hiểm y tếMau01-ĐN(BHYT) (1).doc". Names glued
# after punctuation or at a capital after a lowercase letter go first, so the word before stays
# ("tế", not "tếMau01…"); then names after a space, which may not hold a dot ("an.NA5" is not one).
_LOWER = "".join(sorted({c for c in map(chr, [*range(0x61, 0x250), *range(0x1E00, 0x1F00)]) if c.islower()}))
_FILE_TAIL = r"(?:\([^()\s]*\))?(?:\s?\(\d+\))?\.(?i:docx?|pdf|xlsx?|rar|zip)(?=\d|\s|\)|$)"
# "…NĐ-CPMau04.docx": after a capital only a form's usual name ("Mau04", "Mus03a", "MuCT01") is cut.
_GLUED_START = rf"(?<=[.;,:)])|(?<=[{_LOWER}])(?=[A-Z])|(?<=[A-Z])(?=M(?:au|us|u)[0-9A-Z])"
_GLUED_FILE = re.compile(rf"(?:{_GLUED_START})[A-Za-z0-9][\w.,\-]*?{_FILE_TAIL}")
_SPACED_FILE = re.compile(rf"(?:(?<=\s)|^)[^\W_][\w,\-]*?{_FILE_TAIL}")
_TABLE_HEADER = "Tên giấy tờMẫu đơn, tờ khaiSố lượng"
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{1,40}$")
# The portal names variants of one procedure "<procedure> trong trường hợp / đối với <case>".
_CASE_MARKER = re.compile(r"\s+(?:trong trường hợp|trường hợp|đối với)\s+", re.IGNORECASE)
_GENERIC_BASES = {"thủ tục"}  # "Thủ tục đối với …" names the goods, not one procedure's case


def clean_text(text: str) -> str:
    return _SPACES.sub(" ", text or "").strip()


class Procedure(BaseModel):
    """One catalog record, cleaned."""

    code: str
    name: str
    field: str = ""
    level: str = ""
    agency: str = ""
    channels: str = ""  # raw "cách thức thực hiện"
    documents: str = ""  # raw "thành phần hồ sơ"
    legal_basis: str = ""
    url: str = ""

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _CODE.match(value):
            raise ValueError(f"invalid procedure code {value!r}")
        return value

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value:
            raise ValueError("empty procedure name")
        return value

    @property
    def levels(self) -> list[str]:
        return [part.strip() for part in self.level.split(",") if part.strip()]


def parse_record(data: dict[str, object]) -> Procedure:
    def get(key: str) -> str:
        value = data.get(key, "")
        return clean_text(value) if isinstance(value, str) else ""

    return Procedure(
        code=get("ma_thu_tuc"),
        name=get("ten_thu_tuc"),
        field=get("linh_vuc"),
        level=get("cap_thuc_hien"),
        agency=get("co_quan_thuc_hien") or get("co_quan_co_tham_quyen"),
        channels=get("cach_thuc_thuc_hien"),
        documents=get("thanh_phan_ho_so"),
        legal_basis=get("can_cu_phap_ly"),
        url=get("detail_url"),
    )


def read_catalog(
    path: Path, levels: Sequence[str] = (), fields: Sequence[str] = ()
) -> tuple[list[Procedure], int]:
    """All records of a catalog file (or an error naming the line); returns kept records and total.

    Nothing is returned unless every line parses, so an import is all or nothing.
    """
    kept, total, seen = [], 0, set()
    for lineno, data in read_jsonl(path):
        total += 1
        try:
            record = parse_record(data)
        except ValidationError as exc:
            raise FaqFormatError(f"{path}:{lineno}: {exc.errors()[0]['msg']}") from exc
        if record.code in seen:
            continue  # the portal lists some procedures under several fields
        seen.add(record.code)
        if levels and not set(record.levels) & set(levels):
            continue
        if fields and record.field not in fields:
            continue
        kept.append(record)
    return kept, total


@dataclass(frozen=True)
class ChannelTerms:
    channel: str
    time_limit: str
    fee: str


def channel_terms(text: str) -> list[ChannelTerms]:
    terms = []
    for match in _CHANNEL.finditer(text):
        time_limit = clean_text(match.group("time") or "")
        if time_limit and not re.search(r"[^\d.,\s]", time_limit):
            time_limit += " ngày"  # the portal leaves the unit out when it is days
        fee = clean_text(match.group("fee") or "")
        if not time_limit and not fee:
            continue  # the channel's name inside a description, not a row of the table
        fee = "không thu phí" if fee in ("Miễn phí", "Không") else fee.replace("Việt Nam Đồng", "đồng")
        fee = re.sub(r"(?<=\d),(?=\d{3})", ".", fee)  # 7,000 → 7.000 as Vietnamese writes it
        terms.append(ChannelTerms(match.group(1), time_limit.lower(), fee))
    return terms


def _without_files(text: str) -> str:
    return _SPACED_FILE.sub("", _GLUED_FILE.sub("", text))


def document_list(text: str, limit: int = MAX_DOCUMENTS) -> list[str]:
    body = _without_files(text.split(_TABLE_HEADER, 1)[-1])
    items = []
    for match in _DOCUMENT.finditer(body):
        count = clean_text(match.group(2))
        if re.fullmatch(r"0\s*bản\s*(chính|sao)", count):
            continue  # listed for information, nothing to bring
        name = clean_text(match.group(1).split(_TABLE_HEADER)[-1]).strip("-;:,.* ")
        if len(name) > 160:
            name = name[:157].rsplit(" ", 1)[0] + "…"
        if name:
            items.append(f"{name} ({count})")
        if len(items) >= limit:
            break
    return items


def card_text(p: Procedure) -> str:
    lines = [f"{p.name}", f"({CARD_LABEL})"]
    if p.agency:
        lines.append(f"- Cơ quan thực hiện: {p.agency}")
    if p.level:
        lines.append(f"- Cấp thực hiện: {p.level}")
    for t in channel_terms(p.channels):
        details = ", ".join(x for x in (t.time_limit, t.fee) if x) or "xem trang thủ tục"
        lines.append(f"- {t.channel}: {details}")
    documents = document_list(p.documents)
    if documents:
        lines.append("- Hồ sơ gồm (một phần, xem đầy đủ trên trang thủ tục):")
        lines.extend(f"  + {d}" for d in documents)
    if p.url:
        lines.append(f"- Chi tiết và nộp hồ sơ: {p.url}")
    return "\n".join(lines)


_LOCAL_LEVELS: dict[str, Level] = {"cấp tỉnh": "tinh", "cấp xã": "xa"}


def local_levels(p: Procedure) -> list[Level]:
    """The levels of local government (province, commune) that handle the procedure."""
    found = (_LOCAL_LEVELS.get(level.lower()) for level in p.levels)
    return [level for level in found if level is not None]


def _name_parts(name: str) -> list[str]:
    """[procedure, case] for a name that names a case, else [name]."""
    return _CASE_MARKER.split(clean_text(name), maxsplit=1)


def case_family(name: str) -> str | None:
    """The procedure a record is one case of ("đăng ký lại phương tiện"), or None for a record
    that names no case. Records of one family differ only in the case their name ends with."""
    parts = _name_parts(name)
    if len(parts) < 2:
        return None
    base = parts[0].strip(" ,.;:").lower()
    return base if len(base.split()) >= 2 and base not in _GENERIC_BASES else None


def case_of(name: str) -> str:
    """The case a record's name ends with, capitalised ("Chuyển quyền sở hữu…"); the whole name
    when it names no case. Listed cases of one procedure are told apart by this part alone."""
    case = _name_parts(name)[-1]
    return case[:1].upper() + case[1:]


def as_entries(procedures: Iterable[Procedure]) -> list[FaqEntry]:
    """Catalog records in the shape the search index takes: the name is the question,
    the card is the answer; a second phrasing carries the key fields for lexical search."""
    entries = []
    for p in procedures:
        entries.append(
            FaqEntry(
                id=f"{CATALOG_ID_PREFIX}{p.code}",
                category=p.field[:120],
                question=p.name,
                paraphrases=[f"thủ tục {p.name.lower()} lĩnh vực {p.field.lower()} {p.agency.lower()}"],
                answer=card_text(p),
                procedure_codes=[p.code],
                level=local_levels(p),
                links=[p.url] if p.url.startswith("https://") else [],
            )
        )
    return entries
