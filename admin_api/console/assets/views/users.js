// Tài khoản (admins): staff accounts, their roles, locking and password resets.

import { api, ApiError, session } from "../api.js";
import { dateTime, field, h, replace } from "../dom.js";
import { act, errorBox, flash } from "../ui.js";

const ROLES = {
  viewer: "Xem",
  editor: "Biên tập",
  publisher: "Xuất bản",
  admin: "Quản trị",
};
const ROLE_HINT = "Xem: đọc nội dung, nhật ký, báo cáo · Biên tập: thêm, sửa bản nháp, nhập tệp · "
  + "Xuất bản: thêm quyền xuất bản, lưu trữ · Quản trị: toàn quyền, kể cả tài khoản và nhật ký thao tác.";
const MIN_PASSWORD = 12; // admin_api/users_model.py UserCreate.password
const USERNAME = "[a-z0-9][a-z0-9._\\-]{2,63}"; // admin_api/users_model.py USERNAME

function roleSelect(value, attrs = {}) {
  return h("select", attrs, Object.entries(ROLES).map(([code, label]) =>
    h("option", { value: code, selected: code === value }, label)));
}

function explain(error) {
  if (error instanceof ApiError && error.status === 409) {
    const text = typeof error.detail === "string" ? error.detail : "";
    if (text.startsWith("username")) return "Tên đăng nhập này đã được dùng. Vui lòng chọn tên khác.";
    if (text.includes("demote") || text.includes("disable")) {
      return "Bạn không thể tự hạ quyền hoặc khoá tài khoản của chính mình.";
    }
  }
  return error.message;
}

function passwordInput(name) {
  return h("input", {
    type: "password", name, required: true, minlength: MIN_PASSWORD, maxlength: 256, autocomplete: "new-password",
  });
}

function createForm(onCreated) {
  const username = h("input", {
    name: "username", required: true, pattern: USERNAME, maxlength: 64, autocomplete: "off", spellcheck: "false",
  });
  const fullName = h("input", { name: "full_name", maxlength: 120, autocomplete: "off" });
  const role = roleSelect("editor", { name: "role" });
  const password = passwordInput("password");
  const submit = h("button", { type: "submit" }, "Tạo tài khoản");
  const form = h(
    "form",
    { class: "card pane", "aria-labelledby": "create-user-title" },
    h("h2", { id: "create-user-title" }, "Tạo tài khoản mới"),
    h("div", { class: "field-row" },
      field("Tên đăng nhập", username, "3–64 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang; bắt đầu bằng chữ hoặc số."),
      field("Họ và tên", fullName),
      field("Vai trò", role, ROLE_HINT),
      field("Mật khẩu ban đầu", password, `Ít nhất ${MIN_PASSWORD} ký tự. Hãy gửi cho người dùng qua kênh an toàn.`)),
    h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(submit, async () => {
      let created;
      try {
        created = await api("POST", "/users", {
          json: { username: username.value.trim(), full_name: fullName.value.trim(), role: role.value, password: password.value },
        });
      } catch (error) {
        flash(explain(error), "error");
        return;
      }
      form.reset();
      role.value = "editor";
      await onCreated();
      flash(`Đã tạo tài khoản ${created.username} (${ROLES[created.role] || created.role}).`);
    });
  });
  return form;
}

