// Chưa trả lời được: fallbacks, handoffs and 👎 grouped by meaning, each group turned into a new
// entry, added as phrasings of an existing one, or ignored — in one step.

import { api, session } from "../api.js";
import { dateTime, field, h, lines, replace, row, table } from "../dom.js";
import { act, flash, navigate, pager, periodForm, withParams } from "../ui.js";

const REASONS = { fallback: "không trả lời được", handoff: "chuyển cán bộ", unhelpful: "bị đánh giá 👎" };
const STATUSES = { new: "Mới", in_progress: "Đang xử lý", resolved: "Đã xử lý", ignored: "Bỏ qua" };

export async function render(body, { params }) {
  const period = periodForm(params, (p) => navigate(withParams("#/unanswered", { ...params, ...p })));
  const chosen = period.value();
  const view = params.view === "list" ? "list" : "groups";
  const tabs = h("p", { class: "actions" },
    h("a", { class: `button ${view === "groups" ? "" : "secondary"}`, href: withParams("#/unanswered", { ...chosen, view: "groups" }) }, "Theo nhóm"),
    h("a", { class: `button ${view === "list" ? "" : "secondary"}`, href: withParams("#/unanswered", { ...chosen, view: "list" }) }, "Từng câu hỏi"));
  const content = h("div", {}, h("p", {}, "Đang nhóm các câu hỏi…"));
  replace(body, period.form, tabs, content);
  if (view === "list") return renderList(content, chosen, params);
  const [list, categories] = await Promise.all([
    api("GET", "/unanswered/groups", { query: { ...chosen, limit: 50 } }),
    api("GET", "/categories"),
  ]);
  const hidden = list.hidden_as_ignored ? ` ${list.hidden_as_ignored} câu hỏi giống câu đã bỏ qua được ẩn.` : "";
  replace(content,
    h("p", {}, `${list.questions} câu hỏi chưa xử lý, ${list.groups.length} nhóm.${hidden}`),
    list.groups.length ? list.groups.map((g) => groupCard(g, categories)) : h("p", {}, "Không có câu hỏi nào cần xử lý trong kỳ này."));
}

function reasons(counts) {
  return Object.entries(counts).map(([k, n]) => `${n} ${REASONS[k] || k}`).join(", ");
}

function groupCard(group, categories) {
  const panel = h("div", { class: "group-panel" });
  const card = h("article", { class: "group" },
    h("h2", {}, group.label),
    h("p", {}, `${group.count} lượt (${reasons(group.reasons)}) · ${dateTime(group.first_seen)} – ${dateTime(group.last_seen)}`),
    h("ul", {}, group.examples.map((q) => h("li", {}, q))),
    group.nearest_entry
      ? h("p", {}, "Câu hỏi gần nhất đã có: ", h("a", { href: `#/entry/${encodeURIComponent(group.nearest_entry.id)}` }, group.nearest_entry.question))
      : null,
    panel);
  if (!session.can("editor")) return card;
  const buttons = h("div", { class: "actions" },
    h("button", { type: "button", onclick: () => replace(panel, newEntryForm(group, categories)) }, "Tạo câu hỏi mới"),
    h("button", { type: "button", class: "secondary", onclick: () => replace(panel, phrasingForm(group)) }, "Thêm làm cách hỏi khác"),
    ignoreButton(group));
  card.insertBefore(buttons, panel);
  return card;
}

function ignoreButton(group) {
  const button = h("button", { type: "button", class: "secondary" }, "Bỏ qua");
  button.addEventListener("click", () => act(button, async () => {
    const done = await api("POST", "/unanswered/ignore", { json: { interaction_ids: group.interaction_ids } });
    flash(`Đã bỏ qua ${done.changed} câu hỏi; các câu hỏi rất giống về sau cũng được ẩn.`);
    navigate(location.hash);
  }));
  return button;
}

