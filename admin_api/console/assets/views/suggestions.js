// Gợi ý cách hỏi: how citizens phrased questions whose answer they were glad to get, grouped by
// entry, for editors to accept (added to the entry as a draft change) or reject (not proposed again).

import { api, ApiError, session } from "../api.js";
import { dateTime, h, replace } from "../dom.js";
import { act, errorBox, flash, navigate, withParams } from "../ui.js";

const DEFAULT_DAYS = 90;
const LIMIT = 500; // the most GET /suggestions returns

function sourcesText(sources) {
  const parts = [];
  if (sources.helpful) parts.push(`đánh giá hữu ích: ${sources.helpful}`);
  if (sources.picked) parts.push(`chọn từ gợi ý: ${sources.picked}`);
  for (const [name, count] of Object.entries(sources)) {
    if (name !== "helpful" && name !== "picked" && count) parts.push(`${name}: ${count}`);
  }
  return parts.join(" · ") || "—";
}

function groupByEntry(items) {
  const groups = new Map();
  for (const item of items) {
    if (!groups.has(item.entry_id)) groups.set(item.entry_id, []);
    groups.get(item.entry_id).push(item);
  }
  return groups;
}

function decisionError(error) {
  if (error instanceof ApiError && error.status === 404 && error.detail && error.detail.missing) {
    return `Không tìm thấy câu hỏi: ${error.detail.missing.join(", ")}. Danh sách đã được tải lại.`;
  }
  return error.message;
}

