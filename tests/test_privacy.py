import logging

import pytest

from core.privacy import mask_personal_data, pseudonymise


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("số cccd 001203004567 bị mất", "số cccd [số định danh] bị mất"),
        ("căn cước 001 203 004 567", "căn cước [số định danh]"),
        ("số 001.203.004.567", "số [số định danh]"),
        ("cmnd cũ 123456789", "cmnd cũ [số định danh]"),
        ("gọi em 0912 345 678 nhé", "gọi em [số điện thoại] nhé"),
        ("sđt 0912.345.678", "sđt [số điện thoại]"),
        ("+84912345678", "[số điện thoại]"),
        ("mail nguyen.van.a@gmail.com", "mail [email]"),
        ("stk 1903 5555 1234 567", "stk [số tài khoản]"),
    ],
)
def test_personal_data_is_masked(raw: str, expected: str) -> None:
    assert mask_personal_data(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mẫu CT01 và TK1-TS",
        "thủ tục 1.000178",
        "ngày 12/05/2024",
        "lệ phí 100.000.000 đồng",
        "phí 50.000đ",
        "sinh năm 1990",
        "Nghị định 123/2015/NĐ-CP",
    ],
)
def test_codes_dates_and_fees_stay(text: str) -> None:
    assert mask_personal_data(text) == text


def test_pseudonymise_is_stable_and_salted() -> None:
    a = pseudonymise("telegram", "12345", "salt-1")
    assert a == pseudonymise("telegram", "12345", "salt-1")
    assert a != pseudonymise("telegram", "12345", "salt-2")
    assert a != pseudonymise("zalo", "12345", "salt-1")
    assert "12345" not in a and len(a) == 32


def test_access_log_keeps_paths_not_queries() -> None:
    """A public search puts the citizen's words in the URL; uvicorn's access log must not keep them."""
    import time

    import httpx
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from core.log_redaction import drop_access_log_queries
    from tests.serving import serving

    app = Starlette(routes=[Route("/hoi-dap/tim-kiem", lambda r: PlainTextResponse("ok"))])
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    access = logging.getLogger("uvicorn.access")  # it does not propagate: listen on it directly
    with serving(app, log_level="info", access_log=True) as base:
        drop_access_log_queries()  # after uvicorn configured its loggers, as the app's lifespan does
        access.addHandler(handler)
        try:
            assert httpx.get(f"{base}/hoi-dap/tim-kiem?q=so+dien+thoai+0912345678").status_code == 200
            time.sleep(0.1)
        finally:
            access.removeHandler(handler)
    lines = [r.getMessage() for r in records]
    assert any("/hoi-dap/tim-kiem?…" in line for line in lines), lines
    assert not any("0912345678" in line for line in lines)
