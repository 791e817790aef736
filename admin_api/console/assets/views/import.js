// Nhập / xuất: the Q&A set out as CSV, Excel or JSON (everyone), and back in (editors): first a
// preview that saves nothing, then the import itself — all of the file or nothing.

import { api, download, session } from "../api.js";
import { field, h, replace, table } from "../dom.js";
import { act, flash } from "../ui.js";

const FORMATS = { xlsx: "Excel (.xlsx)", csv: "CSV (.csv)", json: "JSON (.json)" };
const STATUSES = { draft: "Bản nháp", published: "Đã xuất bản", archived: "Lưu trữ" };
const FIELDS = {
  category: "Lĩnh vực",
  question: "Câu hỏi chính",
  answer: "Câu trả lời",
  paraphrases: "Các cách hỏi khác",
  legal_basis: "Căn cứ pháp lý",
  level: "Cấp thực hiện",
  procedure_codes: "Mã thủ tục",
  links: "Đường dẫn tham khảo",
  reviewed: "Ngày rà soát",
  status: "Trạng thái",
};
const SHEETS = { entries: "Câu hỏi", categories: "Lĩnh vực" };
const LONG_LIST = 20;

function options(map, allLabel) {
  return [
    allLabel ? h("option", { value: "" }, allLabel) : null,
    Object.entries(map).map(([value, label]) => h("option", { value }, label)),
  ];
}

function entryLink(id) {
  return h("a", { href: `#/entry/${encodeURIComponent(id)}` }, id);
}

// A list of entry ids: short ones shown, long ones folded under a summary.
function idList(ids, summary) {
  const list = h("ul", { class: "ids" }, ids.map((id) => h("li", {}, entryLink(id))));
  if (ids.length <= LONG_LIST) return [h("p", {}, summary), list];
  return h("details", {}, h("summary", {}, summary), list);
}

function figure(value, label) {
  return h("div", { class: "figure" }, h("span", { class: "value" }, value.toLocaleString("vi-VN")), h("span", { class: "label" }, label));
}

function planView(plan, done = false) {
  const will = done ? "đã được" : "sẽ được";
  const changes = plan.created.length + plan.updated.length + plan.categories_created.length;
  const parts = [
    h("div", { class: "cards" },
      figure(plan.created.length, "câu hỏi mới"),
      figure(plan.updated.length, "câu hỏi được sửa"),
      figure(plan.unchanged, "câu hỏi không đổi"),
      figure(plan.categories_created.length, "lĩnh vực mới")),
  ];
  if (plan.created.length) parts.push(idList(plan.created, `Câu hỏi ${will} tạo mới (${plan.created.length}):`));
  if (plan.updated.length) {
    const rows = plan.updated.map((u) => h("tr", {},
      h("td", {}, entryLink(u.id)),
      h("td", {}, u.fields.map((f) => FIELDS[f] || f).join(", "))));
    const grid = table(["Mã câu hỏi", "Nội dung thay đổi"], rows, `Câu hỏi ${will} sửa (${plan.updated.length})`);
    parts.push(plan.updated.length > LONG_LIST
      ? h("details", {}, h("summary", {}, `Câu hỏi ${will} sửa (${plan.updated.length})`), grid)
      : grid);
  }
  if (plan.categories_created.length) {
    parts.push(h("p", {}, `Lĩnh vực ${will} tạo mới: `, plan.categories_created.join(", ")));
  }
  return { parts, changes };
}

function problemsView(error) {
  const detail = error.detail || {};
  const problems = Array.isArray(detail.problems) ? detail.problems : [];
  if (!problems.length) {
    return h("div", { class: "msg error", role: "alert" },
      h("p", {}, "Không đọc được tệp, chưa có gì được lưu."), h("p", {}, error.message));
  }
  const rows = problems.map((p) => h("tr", {},
    h("td", {}, SHEETS[p.sheet] || p.sheet || "—"),
    h("td", { class: "num" }, p.row === null || p.row === undefined ? "Cả tệp" : String(p.row)),
    h("td", {}, p.column || "Cả dòng"),
    h("td", { class: "pre" }, p.message)));
  return h("div", {},
    h("p", { class: "msg error", role: "alert" },
      `Tệp có ${problems.length} lỗi nên chưa có gì được nhập. Vui lòng sửa các dòng dưới đây rồi xem trước lại.`),
    h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": "Bảng lỗi trong tệp" },
      table(["Trang tính", "Dòng", "Cột", "Vấn đề"], rows, "Các lỗi trong tệp")),
    h("p", { class: "hint" }, "Số dòng là số dòng Excel hiển thị (dòng tiêu đề là dòng 1); với JSON là thứ tự trong danh sách."));
}

