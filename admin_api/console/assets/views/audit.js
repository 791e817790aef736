// Nhật ký thao tác (admins): who did what and when, newest first, filtered by person and action.

import { api } from "../api.js";
import { dateTime, h, replace, table } from "../dom.js";
import { errorBox, navigate, withParams } from "../ui.js";

const LIMIT = 50;
// The actions the API records (audit(...) calls in admin_api/).
const ACTIONS = {
  login: "Đăng nhập",
  login_failed: "Đăng nhập không thành công",
  entry_create: "Tạo câu hỏi",
  entry_update: "Sửa câu hỏi",
  entry_phrasings: "Thêm cách hỏi",
  entry_revert: "Khôi phục phiên bản",
  entry_published: "Xuất bản câu hỏi",
  entry_archived: "Lưu trữ câu hỏi",
  category_create: "Tạo lĩnh vực",
  category_update: "Sửa lĩnh vực",
  category_delete: "Xoá lĩnh vực",
  suggestions_decided: "Quyết định gợi ý cách hỏi",
  unanswered_status: "Đổi trạng thái câu chưa trả lời",
  unanswered_ignore: "Bỏ qua câu chưa trả lời",
  unanswered_unignore: "Thôi bỏ qua câu chưa trả lời",
  export: "Xuất dữ liệu",
  import: "Nhập dữ liệu",
  report: "Tải báo cáo",
  user_create: "Tạo tài khoản",
  user_update: "Sửa tài khoản",
};

function actionCell(code) {
  return ACTIONS[code] ? [ACTIONS[code], h("div", { class: "hint" }, h("code", {}, code))] : h("code", {}, code);
}

function detailCell(detail) {
  if (!detail || !Object.keys(detail).length) return "—";
  return h("code", { class: "detail" }, JSON.stringify(detail));
}

export async function render(body, { params }) {
  const filters = { actor: (params.actor || "").trim(), action: (params.action || "").trim() };
  const offset = Math.max(0, parseInt(params.offset, 10) || 0);

  const actor = h("input", {
    type: "search", name: "actor", value: filters.actor, maxlength: 64, autocomplete: "off", spellcheck: "false",
    placeholder: "vd. bientap01",
  });
  const known = Object.entries(ACTIONS);
  if (filters.action && !(filters.action in ACTIONS)) known.push([filters.action, filters.action]);
  const action = h("select", { name: "action" },
    h("option", { value: "" }, "Tất cả thao tác"),
    known.map(([code, label]) => h("option", { value: code, selected: code === filters.action }, label)));
  const form = h(
    "form",
    { class: "inline", role: "search", "aria-label": "Lọc nhật ký thao tác" },
    h("label", {}, "Người thực hiện (tên đăng nhập)", actor),
    h("label", {}, "Thao tác", action),
    h("button", { type: "submit" }, "Lọc"),
    h("button", { type: "button", class: "secondary", onclick: () => navigate("#/audit") }, "Xoá bộ lọc"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(withParams("#/audit", { actor: actor.value.trim(), action: action.value }));
  });
  const results = h("div", { "aria-live": "polite" }, h("p", {}, "Đang tải…"));
  replace(body, form, results);

  let events;
  try {
    // One more than shown: the API gives no total, so this tells whether a next page exists.
    events = await api("GET", "/audit", { query: { ...filters, offset, limit: LIMIT + 1 } });
  } catch (error) {
    replace(results, errorBox(error));
    return;
  }
  const more = events.length > LIMIT;
  const shown = events.slice(0, LIMIT);
  const rows = shown.map((e) => h("tr", {},
    h("td", { class: "nowrap" }, dateTime(e.at)),
    h("td", {}, h("a", { href: withParams("#/audit", { actor: e.actor }), title: `Chỉ xem thao tác của ${e.actor}` }, e.actor)),
    h("td", {}, actionCell(e.action)),
    h("td", { class: "pre" }, e.target || "—"),
    h("td", {}, detailCell(e.detail))));
  const goTo = (next) => navigate(withParams("#/audit", { ...filters, offset: next > 0 ? next : "" }));
  const page = Math.floor(offset / LIMIT) + 1;
  const grid = table(["Thời gian", "Người thực hiện", "Thao tác", "Đối tượng", "Chi tiết"], rows, "Nhật ký thao tác, mới nhất trước");
  grid.id = "audit-table";
  replace(
    results,
    h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": "Bảng nhật ký thao tác" }, grid),
    offset > 0 || more
      ? h("nav", { class: "pager", "aria-label": "Phân trang" },
        h("button", { type: "button", disabled: offset === 0, onclick: () => goTo(offset - LIMIT) }, "‹ Mới hơn"),
        h("span", {}, `Trang ${page} · mục ${shown.length ? offset + 1 : 0}–${offset + shown.length}`),
        h("button", { type: "button", disabled: !more, onclick: () => goTo(offset + LIMIT) }, "Cũ hơn ›"))
      : null,
  );
}
