// Tổng quan: the period's figures, charts drawn by the server, and the tables staff act on.

import { blob } from "../api.js";
import { api } from "../api.js";
import { h, percent, replace, row, table } from "../dom.js";
import { navigate, periodForm, withParams } from "../ui.js";

const CHARTS = [
  ["daily", "Số câu hỏi mỗi ngày theo kết quả"],
  ["satisfaction", "Tỷ lệ hài lòng theo thời gian"],
  ["channels", "Theo kênh"],
  ["categories", "Theo lĩnh vực"],
];
const objectUrls = [];

export async function render(body, { params }) {
  const period = periodForm(params, (p) => navigate(withParams("#/dashboard", p)));
  const content = h("div", { "aria-busy": "true" }, h("p", {}, "Đang tải số liệu…"));
  replace(body, period.form, content);
  const chosen = period.value();
  const [stats, groups] = await Promise.all([
    api("GET", "/stats", { query: { ...chosen, top: 10 } }),
    api("GET", "/unanswered/groups", { query: { ...chosen, limit: 8 } }),
  ]);
  replace(
    content,
    figures(stats.summary),
    h("div", { class: "charts" }, CHARTS.map(([name, title]) => chart(name, title, chosen))),
    topQuestions(stats.top_questions),
    worstRated(stats.worst_rated),
    unansweredGroups(groups),
  );
  content.removeAttribute("aria-busy");
}

function figures(s) {
  const cards = [
    ["Câu hỏi", s.questions],
    ["Trả lời được", percent(s.answered_rate)],
    ["Gợi ý", percent(s.suggested_rate)],
    ["Không trả lời được", percent(s.fallback_rate)],
    ["Lượt đánh giá", s.rated],
    ["Hài lòng", percent(s.satisfaction_rate)],
    ["Thời gian trả lời (trung vị)", s.median_latency_ms === null ? "—" : `${Math.round(s.median_latency_ms)} ms`],
  ];
  return h(
    "div",
    { class: "cards", id: "figures" },
    cards.map(([label, value]) =>
      h("div", { class: "figure" }, h("span", { class: "value" }, value), h("span", { class: "label" }, label)),
    ),
  );
}

// Charts are SVG files the API draws; fetched with the token, shown through a blob: URL.
function chart(name, title, period) {
  const img = h("img", { alt: `Biểu đồ: ${title}`, width: 640, height: 360 });
  const figure = h("figure", { id: `chart-${name}` }, h("figcaption", {}, title), img);
  blob(`/stats/charts/${name}.svg`, period)
    .then((response) => response.blob())
    .then((data) => {
      while (objectUrls.length > 8) URL.revokeObjectURL(objectUrls.shift());
      const href = URL.createObjectURL(data);
      objectUrls.push(href);
      img.src = href;
    })
    .catch((error) => figure.append(h("p", { class: "msg error" }, error.message)));
  return figure;
}

function entryLink(id, text) {
  return id ? h("a", { href: `#/entry/${encodeURIComponent(id)}` }, text || id) : "—";
}

function topQuestions(items) {
  return h(
    "section",
    {},
    h("h2", {}, "Câu hỏi được hỏi nhiều nhất"),
    table(["Câu hỏi (đã che thông tin cá nhân)", "Số lượt"], items.map((q) => row(q.text, q.count))),
  );
}

function worstRated(items) {
  return h(
    "section",
    {},
    h("h2", {}, "Câu trả lời bị đánh giá thấp nhất"),
    table(
      ["Câu hỏi", "Lĩnh vực", "Lượt hỏi", "Lượt đánh giá", "Hài lòng"],
      items.map((e) => row(entryLink(e.entry_id, e.question), e.category || "—", e.count, e.rated, percent(e.satisfaction_rate))),
    ),
  );
}

function unansweredGroups(list) {
  return h(
    "section",
    {},
    h("h2", {}, "Nhóm câu hỏi chưa trả lời được"),
    table(
      ["Nhóm (câu hỏi tiêu biểu)", "Số lượt", "Câu hỏi gần nhất đã có"],
      list.groups.map((g) => row(g.label, g.count, g.nearest_entry ? entryLink(g.nearest_entry.id, g.nearest_entry.question) : "—")),
    ),
    h("p", {}, h("a", { href: "#/unanswered" }, "Xử lý hàng đợi câu hỏi chưa trả lời được ›")),
  );
}