async function categoryOptions() {
  try {
    const categories = await api("GET", "/categories");
    return Object.fromEntries(categories.map((c) => [c.id, c.name]));
  } catch {
    return {};
  }
}

function exportSection(categories) {
  const format = h("select", { name: "format" }, options(FORMATS));
  const category = h("select", { name: "category" }, options(categories, "Tất cả lĩnh vực"));
  const status = h("select", { name: "status" }, options(STATUSES, "Tất cả trạng thái"));
  const button = h("button", { type: "submit" }, "Tải tệp xuất");
  const form = h(
    "form",
    { class: "card pane", "aria-labelledby": "export-title" },
    h("h2", { id: "export-title" }, "Xuất bộ câu hỏi – trả lời"),
    h("p", { class: "hint" },
      "Tệp chứa bản làm việc mới nhất của từng câu hỏi (đã xuất bản hay chưa) kèm số phiên bản. "
      + "Giữ nguyên cột phiên bản khi sửa tệp để nhập lại: hệ thống sẽ báo nếu có người đã sửa câu hỏi đó trong lúc này."),
    h("div", { class: "field-row" },
      field("Định dạng", format, "CSV không chứa danh sách lĩnh vực; Excel và JSON có."),
      field("Lĩnh vực", category),
      field("Trạng thái", status)),
    h("div", { class: "actions" }, button),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(button, async () => {
      const name = await download(
        "/export",
        { format: format.value, category: category.value, status: status.value },
        `hoidap-faq.${format.value}`,
      );
      flash(`Đã tải về tệp ${name}.`);
    });
  });
  return form;
}

