// Nhật ký đánh giá: every question with how it was handled and the citizen's verdict, filtered
// (the filters live in the address, so a reload or a bookmark keeps them), paged and exportable.

import { api, download } from "../api.js";
import { dateTime, h, replace, table } from "../dom.js";
import { act, errorBox, flash, navigate, pager, withParams } from "../ui.js";

const LIMIT = 50;
const FILTERS = ["since", "until", "channel", "decision", "rating", "reason", "category", "entry_id"];

export const DECISIONS = {
  answer: "Trả lời",
  suggest: "Gợi ý",
  catalog: "Danh mục TTHC",
  fallback: "Không trả lời được",
  smalltalk: "Chào hỏi",
  empty: "Tin nhắn trống",
};
// core/interaction_log.py FEEDBACK_REASONS, labelled as citizens see them (core/replies.py REASON_LABELS).
export const REASONS = {
  wrong_question: "Không đúng câu hỏi",
  missing_info: "Thiếu thông tin",
  hard_to_understand: "Khó hiểu",
  outdated: "Thông tin đã cũ",
  other: "Khác",
};
const RATINGS = { helpful: "👍 Hữu ích", unhelpful: "👎 Chưa hữu ích", unrated: "Chưa đánh giá" };
const CHANNELS = { web: "Trang web", telegram: "Telegram", zalo: "Zalo" };

function select(name, value, options, allLabel) {
  const known = Object.entries(options);
  if (value && !(value in options)) known.push([value, value]); // a value typed into the address
  return h(
    "select",
    { name },
    h("option", { value: "" }, allLabel),
    known.map(([code, label]) => h("option", { value: code, selected: code === value }, label)),
  );
}

function labelled(text, control) {
  return h("label", {}, text, control);
}

function ratingCell(helpful) {
  if (helpful === null || helpful === undefined) return h("span", { class: "muted" }, "—");
  const [icon, text] = helpful ? ["👍", "Hữu ích"] : ["👎", "Chưa hữu ích"];
  // The words beside the icon: not every staff computer has an emoji font.
  return h("span", { class: helpful ? "rating up" : "rating down" }, h("span", { "aria-hidden": "true" }, icon), ` ${text}`);
}

function entryCell(item) {
  if (!item.entry_id) return "—";
  // A catalog reply names a national procedure code, not one of our entries.
  const id = item.decision === "catalog"
    ? h("span", { class: "code" }, item.entry_id)
    : h("a", { href: `#/entry/${encodeURIComponent(item.entry_id)}` }, item.entry_id);
  return [id, item.category ? h("div", { class: "hint" }, item.category) : null];
}

function rowOf(item) {
  const cells = [
    h("td", { class: "nowrap" }, dateTime(item.created_at)),
    h("td", {}, CHANNELS[item.channel] || item.channel),
    h("td", { class: "pre" }, item.query_masked || h("span", { class: "muted" }, "(trống)")),
    h("td", {}, DECISIONS[item.decision] || item.decision),
    h("td", {}, entryCell(item)),
    h("td", { class: "center" }, ratingCell(item.helpful)),
    h("td", {}, item.reason ? REASONS[item.reason] || item.reason : "—"),
    h("td", { class: "pre" }, item.comment_masked || "—"),
  ];
  return h("tr", { class: item.helpful === false ? "unhelpful" : null }, cells);
}

async function categoryOptions() {
  try {
    const categories = await api("GET", "/categories");
    return Object.fromEntries(categories.map((c) => [c.id, c.name]));
  } catch {
    return {}; // the filter still works by code
  }
}

