"""The Q&A set in the database: seeding, import and export round trip, on both engines."""

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import Engine

from core import faq_store
from core.faq import FaqFormatError, default_content_dir, load_content_dir
from core.faq_versions import StaleVersionError


def test_seed_is_idempotent_and_keeps_edits(any_engine: Engine) -> None:
    categories, entries = load_content_dir(default_content_dir())
    assert faq_store.seed_if_empty(any_engine, default_content_dir()) == len(entries)
    edited = entries[0].model_copy(update={"question": entries[0].question + " (đã sửa)"})
    faq_store.save(any_engine, [], [edited])
    assert faq_store.seed_if_empty(any_engine, default_content_dir()) == 0  # never overwrites
    loaded_categories, loaded = faq_store.load(any_engine)
    assert len(loaded) == len(entries) and len(loaded_categories) == len(categories)
    assert next(e for e in loaded if e.id == edited.id).question.endswith("(đã sửa)")


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_export_import_round_trip(any_engine: Engine, tmp_path: Path, suffix: str) -> None:
    faq_store.seed_if_empty(any_engine, default_content_dir())
    before = faq_store.load(any_engine)
    path = tmp_path / f"faq{suffix}"
    assert faq_store.export_file(any_engine, path) == len(before[1])
    categories, entries = faq_store.read_file(path)
    assert (categories, entries) == before
    faq_store.save(any_engine, categories, entries)
    assert faq_store.load(any_engine) == before


def test_bad_import_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"categories": [], "entries": [{"id": "x y", "question": "q", "answer": "a"}]}))
    with pytest.raises(FaqFormatError, match=r"entry 1: id"):
        faq_store.read_file(bad)
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text(
        yaml.safe_dump(
            {
                "categories": [{"id": "ho-tich", "name": "Hộ tịch"}],
                "entries": [{"id": "x", "category": "dat-dai", "question": "q", "answer": "a"}],
            }
        )
    )
    with pytest.raises(FaqFormatError, match="unknown category 'dat-dai'"):
        faq_store.read_file(orphan)
    catalog_id = tmp_path / "catalog-id.json"
    catalog_id.write_text(json.dumps({"entries": [{"id": "tthc-1.004002", "question": "q", "answer": "a"}]}))
    with pytest.raises(FaqFormatError, match=r"entry tthc-1\.004002: ids starting 'tthc-' are reserved"):
        faq_store.read_file(catalog_id)
    with pytest.raises(FaqFormatError, match=r"use a \.json, \.yaml"):
        faq_store.export_file(None, tmp_path / "faq.csv")  # type: ignore[arg-type]


def test_drafts_wait_and_a_save_checks_the_versions_it_was_planned_on(any_engine: Engine) -> None:
    _, entries = load_content_dir(default_content_dir())
    first, second = entries[0], entries[1]
    faq_store.save(any_engine, [], [first, second])  # the operator's import: served as saved
    draft = first.model_copy(update={"answer": first.answer + " Bản nháp."})
    faq_store.save(any_engine, [], [draft], actor="editor01", publish=False)
    served = {e.id: e for e in faq_store.load_served(any_engine)}
    assert served[first.id].answer == first.answer  # the draft waits for a publisher
    assert {e.id: e for e in faq_store.load(any_engine)[1]}[first.id].answer == draft.answer

    edited = second.model_copy(update={"answer": second.answer + " Sửa trên web."})
    faq_store.save(any_engine, [], [edited], actor="editor02", publish=False)  # version 2
    imported = second.model_copy(update={"answer": second.answer + " Sửa trong tệp."})
    planned = {first.id: 2, second.id: 1}  # the import was checked before editor02 saved
    with pytest.raises(StaleVersionError):
        faq_store.save(any_engine, [], [imported], publish=False, expected_versions=planned)
    assert {e.id: e for e in faq_store.load(any_engine)[1]}[second.id].answer == edited.answer