function importSection() {
  const file = h("input", { type: "file", name: "file", accept: ".csv,.xlsx,.json", required: true });
  const format = h("select", { name: "format" }, h("option", { value: "" }, "Theo đuôi tệp"), options(FORMATS));
  const preview = h("button", { type: "submit" }, "Xem trước");
  const apply = h("button", { type: "button", disabled: true }, "Áp dụng");
  const applyHint = h("span", { class: "hint", id: "apply-hint" }, "Hãy xem trước tệp; nút Áp dụng chỉ dùng được khi tệp không có lỗi.");
  apply.setAttribute("aria-describedby", applyHint.id);
  const result = h("div", { class: "import-result", "aria-live": "polite" });
  let previewed = null; // {signature} of the file whose preview succeeded with changes

  const signature = () => {
    const chosen = file.files && file.files[0];
    return chosen ? `${chosen.name}|${chosen.size}|${chosen.lastModified}|${format.value}` : null;
  };
  const forget = () => {
    previewed = null;
    apply.disabled = true;
    applyHint.textContent = "Hãy xem trước tệp; nút Áp dụng chỉ dùng được khi tệp không có lỗi.";
    result.replaceChildren();
  };
  file.addEventListener("change", forget);
  format.addEventListener("change", forget);

  async function send(dryRun) {
    const chosen = file.files && file.files[0];
    if (!chosen) {
      flash("Vui lòng chọn tệp cần nhập.", "warn");
      file.focus();
      return null;
    }
    const form = new FormData();
    form.append("file", chosen, chosen.name);
    return api("POST", "/import", { query: { format: format.value, dry_run: dryRun }, form });
  }

  async function runPreview() {
    previewed = null;
    apply.disabled = true;
    const sent = signature();
    replace(result, h("p", {}, "Đang kiểm tra tệp…"));
    let plan;
    try {
      plan = await send(true);
    } catch (error) {
      replace(result, problemsView(error));
      applyHint.textContent = "Tệp có lỗi: hãy sửa rồi xem trước lại.";
      return;
    }
    if (!plan) { result.replaceChildren(); return; }
    const { parts, changes } = planView(plan);
    replace(
      result,
      h("h3", {}, "Kết quả xem trước (chưa lưu gì)"),
      parts,
      changes
        ? h("p", { class: "msg ok" }, "Tệp hợp lệ. Bấm “Áp dụng” để lưu các thay đổi trên.")
        : h("p", { class: "msg warn" }, "Tệp hợp lệ nhưng không có thay đổi nào so với dữ liệu hiện tại."),
    );
    if (changes && signature() === sent) {
      previewed = sent;
      apply.disabled = false;
      applyHint.textContent = "Các thay đổi được lưu thành bản nháp, chờ người có quyền xuất bản duyệt.";
    } else {
      applyHint.textContent = "Không có gì để áp dụng.";
    }
  }

  async function runApply() {
    if (!previewed || signature() !== previewed) {
      forget();
      flash("Tệp đã thay đổi sau khi xem trước. Vui lòng xem trước lại.", "warn");
      return;
    }
    let done;
    try {
      done = await send(false);
    } catch (error) {
      forget();
      if (error.status === 409) {
        replace(result, h("p", { class: "msg error", role: "alert" },
          "Có người vừa sửa một câu hỏi trong tệp trong lúc nhập, nên chưa có gì được lưu. Vui lòng xuất tệp mới hoặc xem trước lại."));
      } else {
        replace(result, problemsView(error));
      }
      return;
    }
    previewed = null;
    apply.disabled = true;
    applyHint.textContent = "Đã áp dụng. Chọn tệp khác để nhập tiếp.";
    const waiting = done.awaiting_publication || [];
    const { parts } = planView(done, true);
    replace(
      result,
      h("h3", {}, "Đã nhập tệp"),
      h("p", { class: "msg ok", role: "status" },
        done.applied
          ? `Đã lưu ${done.created.length} câu hỏi mới và ${done.updated.length} câu hỏi được sửa dưới dạng bản nháp. `
            + "Người dân chỉ thấy các thay đổi sau khi người có quyền xuất bản duyệt."
          : "Không có thay đổi nào được lưu."),
      parts,
      waiting.length ? idList(waiting, `Câu hỏi đang chờ xuất bản (${waiting.length}):`) : null,
      waiting.length && session.can("publisher") ? h("p", {}, h("a", { href: "#/publish" }, "Đến trang Xuất bản")) : null,
    );
    if (done.applied) flash("Đã nhập tệp; các thay đổi đang chờ xuất bản.");
  }

  const form = h(
    "form",
    { class: "card pane", "aria-labelledby": "import-title" },
    h("h2", { id: "import-title" }, "Nhập từ tệp"),
    h("p", { class: "hint" },
      "Tệp phải theo đúng mẫu của tệp xuất. Hệ thống kiểm tra cả tệp: nếu có lỗi thì không lưu dòng nào. "
      + "Câu hỏi mới được tạo thành bản nháp; câu hỏi đã có được sửa và chờ xuất bản lại. Tối đa 5 MB."),
    h("div", { class: "field-row" },
      field("Tệp cần nhập", file, "CSV (UTF-8), Excel (.xlsx) hoặc JSON"),
      field("Định dạng", format)),
    h("div", { class: "actions" }, preview, apply, applyHint),
    result,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(preview, runPreview);
  });
  apply.addEventListener("click", () => act(apply, runApply).then(() => { apply.disabled = !previewed; }));
  return form;
}

export async function render(body) {
  const categories = await categoryOptions();
  replace(
    body,
    exportSection(categories),
    session.can("editor")
      ? importSection()
      : h("section", { class: "card pane", "aria-labelledby": "import-title" },
        h("h2", { id: "import-title" }, "Nhập từ tệp"),
        h("p", {}, "Chỉ tài khoản có quyền biên tập trở lên mới nhập được dữ liệu. Bạn vẫn có thể xuất tệp để xem.")),
  );
}