export async function render(body, { params }) {
  const filters = Object.fromEntries(FILTERS.map((k) => [k, params[k] || ""]));
  const offset = Math.max(0, parseInt(params.offset, 10) || 0);
  const categories = await categoryOptions();

  const controls = {
    since: h("input", { type: "date", name: "since", value: filters.since }),
    until: h("input", { type: "date", name: "until", value: filters.until }),
    channel: select("channel", filters.channel, CHANNELS, "Tất cả kênh"),
    decision: select("decision", filters.decision, DECISIONS, "Tất cả"),
    rating: select("rating", filters.rating, RATINGS, "Tất cả"),
    reason: select("reason", filters.reason, REASONS, "Tất cả lý do"),
    category: select("category", filters.category, categories, "Tất cả lĩnh vực"),
    entry_id: h("input", {
      type: "search", name: "entry_id", value: filters.entry_id, maxlength: 120, placeholder: "vd. cccd-cap-lai",
      autocomplete: "off",
    }),
  };
  const chosen = () => Object.fromEntries(FILTERS.map((k) => [k, controls[k].value.trim()]));
  const form = h(
    "form",
    { class: "inline", role: "search", "aria-label": "Lọc nhật ký đánh giá" },
    labelled("Từ ngày", controls.since),
    labelled("Đến ngày", controls.until),
    labelled("Kênh", controls.channel),
    labelled("Cách xử lý", controls.decision),
    labelled("Đánh giá", controls.rating),
    labelled("Lý do chưa hữu ích", controls.reason),
    labelled("Lĩnh vực", controls.category),
    labelled("Mã câu hỏi", controls.entry_id),
    h("button", { type: "submit" }, "Lọc"),
    h("button", { type: "button", class: "secondary", onclick: () => navigate("#/feedback") }, "Xoá bộ lọc"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const wanted = chosen();
    if (wanted.since && wanted.until && wanted.since > wanted.until) {
      flash("Ngày bắt đầu phải trước hoặc trùng ngày kết thúc.", "warn");
      controls.until.focus();
      return;
    }
    navigate(withParams("#/feedback", wanted));
  });

  const exportButtons = ["csv", "xlsx"].map((format) => {
    const button = h("button", { type: "button", class: "secondary" },
      format === "csv" ? "Tải về CSV" : "Tải về Excel (XLSX)");
    button.addEventListener("click", () => act(button, async () => {
      const name = await download("/logs/interactions/export", { ...filters, format }, `nhat-ky-hoi-dap.${format}`);
      flash(`Đã tải về tệp ${name}.`);
    }));
    return button;
  });
  const exports = h(
    "div",
    { class: "toolbar", role: "group", "aria-label": "Xuất nhật ký" },
    h("span", {}, "Xuất các dòng đang lọc:"),
    exportButtons,
  );

  const results = h("div", { "aria-live": "polite" }, h("p", {}, "Đang tải…"));
  replace(
    body,
    h("p", { class: "hint" },
      "Câu hỏi và góp ý của người dân đã được che thông tin cá nhân (số điện thoại, số định danh…). "
      + "Mã người dùng không bao giờ hiển thị."),
    form,
    exports,
    results,
  );

  let page;
  try {
    page = await api("GET", "/logs/interactions", { query: { ...filters, offset, limit: LIMIT } });
  } catch (error) {
    replace(results, errorBox(error));
    return;
  }
  const active = FILTERS.filter((k) => filters[k]).length;
  const summary = page.total
    ? `Có ${page.total.toLocaleString("vi-VN")} lượt hỏi${active ? " phù hợp bộ lọc" : ""}, mới nhất trước.`
    : "Không có lượt hỏi nào phù hợp bộ lọc.";
  const grid = table(
    ["Thời gian", "Kênh", "Câu hỏi (đã che thông tin cá nhân)", "Cách xử lý", "Câu hỏi – trả lời", "Đánh giá", "Lý do", "Góp ý"],
    page.items.map(rowOf),
    "Nhật ký đánh giá",
  );
  grid.id = "feedback-table";
  const goTo = (next) => navigate(withParams("#/feedback", { ...filters, offset: next > 0 ? next : "" }));
  replace(
    results,
    h("p", { role: "status" }, summary),
    h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": "Bảng nhật ký đánh giá" }, grid),
    page.total > page.limit || offset > 0 ? pager(page, goTo) : null,
  );
}
