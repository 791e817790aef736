"""Public FAQ pages in a real browser: bytes transferred and time to interactive, on loopback.

The app runs as its own process (`hoidap serve` on a fresh data folder with the curated content);
headless Chromium loads each page in a fresh context (empty cache, as a first visit) a few times.
Figures come from the browser's Navigation and Resource Timing: bytes are the response bodies
(HTML + CSS + JS, uncompressed as served) and ``transfer`` adds the headers; times are medians in
ms from navigation start to the first response byte, domInteractive, DOMContentLoaded end and load
end. Each search run asks a different question, so none is answered from the hit cache.

Run: `python -m benchmarks.public_pages_bench [--runs 5]`. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import Browser, Page

from benchmarks.serve_process import hoidap_serve, server_errors
from tests.browser import MOBILE, chromium

TIMING_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const sum = (items, key) => items.reduce((total, r) => total + (r[key] || 0), 0);
  return {
    ttfb_ms: nav.responseStart,
    dom_interactive_ms: nav.domInteractive,
    dom_content_loaded_ms: nav.domContentLoadedEventEnd,
    load_ms: nav.loadEventEnd,
    html_bytes: nav.encodedBodySize,
    asset_bytes: sum(resources, 'encodedBodySize'),
    transfer_bytes: nav.transferSize + sum(resources, 'transferSize'),
    requests: 1 + resources.length,
  };
}"""


def _measure(browser: Browser, url: str) -> dict[str, float]:
    context = browser.new_context(viewport=MOBILE)  # type: ignore[arg-type]
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        figures: dict[str, float] = page.evaluate(TIMING_JS)
        return figures
    finally:
        context.close()


def _median(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(r[key] for r in runs), 1) for key in runs[0]}


def _first_link(page: Page, selector: str) -> str:
    href = page.locator(selector).first.get_attribute("href")
    assert href, f"no link matches {selector}"
    return href


# Typed as citizens do, with and without diacritics; one per run (then the list repeats).
SEARCHES = (
    "lam lai can cuoc bi mat",
    "đăng ký khai sinh cho con cần gì",
    "xin phieu ly lich tu phap o dau",
    "cấp sổ đỏ lần đầu mất bao lâu",
    "dang ky tam tru khi thue tro",
    "mất thẻ bảo hiểm y tế",
    "thanh lap ho kinh doanh",
    "chứng thực bản sao ở đâu",
)


def search_path(run: int) -> str:
    return "/hoi-dap/tim-kiem?" + urlencode({"q": SEARCHES[run % len(SEARCHES)]})


def _pages(browser: Browser, base: str) -> dict[str, str]:
    """The pages measured: home, the first category, its first entry (search is measured apart)."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + "/hoi-dap")
        category = _first_link(page, ".categories a")
        page.goto(base + category)
        entry = _first_link(page, ".qa-list .more a")
    finally:
        context.close()
    return {
        "home": "/hoi-dap",
        "category": category,
        "entry": entry,
    }


def measure(runs: int = 5) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, chromium() as browser:
        data_dir = Path(tmp)
        with hoidap_serve(data_dir, {}) as base:
            pages = _pages(browser, base)
            for path in [*pages.values(), "/hoi-dap/tim-kiem?q=warm+up"]:  # one unmeasured load each
                _measure(browser, base + path)
            results: dict[str, Any] = {
                name: {"path": path, **_median([_measure(browser, base + path) for _ in range(runs)])}
                for name, path in pages.items()
            }
            searches = [_measure(browser, base + search_path(run)) for run in range(runs)]
            results["search"] = {"path": search_path(0), **_median(searches)}
        errors = server_errors(data_dir)
    return {"runs": runs, "viewport": MOBILE, "pages": results, "server_errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="page loads per page (median reported)")
    args = parser.parse_args()
    print(json.dumps(measure(args.runs), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
