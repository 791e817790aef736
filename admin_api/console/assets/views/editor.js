// Soạn câu hỏi: one entry's fields, a live "test this question" panel, its versions with diff
// and revert, and publishing. A save carries the version it was based on; if another session
// saved first the API answers 409 and the form keeps what was typed.

import { api, session } from "../api.js";
import { dateTime, field, h, lines, replace, row, table } from "../dom.js";
import { act, flash, navigate } from "../ui.js";
import { statusBadge } from "./entries.js";
import { waitForBuild } from "./publish.js";

const LEVELS = { xa: "Cấp xã", tinh: "Cấp tỉnh", "trung-uong": "Trung ương" };
const FIELD_NAMES = {
  question: "Câu hỏi", answer: "Trả lời", paraphrases: "Cách hỏi khác", legal_basis: "Căn cứ pháp lý",
  category: "Lĩnh vực", links: "Liên kết", procedure_codes: "Mã thủ tục", level: "Cấp thực hiện", reviewed: "Ngày rà soát",
};
const DECISIONS = { answer: "Trả lời", suggest: "Gợi ý", catalog: "Danh mục TTHC", fallback: "Không trả lời được" };

export async function render(body, { arg, heading }) {
  const isNew = arg === "new" || arg === "";
  const [categories, entry] = await Promise.all([
    api("GET", "/categories"),
    isNew ? Promise.resolve(null) : api("GET", `/entries/${encodeURIComponent(arg)}`),
  ]);
  heading.textContent = isNew ? "Thêm câu hỏi mới" : `Soạn: ${entry.question}`;
  const form = entryForm(entry, categories);
  const side = h("div", {}, testPanel());
  replace(body, h("div", { class: "editor" }, h("div", {}, form.node), side));
  if (!isNew) {
    side.prepend(statusCard(entry));
    side.append(await versionsCard(entry));
  }
}

function entryForm(entry, categories) {
  const e = entry || {};
  const editable = session.can("editor");
  const controls = {
    id: h("input", { name: "id", required: true, pattern: "[a-z0-9][a-z0-9.\\-]{2,119}", value: e.id || "", readonly: !!entry }),
    category: h("select", { name: "category", required: true },
      categories.map((c) => h("option", { value: c.id, selected: c.id === e.category }, c.name))),
    question: h("input", { name: "question", required: true, value: e.question || "" }),
    answer: h("textarea", { name: "answer", required: true, class: "answer" }, e.answer || ""),
    paraphrases: h("textarea", { name: "paraphrases" }, (e.paraphrases || []).join("\n")),
    legal_basis: h("textarea", { name: "legal_basis" }, (e.legal_basis || []).join("\n")),
    links: h("textarea", { name: "links" }, (e.links || []).join("\n")),
    procedure_codes: h("input", { name: "procedure_codes", value: (e.procedure_codes || []).join(", ") }),
    reviewed: h("input", { name: "reviewed", type: "date", value: e.reviewed || "" }),
  };
  const levels = Object.entries(LEVELS).map(([value, label]) =>
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "level", value, checked: (e.level || []).includes(value) }), ` ${label}`),
  );
  const status = h("div", { id: "save-status", role: "status", "aria-live": "polite" });
  const save = h("button", { type: "submit", hidden: !editable }, entry ? "Lưu bản nháp" : "Tạo bản nháp");
  const node = h(
    "form",
    { id: "entry-form", "aria-label": "Nội dung câu hỏi" },
    field("Mã câu hỏi", controls.id, entry ? "Mã cố định, dùng trong đường dẫn công khai." : "Chữ thường không dấu, số và dấu gạch ngang, ví dụ: can-cuoc-cap-lai-khi-mat."),
    field("Lĩnh vực", controls.category),
    field("Câu hỏi", controls.question),
    field("Trả lời", controls.answer, "Văn bản thuần; mỗi ý một dòng. Mọi ký tự được hiển thị nguyên văn."),
    field("Cách hỏi khác", controls.paraphrases, "Mỗi dòng một cách hỏi, như người dân hay gõ (có thể không dấu)."),
    field("Căn cứ pháp lý", controls.legal_basis, "Mỗi dòng một văn bản. Bắt buộc trước khi xuất bản."),
    field("Liên kết", controls.links, "Mỗi dòng một đường dẫn https://"),
    field("Mã thủ tục", controls.procedure_codes, "Cách nhau bằng dấu phẩy."),
    h("fieldset", {}, h("legend", {}, "Cấp thực hiện"), levels),
    field("Ngày rà soát", controls.reviewed),
    status,
    save,
  );
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    act(save, () => submit(entry, controls, node, status));
  });
  if (!editable) for (const control of node.elements) control.disabled = control !== save;
  return { node };
}