function newEntryForm(group, categories) {
  const id = h("input", { required: true, pattern: "[a-z0-9][a-z0-9.\\-]{2,119}", placeholder: "vi-du-ma-cau-hoi" });
  const category = h("select", { required: true }, categories.map((c) => h("option", { value: c.id }, c.name)));
  const question = h("input", { required: true, value: group.label });
  const answer = h("textarea", { required: true });
  const legal = h("textarea", {});
  const save = h("button", { type: "submit" }, "Tạo bản nháp");
  const form = h("form", { class: "card", "aria-label": "Tạo câu hỏi mới từ nhóm" },
    field("Mã câu hỏi", id), field("Lĩnh vực", category), field("Câu hỏi", question),
    field("Trả lời", answer), field("Căn cứ pháp lý", legal, "Mỗi dòng một văn bản."),
    h("p", { class: "hint" }, "Các câu hỏi trong nhóm sẽ trở thành cách hỏi khác của câu hỏi mới."), save);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(save, async () => {
      const created = await api("POST", "/unanswered/to-entry", { json: {
        interaction_ids: group.interaction_ids, id: id.value.trim(), category: category.value,
        question: question.value.trim(), answer: answer.value.trim(), legal_basis: lines(legal.value),
      } });
      flash(`Đã tạo bản nháp “${created.question}”; cần xuất bản để người dân nhận được.`);
      navigate(`#/entry/${encodeURIComponent(created.id)}`);
    });
  });
  return form;
}

function phrasingForm(group) {
  const entry = h("input", { required: true, value: group.nearest_entry ? group.nearest_entry.id : "" });
  const save = h("button", { type: "submit" }, "Thêm");
  const form = h("form", { class: "card inline", "aria-label": "Thêm làm cách hỏi khác" },
    h("label", {}, "Mã câu hỏi đã có", entry), save);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(save, async () => {
      const current = await api("GET", `/entries/${encodeURIComponent(entry.value.trim())}`);
      const saved = await api("POST", "/unanswered/to-phrasings", { json: {
        interaction_ids: group.interaction_ids, entry_id: current.id, base_version: current.version,
      } });
      flash(`Đã thêm ${saved.paraphrases.length - current.paraphrases.length} cách hỏi vào “${saved.question}” (chờ xuất bản).`);
      navigate(location.hash);
    });
  });
  return form;
}

async function renderList(content, chosen, params) {
  const query = { ...chosen, status: params.status || "", offset: Number(params.offset || 0), limit: 50 };
  const page = await api("GET", "/unanswered", { query });
  const boxes = page.items.map((i) => h("input", { type: "checkbox", value: i.interaction_id, "aria-label": `Chọn: ${i.question}` }));
  const status = h("select", { "aria-label": "Trạng thái mới" },
    Object.entries(STATUSES).filter(([k]) => k !== "ignored").map(([k, label]) => h("option", { value: k }, label)));
  const apply = h("button", { type: "button" }, "Đặt trạng thái cho các mục đã chọn");
  apply.addEventListener("click", () => act(apply, async () => {
    const ids = boxes.filter((b) => b.checked).map((b) => b.value);
    if (!ids.length) return flash("Hãy chọn ít nhất một câu hỏi.", "warn");
    const done = await api("POST", "/unanswered/status", { json: { interaction_ids: ids, status: status.value } });
    flash(`Đã cập nhật ${done.changed} câu hỏi.`);
    navigate(location.hash);
  }));
  replace(content,
    table(["", "Lúc", "Kênh", "Câu hỏi (đã che thông tin cá nhân)", "Lý do", "Trạng thái"],
      page.items.map((item, i) => row(boxes[i], dateTime(item.created_at), item.channel, item.question,
        item.reasons.map((r) => REASONS[r] || r).join(", ") + (item.comment ? ` — “${item.comment}”` : ""),
        STATUSES[item.status] || item.status))),
    session.can("editor") ? h("div", { class: "toolbar" }, status, apply) : null,
    pager(page, (offset) => navigate(withParams("#/unanswered", { ...query, view: "list", limit: undefined, offset }))));
}
