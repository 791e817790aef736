// Xuất bản: the entries with changes citizens do not see yet, published together (all or none)
// with one index rebuild whose progress is shown.

import { api } from "../api.js";
import { dateTime, h, replace, row, table } from "../dom.js";
import { act, flash } from "../ui.js";
import { statusBadge } from "./entries.js";

const POLL_MS = 400;
const NO_BUILD_AFTER_MS = 3000;

export async function render(body, _context, progress = buildProgress()) {
  const [pending, drafts] = await Promise.all([
    api("GET", "/entries", { query: { pending: true, limit: 200 } }),
    api("GET", "/entries", { query: { status: "draft", limit: 200 } }),
  ]);
  const byId = new Map([...pending.items, ...drafts.items].map((e) => [e.id, e]));
  const items = [...byId.values()];
  if (!items.length) {
    replace(body, h("p", {}, "Không có thay đổi nào đang chờ xuất bản."), progress);
    return;
  }
  const boxes = items.map((e) => h("input", { type: "checkbox", value: e.id, checked: true, "aria-label": `Chọn ${e.question}` }));
  const publish = h("button", { type: "button", id: "publish-selected" }, "Xuất bản các mục đã chọn");
  publish.addEventListener("click", () =>
    act(publish, async () => {
      const chosen = boxes.filter((b) => b.checked).map((b) => byId.get(b.value));
      if (!chosen.length) return flash("Hãy chọn ít nhất một câu hỏi.", "warn");
      const before = await api("GET", "/index/status");
      const result = await api("POST", "/publish", {
        json: { items: chosen.map((e) => ({ id: e.id, base_version: e.version })) },
      });
      flash(`Đã xuất bản ${result.published.length} câu hỏi. Đang cập nhật chỉ mục tìm kiếm…`);
      await waitForBuild(progress, before.index_version);
      await render(body, _context, progress); // the list without them, the build's outcome kept
    }),
  );
  replace(
    body,
    table(
      ["", "Câu hỏi", "Trạng thái", "Phiên bản", "Sửa lần cuối"],
      items.map((e, i) => row(boxes[i], h("a", { href: `#/entry/${encodeURIComponent(e.id)}` }, e.question),
        statusBadge(e), String(e.version), `${dateTime(e.updated_at)} · ${e.updated_by}`)),
      `${items.length} câu hỏi chờ xuất bản`,
    ),
    publish,
    progress,
  );
}

function buildProgress() {
  return h("div", { id: "publish-progress", role: "status", "aria-live": "polite" });
}

// Follow the background index build until the new index serves (or nothing needed building).
export async function waitForBuild(node, previousVersion) {
  const previous = previousVersion === undefined ? (await api("GET", "/index/status")).index_version : previousVersion;
  const bar = h("progress", { class: "progress", max: 1, value: 0, "aria-label": "Tiến độ cập nhật chỉ mục" });
  const text = h("span", {}, "Đang chờ cập nhật chỉ mục…");
  replace(node, bar, text);
  const started = Date.now();
  for (;;) {
    const status = await api("GET", "/index/status");
    if (status.last_error) {
      replace(node, h("p", { class: "msg error" }, `Cập nhật chỉ mục lỗi: ${status.last_error}`));
      return;
    }
    if (status.state === "building") {
      bar.max = Math.max(1, status.rows_total);
      bar.value = status.rows_done;
      text.textContent = ` Đang dựng chỉ mục: ${status.rows_done}/${status.rows_total} dòng`;
    } else if (status.index_version !== previous || Date.now() - started > NO_BUILD_AFTER_MS) {
      bar.max = 1;
      bar.value = 1;
      replace(node, bar, h("span", { id: "build-done" }, ` Chỉ mục đã cập nhật: ${status.entries} câu hỏi đang phục vụ.`));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