function userRows(user, reload) {
  const self = user.username === session.username;
  const role = roleSelect(user.role, { "aria-label": `Vai trò của ${user.username}`, disabled: self });
  const saveRole = h("button", { type: "button", class: "secondary", disabled: self, "data-control": "role" }, "Lưu vai trò");
  const toggle = h("button", { type: "button", class: user.active ? "danger" : "secondary", disabled: self, "data-control": "toggle" },
    user.active ? "Khoá tài khoản" : "Mở khoá");
  const reset = h("button", { type: "button", class: "secondary", "aria-expanded": "false" }, "Đặt lại mật khẩu");

  const password = passwordInput("new-password");
  const savePassword = h("button", { type: "submit" }, "Lưu mật khẩu");
  const cancel = h("button", { type: "button", class: "secondary" }, "Huỷ");
  const resetForm = h(
    "form",
    { class: "inline", "aria-label": `Đặt lại mật khẩu cho ${user.username}` },
    field(`Mật khẩu mới cho ${user.username}`, password, `Ít nhất ${MIN_PASSWORD} ký tự.`),
    savePassword,
    cancel,
  );
  const resetRow = h("tr", { class: "inline-form", hidden: true }, h("td", { colspan: 6 }, resetForm));
  const show = (open) => {
    resetRow.hidden = !open;
    reset.setAttribute("aria-expanded", String(open));
    if (open) password.focus(); else { password.value = ""; reset.focus(); }
  };
  reset.addEventListener("click", () => show(resetRow.hidden));
  cancel.addEventListener("click", () => show(false));
  resetForm.addEventListener("submit", (event) => {
    event.preventDefault();
    act(savePassword, async () => {
      try {
        await api("PATCH", `/users/${user.id}`, { json: { password: password.value } });
      } catch (error) {
        flash(explain(error), "error");
        return;
      }
      show(false);
      flash(`Đã đặt lại mật khẩu cho ${user.username}.`);
    });
  });

  const update = (button, changes, done, again) => act(button, async () => {
    try {
      await api("PATCH", `/users/${user.id}`, { json: changes });
    } catch (error) {
      flash(explain(error), "error");
      return;
    }
    await reload();
    flash(done);
    // The row was drawn again: put the keyboard back on the same control.
    const same = document.querySelector(`#users-table tr[data-user="${user.id}"] [data-control="${again}"]`);
    if (same) same.focus();
  });
  saveRole.addEventListener("click", () => {
    if (role.value === user.role) { flash("Vai trò không thay đổi.", "warn"); return; }
    update(saveRole, { role: role.value }, `Đã đổi vai trò của ${user.username} thành ${ROLES[role.value]}.`, "role");
  });
  toggle.addEventListener("click", () => update(
    toggle,
    { active: !user.active },
    user.active ? `Đã khoá tài khoản ${user.username}; người này không đăng nhập được nữa.` : `Đã mở khoá tài khoản ${user.username}.`,
    "toggle",
  ));

  const main = h(
    "tr",
    { class: user.active ? null : "inactive", "data-user": user.id },
    h("th", { scope: "row" }, user.username, self ? h("span", { class: "hint" }, " (bạn)") : null),
    h("td", {}, user.full_name || "—"),
    h("td", {}, h("div", { class: "actions compact" }, role, saveRole)),
    h("td", {}, h("span", { class: user.active ? "badge published" : "badge archived" }, user.active ? "Đang hoạt động" : "Đã khoá")),
    h("td", { class: "nowrap" }, dateTime(user.created_at)),
    h("td", {}, h("div", { class: "actions compact" }, toggle, reset)),
  );
  return [main, resetRow];
}

export async function render(body) {
  const list = h("div", { "aria-live": "polite" });
  async function load() {
    let users;
    try {
      users = await api("GET", "/users");
    } catch (error) {
      replace(list, errorBox(error));
      return;
    }
    const active = users.filter((u) => u.active).length;
    replace(
      list,
      h("p", {}, `${users.length} tài khoản, ${active} đang hoạt động.`),
      h("div", { class: "scroll", tabindex: "0", role: "region", "aria-label": "Bảng tài khoản" }, h("table", { id: "users-table" },
        h("caption", {}, "Danh sách tài khoản"),
        h("thead", {}, h("tr", {}, ["Tên đăng nhập", "Họ và tên", "Vai trò", "Trạng thái", "Ngày tạo", "Thao tác"]
          .map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, users.map((u) => userRows(u, load))))),
      h("p", { class: "hint" }, "Bạn không thể tự hạ quyền hay khoá tài khoản của chính mình. "
        + "Tài khoản bị khoá không đăng nhập được nhưng lịch sử thao tác vẫn được giữ."),
    );
  }
  replace(body, list, createForm(load));
  await load();
}