function values(controls, form) {
  return {
    category: controls.category.value,
    question: controls.question.value.trim(),
    answer: controls.answer.value.trim(),
    paraphrases: lines(controls.paraphrases.value),
    legal_basis: lines(controls.legal_basis.value),
    links: lines(controls.links.value),
    procedure_codes: controls.procedure_codes.value.split(",").map((s) => s.trim()).filter(Boolean),
    level: [...form.querySelectorAll("input[name=level]:checked")].map((c) => c.value),
    reviewed: controls.reviewed.value || null,
  };
}

// Only what the editor changed is sent, so the version history names the fields really edited
// (and a field left out of a PATCH keeps its value, which is how an empty date is kept empty).
function changedValues(entry, edited) {
  const changes = {};
  for (const [name, value] of Object.entries(edited)) {
    const before = entry[name] === undefined ? null : entry[name];
    if (JSON.stringify(before) !== JSON.stringify(value) && value !== null) changes[name] = value;
  }
  return changes;
}

async function submit(entry, controls, form, status) {
  try {
    if (!entry) {
      const created = await api("POST", "/entries", { json: { id: controls.id.value.trim(), ...values(controls, form) } });
      flash(`Đã tạo bản nháp “${created.question}”. Bản nháp cần được xuất bản trước khi người dân thấy.`);
      navigate(`#/entry/${encodeURIComponent(created.id)}`);
      return;
    }
    const changes = changedValues(entry, values(controls, form));
    if (!Object.keys(changes).length) {
      flash("Không có thay đổi nào để lưu.", "warn");
      return;
    }
    const saved = await api("PATCH", `/entries/${encodeURIComponent(entry.id)}`, {
      json: { base_version: entry.version, ...changes },
    });
    flash(`Đã lưu phiên bản ${saved.version}. Thay đổi chờ xuất bản.`);
    navigate(`#/entry/${encodeURIComponent(saved.id)}`);
  } catch (error) {
    if (error.status !== 409) throw error;
    showConflict(status, entry, error.detail);
  }
}

// Another session saved first: say so, keep the typed text, offer to open the newer version.
function showConflict(status, entry, detail) {
  const current = detail && detail.current_version ? ` (phiên bản ${detail.current_version})` : "";
  replace(
    status,
    h(
      "div",
      { class: "msg error conflict", role: "alert" },
      h("p", {}, `Xung đột: người khác đã lưu câu hỏi này sau khi bạn mở nó${current}. Thay đổi của bạn CHƯA được lưu.`),
      h("p", {}, "Nội dung bạn vừa nhập vẫn còn trong biểu mẫu: hãy sao chép phần cần giữ, rồi mở phiên bản mới nhất để sửa tiếp."),
      h("button", { type: "button", class: "secondary", onclick: () => navigate(`#/entry/${encodeURIComponent(entry.id)}`) }, "Mở phiên bản mới nhất"),
    ),
  );
}

function statusCard(entry) {
  const progress = h("div", { id: "publish-progress", role: "status", "aria-live": "polite" });
  const buttons = [];
  if (session.can("publisher")) {
    const publish = h("button", { type: "button", id: "publish-entry" }, "Xuất bản");
    publish.addEventListener("click", () =>
      act(publish, async () => {
        const before = await api("GET", "/index/status");
        const done = await api("POST", `/entries/${encodeURIComponent(entry.id)}/publish`, { json: { base_version: entry.version } });
        flash(`Đã xuất bản phiên bản ${done.version}. Đang cập nhật chỉ mục tìm kiếm…`);
        await waitForBuild(progress, before.index_version);
        navigate(`#/entry/${encodeURIComponent(entry.id)}`);
      }),
    );
    const archive = h("button", { type: "button", class: "danger" }, "Lưu trữ (ngừng phục vụ)");
    archive.addEventListener("click", () =>
      act(archive, async () => {
        const before = await api("GET", "/index/status");
        await api("POST", `/entries/${encodeURIComponent(entry.id)}/archive`, { json: { base_version: entry.version } });
        flash("Đã lưu trữ câu hỏi; người dân sẽ không còn nhận được câu trả lời này.");
        await waitForBuild(progress, before.index_version);
        navigate(`#/entry/${encodeURIComponent(entry.id)}`);
      }),
    );
    if (entry.status !== "published" || entry.pending) buttons.push(publish);
    if (entry.status !== "archived") buttons.push(archive);
  }
  const served = entry.published_version ? `Người dân đang nhận phiên bản ${entry.published_version}.` : "Chưa từng xuất bản.";
  return h(
    "section",
    { class: "card" },
    h("h2", {}, "Trạng thái"),
    h("p", {}, statusBadge(entry), ` Phiên bản ${entry.version}, sửa lúc ${dateTime(entry.updated_at)} bởi ${entry.updated_by}.`),
    h("p", {}, served),
    h("div", { class: "actions" }, buttons),
    progress,
  );
}

