"""The curated content and its lint."""

from pathlib import Path

import pytest
import yaml

from core.faq import FaqFormatError, default_content_dir, load_category_file, load_content_dir
from core.faq_lint import lint

GOOD = {
    "id": "ho-tich-khai-sinh",
    "question": "Đăng ký khai sinh cần gì?",
    "paraphrases": ["lam giay khai sinh", "làm gks cần j", "khai sinh cho bé"],
    "answer": "Mang giấy chứng sinh đến UBND cấp xã. Hỗ trợ: {{hotline}}.",
    "legal_basis": ["Luật Hộ tịch 2014, Điều 16"],
    "level": ["xa"],
    "reviewed": "2026-11-22",
    "status": "published",
}


def write(folder: Path, entries: list[dict], category: str = "ho-tich") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = {"category": {"id": category, "name": "Hộ tịch"}, "entries": entries}
    path = folder / f"{category}.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def test_packaged_content_passes_lint() -> None:
    content = default_content_dir()
    count, problems = lint(content, content.parent / "eval")
    assert problems == []
    categories, entries = load_content_dir(content)
    assert count >= 200 and len(categories) >= 12
    assert all(e.status in ("draft", "published") for e in entries)


def test_good_entry_passes(tmp_path: Path) -> None:
    write(tmp_path, [GOOD])
    assert lint(tmp_path) == (1, [])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"paraphrases": ["một", "hai"]}, "at least 3 paraphrases"),
        ({"paraphrases": ["làm giấy", "cho bé", "đăng ký"]}, "no paraphrase without diacritics"),
        ({"legal_basis": []}, "missing legal basis"),
        ({"legal_basis": ["Luật Hộ tịch 2014 (60/2014/QH13)"]}, "names no article"),
        ({"answer": "Gọi {{so_dien_thoai}} nhé."}, "unknown placeholder {{so_dien_thoai}}"),
        ({"answer": "Nộp tại UBND cấp huyện nơi cư trú."}, "district level"),
        ({"answer": "Mang theo sổ hộ khẩu bản chính."}, "household book"),
        ({"id": "khai-sinh"}, "must start with its category"),
        ({"links": ["http://example.gov.vn"]}, "not https"),
    ],
)
def test_lint_finds_problems(tmp_path: Path, change: dict, message: str) -> None:
    path = write(tmp_path, [{**GOOD, **change}])
    _, problems = lint(tmp_path)
    assert any(message in p.message for p in problems), problems
    assert problems[0].where.startswith(f"{path}:")


def test_household_book_as_past_is_fine(tmp_path: Path) -> None:
    write(tmp_path, [{**GOOD, "answer": "Sổ hộ khẩu đã hết giá trị từ 1/1/2023, không cần mang."}])
    assert lint(tmp_path)[1] == []


def test_near_duplicate_questions(tmp_path: Path) -> None:
    twin = {**GOOD, "id": "ho-tich-khai-sinh-2", "question": "Đăng ký khai sinh cần gì ạ?"}
    write(tmp_path, [GOOD, twin])
    _, problems = lint(tmp_path)
    assert [p.entry for p in problems] == ["ho-tich-khai-sinh-2"]
    assert "nearly duplicates ho-tich-khai-sinh" in problems[0].message


def test_schema_errors_name_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, [GOOD, {**GOOD, "id": "ho-tich-x", "level": ["huyen"]}])
    with pytest.raises(FaqFormatError) as err:
        load_category_file(path)
    line = next(i for i, text in enumerate(path.read_text("utf-8").splitlines(), 1) if "ho-tich-x" in text)
    assert str(err.value).startswith(f"{path}:{line}: entry 2: level.0")
    bad_yaml = tmp_path / "bad" / "ho-tich.yaml"
    bad_yaml.parent.mkdir()
    bad_yaml.write_text("category: {id: ho-tich, name: x}\nentries:\n  - id: [unclosed\n", "utf-8")
    with pytest.raises(FaqFormatError, match=r"ho-tich.yaml:\d+: invalid YAML"):
        load_category_file(bad_yaml)


def test_catalog_ids_are_refused_for_curated_entries(tmp_path: Path) -> None:
    path = write(tmp_path, [GOOD, {**GOOD, "id": "tthc-1.004002"}])
    with pytest.raises(FaqFormatError, match=r"ho-tich.yaml:\d+: entry tthc-1.004002: ids starting 'tthc-'"):
        load_category_file(path)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    write(tmp_path, [GOOD, GOOD])
    with pytest.raises(FaqFormatError, match="duplicate entry id"):
        load_content_dir(tmp_path)
