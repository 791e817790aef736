// The console's shell: sign-in, the menu by role, and a hash router over the screens.

import { api, ApiError, session } from "./api.js";
import { h, replace } from "./dom.js";
import { clearFlash, errorBox, flash, flashKept } from "./ui.js";
import * as audit from "./views/audit.js";
import * as dashboard from "./views/dashboard.js";
import * as editor from "./views/editor.js";
import * as entries from "./views/entries.js";
import * as feedback from "./views/feedback.js";
import * as importer from "./views/import.js";
import * as publish from "./views/publish.js";
import * as reports from "./views/reports.js";
import * as suggestions from "./views/suggestions.js";
import * as unanswered from "./views/unanswered.js";
import * as users from "./views/users.js";

const SCREENS = [
  { path: "dashboard", title: "Tổng quan", role: "viewer", view: dashboard },
  { path: "entries", title: "Câu hỏi – trả lời", role: "viewer", view: entries },
  { path: "entry", title: "Soạn câu hỏi", role: "viewer", view: editor, hidden: true },
  { path: "publish", title: "Xuất bản", role: "publisher", view: publish },
  { path: "unanswered", title: "Chưa trả lời được", role: "viewer", view: unanswered },
  { path: "suggestions", title: "Gợi ý cách hỏi", role: "viewer", view: suggestions },
  { path: "feedback", title: "Nhật ký đánh giá", role: "viewer", view: feedback },
  { path: "reports", title: "Báo cáo định kỳ", role: "viewer", view: reports },
  { path: "import", title: "Nhập / xuất", role: "viewer", view: importer },
  { path: "users", title: "Tài khoản", role: "admin", view: users },
  { path: "audit", title: "Nhật ký thao tác", role: "admin", view: audit },
];
const ROLE_NAMES = { viewer: "Xem", editor: "Biên tập", publisher: "Xuất bản", admin: "Quản trị" };
const main = document.getElementById("main");

function route() {
  const [path = "", query = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [name, ...rest] = path.split("/");
  const params = Object.fromEntries(new URLSearchParams(query));
  return { name: name || "dashboard", arg: rest.map(decodeURIComponent).join("/"), params };
}

function renderNav(current) {
  const nav = document.getElementById("nav");
  const links = SCREENS.filter((s) => !s.hidden && session.can(s.role)).map((s) =>
    h("a", { href: `#/${s.path}`, "aria-current": s.path === current ? "page" : null }, s.title),
  );
  replace(nav, links);
  nav.hidden = false;
  document.getElementById("who").textContent = `${session.username} (${ROLE_NAMES[session.role]})`;
  document.getElementById("logout").hidden = false;
}

async function show() {
  if (!session.token) return showLogin();
  const { name, arg, params } = route();
  const screen = SCREENS.find((s) => s.path === name) || SCREENS[0];
  renderNav(screen.path === "entry" ? "entries" : screen.path);
  document.title = `${screen.title} — Hỏi đáp TTHC`;
  const heading = h("h1", { tabindex: "-1" }, screen.title);
  const body = h("div", { class: "screen" });
  replace(main, heading, body);
  if (!session.can(screen.role)) {
    replace(body, errorBox(new ApiError(403)));
    return;
  }
  try {
    await screen.view.render(body, { arg, params, heading });
  } catch (error) {
    replace(body, errorBox(error));
  }
}

function showLogin(reason) {
  document.getElementById("nav").hidden = true;
  document.getElementById("logout").hidden = true;
  document.getElementById("who").textContent = "";
  document.title = "Đăng nhập — Hỏi đáp TTHC";
  const username = h("input", { id: "username", name: "username", autocomplete: "username", required: true });
  const password = h("input", {
    id: "password", name: "password", type: "password", autocomplete: "current-password", required: true,
  });
  const status = h("div", { role: "alert", class: "login-error" });
  const form = h(
    "form",
    { class: "login", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, "Đăng nhập"),
    reason ? h("p", { class: "msg warn" }, reason) : null,
    h("div", { class: "field" }, h("label", { for: "username" }, "Tên đăng nhập"), username),
    h("div", { class: "field" }, h("label", { for: "password" }, "Mật khẩu"), password),
    status,
    h("button", { type: "submit" }, "Đăng nhập"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const token = await api("POST", "/login", { json: { username: username.value, password: password.value } });
      session.start(token.access_token, token.role, username.value);
      clearFlash();
      await show();
    } catch (error) {
      status.replaceChildren(h("p", { class: "msg error" }, error.message));
      password.value = "";
      password.focus();
    }
  });
  replace(main, form);
  username.focus();
}

window.addEventListener("hashchange", () => {
  if (!flashKept()) clearFlash();
  show();
});
window.addEventListener("hoidap:signed-out", () =>
  showLogin("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."),
);
document.getElementById("logout").addEventListener("click", () => {
  session.end();
  flash("Bạn đã đăng xuất.");
  showLogin();
});
show();