function testPanel() {
  const question = h("input", { id: "test-question", name: "question", required: true, placeholder: "Ví dụ: lam lai cccd o dau" });
  const result = h("div", { id: "test-result", "aria-live": "polite" });
  const run = h("button", { type: "submit" }, "Thử");
  const form = h("form", { class: "card", "aria-labelledby": "test-title" },
    h("h2", { id: "test-title" }, "Thử câu hỏi"),
    h("p", { class: "hint" }, "So sánh câu trả lời theo các bản nháp hiện tại với câu trả lời người dân đang nhận. Không ghi nhật ký."),
    field("Câu hỏi của người dân", question), run, result);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(run, async () => {
      const comparison = await api("POST", "/test", { json: { question: question.value } });
      replace(result, outcome("Theo bản nháp", comparison.draft), outcome("Người dân đang nhận", comparison.published));
    });
  });
  return form;
}

function outcome(title, answer) {
  const target = answer.entry_id ? h("a", { href: `#/entry/${encodeURIComponent(answer.entry_id)}` }, answer.entry_id) : "—";
  return h(
    "div",
    { class: "outcome" },
    h("h3", {}, title),
    h("p", {}, `${DECISIONS[answer.decision] || answer.decision} · `, target),
    table(["Ứng viên", "Điểm"], answer.candidates.slice(0, 3).map((c) => row(c.question, c.score.toFixed(3)))),
  );
}

async function versionsCard(entry) {
  const versions = await api("GET", `/entries/${encodeURIComponent(entry.id)}/versions`);
  const diffBox = h("div", { id: "diff", "aria-live": "polite" });
  const rows = versions.map((v) =>
    row(String(v.version), dateTime(v.changed_at), v.changed_by, v.summary, versionActions(entry, v, diffBox)),
  );
  return h("section", { class: "card" }, h("h2", {}, "Lịch sử phiên bản"),
    table(["Phiên bản", "Lúc", "Người sửa", "Tóm tắt", ""], rows), diffBox);
}

function versionActions(entry, version, diffBox) {
  if (version.version === entry.version) return "hiện tại";
  const compare = h("button", { type: "button", class: "secondary" }, "So sánh");
  compare.addEventListener("click", () =>
    act(compare, async () => {
      const diff = await api("GET", `/entries/${encodeURIComponent(entry.id)}/diff`, { query: { from: version.version, to: entry.version } });
      replace(diffBox, diffView(diff));
    }),
  );
  const buttons = [compare];
  if (session.can("editor")) {
    const revert = h("button", { type: "button", class: "secondary" }, "Khôi phục");
    revert.addEventListener("click", () =>
      act(revert, async () => {
        const saved = await api("POST", `/entries/${encodeURIComponent(entry.id)}/revert`, {
          json: { version: version.version, base_version: entry.version },
        });
        flash(`Đã khôi phục nội dung phiên bản ${version.version} thành phiên bản mới ${saved.version} (chờ xuất bản).`);
        navigate(`#/entry/${encodeURIComponent(entry.id)}`);
      }),
    );
    buttons.push(revert);
  }
  return h("div", { class: "actions" }, buttons);
}

function asText(value) {
  return Array.isArray(value) ? value.join("\n") : value === null || value === undefined ? "" : String(value);
}

function diffView(diff) {
  const names = Object.keys(diff.changes);
  if (!names.length) return h("p", {}, "Hai phiên bản có nội dung giống nhau.");
  return h(
    "div",
    { class: "diff" },
    h("h3", {}, `Khác nhau giữa phiên bản ${diff.from_version} và ${diff.to_version}`),
    table(["Trường", `Phiên bản ${diff.from_version}`, `Phiên bản ${diff.to_version}`],
      names.map((name) => row(FIELD_NAMES[name] || name,
        h("del", { class: "pre" }, asText(diff.changes[name].from)),
        h("ins", { class: "pre" }, asText(diff.changes[name].to))))),
  );
}