export async function render(body, { params }) {
  const filters = {
    entry_id: (params.entry_id || "").trim(),
    days: Math.min(3650, Math.max(1, parseInt(params.days, 10) || DEFAULT_DAYS)),
  };
  const canDecide = session.can("editor");
  const entryInput = h("input", {
    type: "search", name: "entry_id", value: filters.entry_id, maxlength: 120, autocomplete: "off", placeholder: "vd. cccd-cap-lai",
  });
  const daysInput = h("input", { type: "number", name: "days", value: filters.days, min: 1, max: 3650, step: 1, inputmode: "numeric" });
  const form = h(
    "form",
    { class: "inline", role: "search", "aria-label": "Lọc gợi ý cách hỏi" },
    h("label", {}, "Mã câu hỏi", entryInput),
    h("label", {}, "Trong số ngày gần đây", daysInput),
    h("button", { type: "submit" }, "Xem"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const days = parseInt(daysInput.value, 10);
    navigate(withParams("#/suggestions", {
      entry_id: entryInput.value.trim(),
      days: days && days !== DEFAULT_DAYS ? days : "",
    }));
  });
  const outcome = h("div", { "aria-live": "polite", tabindex: "-1", class: "outcome" });
  const list = h("div", {});
  replace(
    body,
    h("p", {}, "Các cách hỏi người dân đã dùng và nhận được câu trả lời hữu ích (đánh giá 👍 Hữu ích hoặc chọn từ danh sách "
      + "“Có phải bạn muốn hỏi…”), chưa có trong câu hỏi tương ứng. Cách hỏi được nhận sẽ thêm vào câu hỏi dưới dạng "
      + "bản nháp, chờ xuất bản; cách hỏi bị loại sẽ không được đề xuất lại."),
    canDecide ? null : h("p", { class: "msg warn" },
      "Bạn đang xem với quyền chỉ đọc. Cần tài khoản có quyền biên tập để nhận hoặc loại cách hỏi."),
    form,
    outcome,
    list,
  );

  async function load() {
    replace(list, h("p", {}, "Đang tải…"));
    let items;
    try {
      items = await api("GET", "/suggestions", { query: { entry_id: filters.entry_id, days: filters.days, limit: LIMIT } });
    } catch (error) {
      replace(list, errorBox(error));
      return;
    }
    if (!items.length) {
      replace(list, h("p", { class: "msg ok" }, `Không có cách hỏi mới nào cần xem xét trong ${filters.days} ngày gần đây.`));
      return;
    }
    const choices = []; // {item, accept, reject}
    const groups = [...groupByEntry(items)].map(([entryId, entryItems], g) => {
      const rows = entryItems.map((item, i) => {
        const base = `s${g}-${i}`;
        const cells = [
          h("td", { class: "pre" }, item.text),
          h("td", { class: "num" }, String(item.count)),
          h("td", {}, sourcesText(item.sources || {})),
          h("td", { class: "nowrap" }, dateTime(item.last_seen)),
        ];
        if (canDecide) {
          const accept = h("input", { type: "checkbox", id: `${base}-a`, "aria-label": `Nhận cách hỏi: ${item.text}` });
          const reject = h("input", { type: "checkbox", id: `${base}-r`, "aria-label": `Loại cách hỏi: ${item.text}` });
          accept.addEventListener("change", () => { if (accept.checked) reject.checked = false; count(); });
          reject.addEventListener("change", () => { if (reject.checked) accept.checked = false; count(); });
          choices.push({ item, accept, reject });
          cells.push(h("td", { class: "center" }, accept), h("td", { class: "center" }, reject));
        }
        return h("tr", {}, cells);
      });
      const mine = choices.slice(choices.length - rows.length);
      const headers = ["Cách hỏi", "Số lần", "Nguồn", "Lần gần nhất", ...(canDecide ? ["Nhận", "Loại"] : [])];
      const headingId = `group-${g}`;
      return h(
        "section",
        { class: "group", "aria-labelledby": headingId },
        h("h2", { id: headingId }, "Câu hỏi ", h("a", { href: `#/entry/${encodeURIComponent(entryId)}` }, entryId),
          h("span", { class: "hint" }, ` — ${entryItems.length} cách hỏi`)),
        canDecide ? h("div", { class: "actions small" },
          h("button", { type: "button", class: "secondary", "aria-label": `Nhận tất cả cách hỏi của ${entryId}`, onclick: () => mark(mine, "accept") }, "Nhận tất cả"),
          h("button", { type: "button", class: "secondary", "aria-label": `Loại tất cả cách hỏi của ${entryId}`, onclick: () => mark(mine, "reject") }, "Loại tất cả"),
          h("button", { type: "button", class: "secondary", "aria-label": `Bỏ chọn các cách hỏi của ${entryId}`, onclick: () => mark(mine, null) }, "Bỏ chọn")) : null,
        h("div", { class: "scroll" }, h("table", { class: "suggest-table" },
          h("thead", {}, h("tr", {}, headers.map((t, i) => h("th", { scope: "col", class: `c${i}` }, t)))),
          h("tbody", {}, rows))),
      );
    });

    const tally = h("span", { class: "hint", role: "status" });
    const save = h("button", { type: "button" }, "Lưu quyết định");
    function count() {
      const accepted = choices.filter((c) => c.accept.checked).length;
      const rejected = choices.filter((c) => c.reject.checked).length;
      tally.textContent = `Đã chọn nhận ${accepted}, loại ${rejected} cách hỏi.`;
    }
    function mark(rows, which) {
      for (const c of rows) {
        c.accept.checked = which === "accept";
        c.reject.checked = which === "reject";
      }
      count();
    }
    save.addEventListener("click", () => act(save, async () => {
      const pick = (key) => choices.filter((c) => c[key].checked).map((c) => ({ entry_id: c.item.entry_id, text: c.item.text }));
      const decisions = { accept: pick("accept"), reject: pick("reject") };
      if (!decisions.accept.length && !decisions.reject.length) {
        flash("Vui lòng chọn nhận hoặc loại ít nhất một cách hỏi.", "warn");
        return;
      }
      let result;
      try {
        result = await api("POST", "/suggestions/decide", { json: decisions });
      } catch (error) {
        replace(outcome, h("p", { class: "msg error", role: "alert" }, decisionError(error)));
        await load();
        outcome.focus();
        return;
      }
      const changed = result.entries || [];
      replace(
        outcome,
        h("div", { class: "msg ok", role: "status" },
          h("p", {}, `Đã nhận ${result.accepted} cách hỏi và loại ${result.rejected} cách hỏi.`),
          changed.length
            ? h("p", {}, "Câu hỏi có thay đổi đang chờ xuất bản: ",
              changed.map((id, i) => [i ? ", " : "", h("a", { href: `#/entry/${encodeURIComponent(id)}` }, id)]))
            : null),
      );
      await load();
      outcome.focus(); // the list was drawn again; the result is where the keyboard continues
    }));
    count();
    replace(
      list,
      h("p", {}, `${items.length} cách hỏi cho ${groups.length} câu hỏi, nhiều lần nhất trước.`,
        items.length >= LIMIT ? ` Chỉ hiện ${LIMIT} cách hỏi đầu tiên; lưu quyết định để xem tiếp.` : ""),
      groups,
      canDecide ? h("div", { class: "toolbar sticky-actions" }, save, tally) : null,
    );
  }

  await load();
}
