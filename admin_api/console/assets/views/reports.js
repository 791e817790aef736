// Báo cáo định kỳ: the quarterly, half-yearly or yearly report, as the office files it.

import { download } from "../api.js";
import { field, h, replace } from "../dom.js";
import { act, flash } from "../ui.js";

const KINDS = { quarter: "Quý", half: "6 tháng", year: "Cả năm" };
const NUMBERS = {
  quarter: [[1, "Quý I (tháng 1–3)"], [2, "Quý II (tháng 4–6)"], [3, "Quý III (tháng 7–9)"], [4, "Quý IV (tháng 10–12)"]],
  half: [[1, "6 tháng đầu năm (tháng 1–6)"], [2, "6 tháng cuối năm (tháng 7–12)"]],
};
const MONTHS = { quarter: 3, half: 6, year: 12 };
const FORMATS = { xlsx: "Bảng tính Excel (.xlsx)", html: "Trang web để in (.html)" };

// Today in Vietnam, as {year, month 1–12}.
function today() {
  const [year, month] = new Date().toLocaleDateString("sv-SE", { timeZone: "Asia/Ho_Chi_Minh" }).split("-");
  return { year: Number(year), month: Number(month) };
}

// The latest period of this kind that has ended (what is usually reported).
function lastComplete(kind) {
  const now = today();
  if (kind === "year") return { year: now.year - 1, number: null };
  const current = Math.floor((now.month - 1) / MONTHS[kind]) + 1;
  return current === 1 ? { year: now.year - 1, number: NUMBERS[kind].length } : { year: now.year, number: current - 1 };
}

function notEnded(kind, year, number) {
  const now = today();
  if (year !== now.year) return year > now.year;
  if (kind === "year") return true;
  return number * MONTHS[kind] >= now.month;
}

export async function render(body) {
  const kind = h("select", { name: "period" },
    Object.entries(KINDS).map(([value, label]) => h("option", { value }, label)));
  const year = h("input", { type: "number", name: "year", min: 2000, max: 2100, step: 1, required: true, inputmode: "numeric" });
  const number = h("select", { name: "number" });
  const numberField = field("Kỳ", number);
  const format = h("select", { name: "format" },
    Object.entries(FORMATS).map(([value, label]) => h("option", { value }, label)));
  const note = h("p", { class: "msg warn", hidden: true });
  const submit = h("button", { type: "submit" }, "Tải báo cáo");

  function fillNumbers(chosenKind, selected) {
    replace(number, (NUMBERS[chosenKind] || []).map(([value, label]) =>
      h("option", { value, selected: value === selected }, label)));
    numberField.hidden = chosenKind === "year";
  }
  function useLastComplete() {
    const last = lastComplete(kind.value);
    year.value = last.year;
    fillNumbers(kind.value, last.number);
    checkEnded();
  }
  function checkEnded() {
    const y = Number(year.value);
    const n = kind.value === "year" ? null : Number(number.value);
    const open = y >= 2000 && notEnded(kind.value, y, n);
    note.hidden = !open;
    note.textContent = open
      ? "Kỳ này chưa kết thúc: số liệu chỉ tính đến thời điểm tải báo cáo và sẽ còn thay đổi."
      : "";
  }
  kind.addEventListener("change", useLastComplete);
  year.addEventListener("input", checkEnded);
  number.addEventListener("change", checkEnded);

  const form = h(
    "form",
    { class: "card pane report-form", "aria-labelledby": "report-form-title" },
    h("h2", { id: "report-form-title" }, "Chọn kỳ báo cáo"),
    h("div", { class: "field-row" },
      field("Loại kỳ", kind),
      field("Năm", year),
      numberField,
      field("Định dạng", format, "Excel để lưu và tổng hợp; trang web để xem và in ngay.")),
    note,
    h("div", { class: "actions" },
      submit,
      h("button", { type: "button", class: "secondary", onclick: useLastComplete }, "Kỳ gần nhất đã kết thúc")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const y = Number(year.value);
    if (!Number.isInteger(y) || y < 2000 || y > 2100) {
      flash("Vui lòng nhập năm từ 2000 đến 2100.", "warn");
      year.focus();
      return;
    }
    const query = {
      period: kind.value,
      year: y,
      number: kind.value === "year" ? undefined : number.value,
      format: format.value,
    };
    act(submit, async () => {
      const name = await download("/reports/periodic", query, `bao-cao.${format.value}`);
      flash(`Đã tải về báo cáo ${name}.`);
    });
  });

  replace(
    body,
    h("p", {}, "Báo cáo kết quả trả lời hỏi đáp thủ tục hành chính theo quý, 6 tháng hoặc năm, "
      + "theo mẫu cơ quan lưu hồ sơ. Ngày giờ tính theo giờ Việt Nam."),
    form,
    h(
      "section",
      { class: "card pane", "aria-labelledby": "report-contents" },
      h("h2", { id: "report-contents" }, "Báo cáo gồm những gì"),
      h("ul", {},
        h("li", {}, h("strong", {}, "Tổng hợp: "),
          "số câu hỏi; số trả lời trực tiếp, gợi ý câu hỏi tương tự, trả lời bằng thẻ thủ tục và chưa có câu trả lời; "
          + "lượt đánh giá và tỷ lệ hài lòng; thời gian phản hồi trung vị. Mỗi chỉ tiêu được so với kỳ liền trước "
          + "(quý III so với quý II, 6 tháng đầu năm so với 6 tháng cuối năm trước, năm so với năm trước): "
          + "số liệu ghi mức tăng, giảm; tỷ lệ ghi chênh lệch theo điểm phần trăm."),
        h("li", {}, h("strong", {}, "Theo lĩnh vực: "), "kết quả trả lời và đánh giá của từng lĩnh vực."),
        h("li", {}, h("strong", {}, "Chưa trả lời được: "),
          "các chủ đề người dân hỏi nhiều mà hệ thống chưa có câu trả lời."),
        h("li", {}, h("strong", {}, "Việc đã thực hiện: "), "số câu hỏi – trả lời được bổ sung mới, cập nhật, xuất bản, lưu trữ trong kỳ, kèm danh sách từng câu."),
      ),
      h("p", { class: "hint" }, "Tệp Excel có bốn trang tính tương ứng; trang web có cùng nội dung, in được trực tiếp. "
        + "Mỗi lần tải báo cáo được ghi vào nhật ký thao tác."),
    ),
  );
  useLastComplete();
}
