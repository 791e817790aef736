"""Page weight and time to interactive of the chat widget (`/chat`) on loopback.

Runs `hoidap serve` in a fresh data folder (benchmarks/serve_process.py), then loads the page
in headless Chromium: each cold run in a new browser context (empty cache and storage, so the
greeting is fetched), each warm run as a reload in that context (cached assets, the transcript
drawn from sessionStorage). Figures come from the page's own Performance API:

- bytes: transferred over the wire (headers included) for the page, its assets and its API
  calls, and the same bodies uncompressed;
- interactive: navigation start until the greeting is shown and the question box is ready.

    .venv/bin/python -m benchmarks.widget_bench [--runs 5] [--path /chat]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page

from benchmarks.serve_process import hoidap_serve, server_errors
from tests.browser import DESKTOP, chromium

# Runs before the page's own scripts (Playwright injects it outside the page's CSP): notes the
# moment the log holds a message and is no longer busy, i.e. the citizen can read and type.
READY_PROBE = """
(() => {
  const check = () => {
    const log = document.getElementById('log');
    if (log && log.querySelector('.msg') && log.getAttribute('aria-busy') !== 'true') {
      window.__widgetReady = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, {subtree: true, childList: true, attributes: true});
})();
"""
FIGURES = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const sum = (key) => resources.reduce((n, r) => n + r[key], nav[key]);
  return {
    interactive_ms: window.__widgetReady,
    dom_content_loaded_ms: nav.domContentLoadedEventEnd,
    transferred_bytes: sum('transferSize'),
    body_bytes: sum('decodedBodySize'),
    requests: 1 + resources.length,
    hosts: [...new Set([nav.name, ...resources.map((r) => r.name)].map((u) => new URL(u).host))],
  };
}
"""


def _measure(page: Page) -> dict[str, Any]:
    page.wait_for_function("window.__widgetReady !== undefined", timeout=30_000)
    figures: dict[str, Any] = page.evaluate(FIGURES)
    return figures


def _runs(browser: Browser, url: str, runs: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    cold, warm = [], []
    for _ in range(runs):
        context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
        try:
            page = context.new_page()
            page.add_init_script(READY_PROBE)
            page.goto(url)
            cold.append(_measure(page))
            page.reload()
            warm.append(_measure(page))
        finally:
            context.close()
    return cold, warm


def _summary(samples: list[dict[str, Any]]) -> dict[str, Any]:
    def median(key: str) -> float:
        return round(statistics.median(float(s[key]) for s in samples), 1)

    return {
        "interactive_median_ms": median("interactive_ms"),
        "interactive_max_ms": round(max(float(s["interactive_ms"]) for s in samples), 1),
        "dom_content_loaded_median_ms": median("dom_content_loaded_ms"),
        "transferred_bytes": int(median("transferred_bytes")),
        "body_bytes": int(median("body_bytes")),
        "requests": int(median("requests")),
        "hosts": sorted({h for s in samples for h in s["hosts"]}),
    }


def measure(runs: int = 5, path: str = "/chat") -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        with hoidap_serve(data_dir, {}) as base, chromium() as browser:
            _runs(browser, base + path, 1)  # warm the server (first database and page work)
            cold, warm = _runs(browser, base + path, runs)
        errors = server_errors(data_dir)
    return {
        "path": path,
        "runs": runs,
        "cold": _summary(cold),
        "warm": _summary(warm),
        "server_errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--path", default="/chat")
    args = parser.parse_args()
    print(json.dumps(measure(args.runs, args.path), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
