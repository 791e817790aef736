// Câu hỏi – trả lời: the list with search and filters; each row opens the editor.

import { api, session } from "../api.js";
import { dateTime, h, replace, row, table } from "../dom.js";
import { navigate, pager, withParams } from "../ui.js";

export const STATUS_LABELS = { draft: "Bản nháp", published: "Đã xuất bản", archived: "Lưu trữ" };
const LIMIT = 25;

export async function render(body, { params }) {
  const categories = await api("GET", "/categories");
  const query = {
    q: params.q || "",
    category: params.category || "",
    status: params.status || "",
    pending: params.pending || "",
    offset: Number(params.offset || 0),
    limit: LIMIT,
  };
  const page = await api("GET", "/entries", { query });
  const names = Object.fromEntries(categories.map((c) => [c.id, c.name]));
  replace(
    body,
    filters(query, categories),
    session.can("editor") ? h("p", {}, h("a", { class: "button", href: "#/entry/new" }, "+ Thêm câu hỏi mới")) : null,
    table(
      ["Câu hỏi", "Lĩnh vực", "Trạng thái", "Phiên bản", "Cập nhật"],
      page.items.map((e) =>
        row(
          h("a", { href: `#/entry/${encodeURIComponent(e.id)}` }, e.question),
          names[e.category] || e.category,
          statusBadge(e),
          String(e.version),
          `${dateTime(e.updated_at)} · ${e.updated_by}`,
        ),
      ),
      `${page.total} câu hỏi`,
    ),
    pager(page, (offset) => navigate(withParams("#/entries", { ...query, limit: undefined, offset }))),
  );
}

export function statusBadge(entry) {
  const badges = [h("span", { class: `badge ${entry.status}` }, STATUS_LABELS[entry.status] || entry.status)];
  if (entry.pending) badges.push(" ", h("span", { class: "badge pending" }, "Có thay đổi chờ xuất bản"));
  return badges;
}

function filters(query, categories) {
  const q = h("input", { type: "search", name: "q", value: query.q, placeholder: "Từ trong câu hỏi hoặc mã câu hỏi" });
  const category = h(
    "select",
    { name: "category" },
    h("option", { value: "" }, "Tất cả lĩnh vực"),
    categories.map((c) => h("option", { value: c.id, selected: c.id === query.category }, c.name)),
  );
  const status = h(
    "select",
    { name: "status" },
    h("option", { value: "" }, "Mọi trạng thái"),
    Object.entries(STATUS_LABELS).map(([v, label]) => h("option", { value: v, selected: v === query.status }, label)),
  );
  const pending = h("input", { type: "checkbox", name: "pending", value: "true", checked: query.pending === "true" });
  const form = h(
    "form",
    { class: "inline", role: "search", "aria-label": "Tìm câu hỏi" },
    h("label", {}, "Tìm kiếm", q),
    h("label", {}, "Lĩnh vực", category),
    h("label", {}, "Trạng thái", status),
    h("label", { class: "check" }, h("span", {}, "Chờ xuất bản"), pending),
    h("button", { type: "submit" }, "Lọc"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(
      withParams("#/entries", {
        q: q.value.trim(),
        category: category.value,
        status: status.value,
        pending: pending.checked ? "true" : "",
      }),
    );
  });
  return form;
}
