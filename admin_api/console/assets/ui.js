// Small pieces every screen uses: flash messages, busy buttons, the period picker, paging.

import { h, isoDate } from "./dom.js";

export function flash(message, kind = "ok") {
  const box = document.getElementById("flash");
  box.replaceChildren(h("p", { class: `msg ${kind}` }, message));
}

export function clearFlash() {
  document.getElementById("flash").replaceChildren();
}

// Run an action from a button: disabled while it runs, its error shown instead of thrown.
export async function act(button, work) {
  if (button) button.disabled = true;
  try {
    return await work();
  } catch (error) {
    flash(error.message, "error");
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

export function errorBox(error) {
  return h("p", { class: "msg error", role: "alert" }, error.message);
}

// The period of reports and the dashboard: the last 30 days unless chosen.
export function periodForm(params, onChange) {
  const today = new Date();
  const start = new Date(today.getTime() - 29 * 86400000);
  const since = h("input", { type: "date", name: "since", value: params.since || isoDate(start), required: true });
  const until = h("input", { type: "date", name: "until", value: params.until || isoDate(today), required: true });
  const form = h(
    "form",
    { class: "inline", "aria-label": "Chọn kỳ" },
    h("label", {}, "Từ ngày ", since),
    h("label", {}, "Đến ngày ", until),
    h("button", { type: "submit" }, "Xem"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    onChange({ since: since.value, until: until.value });
  });
  return { form, value: () => ({ since: since.value, until: until.value }) };
}

export function pager(page, onPage) {
  const { offset, limit, total } = page;
  const last = Math.max(0, Math.ceil(total / limit) - 1);
  const current = Math.floor(offset / limit);
  return h(
    "nav",
    { class: "pager", "aria-label": "Phân trang" },
    h("button", { type: "button", disabled: current === 0, onclick: () => onPage(offset - limit) }, "‹ Trước"),
    h("span", {}, `Trang ${current + 1}/${last + 1} · ${total} mục`),
    h("button", { type: "button", disabled: current >= last, onclick: () => onPage(offset + limit) }, "Sau ›"),
  );
}

// Screens change through here after an action: its message stays for the next screen.
let keepFlash = false;

export function flashKept() {
  const kept = keepFlash;
  keepFlash = false;
  return kept;
}

export function navigate(hash) {
  keepFlash = true;
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

export function hashParams() {
  const [, query = ""] = location.hash.split("?");
  return Object.fromEntries(new URLSearchParams(query));
}

export function withParams(path, params) {
  const qs = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== "" && v !== undefined));
  const text = qs.toString();
  return text ? `${path}?${text}` : path;
}
