// The staff API seen from the console: the Bearer token, JSON in and out, errors as ApiError.

const TOKEN = "hoidap.console.token";
const ROLE = "hoidap.console.role";
const NAME = "hoidap.console.username";
export const API = "/admin/api";
export const RANK = { viewer: 0, editor: 1, publisher: 2, admin: 3 };

export class ApiError extends Error {
  constructor(status, detail) {
    super(describe(status, detail));
    this.status = status;
    this.detail = detail;
  }
}

// Session data lives in sessionStorage: it ends with the tab, and the token itself expires.
export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  get role() { return sessionStorage.getItem(ROLE) || "viewer"; },
  get username() { return sessionStorage.getItem(NAME) || ""; },
  can(role) { return RANK[this.role] >= RANK[role]; },
  start(token, role, username) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(ROLE, role);
    sessionStorage.setItem(NAME, username);
  },
  end() { sessionStorage.removeItem(TOKEN); sessionStorage.removeItem(ROLE); sessionStorage.removeItem(NAME); },
};

export function url(path, query = {}) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") params.append(k, String(v));
  }
  const qs = params.toString();
  return `${API}${path}${qs ? `?${qs}` : ""}`;
}

async function send(method, path, { query, json, form } = {}) {
  const headers = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let body;
  if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
  if (form !== undefined) body = form;
  let response;
  try {
    response = await fetch(url(path, query), { method, headers, body });
  } catch {
    throw new ApiError(0, "Không kết nối được máy chủ. Vui lòng kiểm tra mạng và thử lại.");
  }
  if (response.status === 401 && path !== "/login") {
    session.end();
    window.dispatchEvent(new CustomEvent("hoidap:signed-out", { detail: "expired" }));
  }
  return response;
}

export async function api(method, path, options = {}) {
  const response = await send(method, path, options);
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data && data.detail);
  return data;
}

export async function blob(path, query) {
  const response = await send("GET", path, { query });
  if (!response.ok) throw new ApiError(response.status, (await response.json().catch(() => ({}))).detail);
  return response;
}

// Save a file the API returns (reports, exports) under the name the server gives.
export async function download(path, query, fallbackName) {
  const response = await blob(path, query);
  const disposition = response.headers.get("Content-Disposition") || "";
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = match ? decodeURIComponent(match[1]) : fallbackName;
  const href = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = href;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10000);
  return name;
}

function describe(status, detail) {
  if (status === 0) return String(detail);
  if (status === 401) return "Phiên làm việc đã hết hạn hoặc thông tin đăng nhập không đúng.";
  if (status === 403) return "Tài khoản của bạn không có quyền thực hiện thao tác này.";
  if (status === 413) return "Tệp quá lớn.";
  if (status === 429) return "Bạn đã thử quá nhiều lần. Vui lòng đợi một lát rồi thử lại.";
  const text = detailText(detail);
  return text ? `Lỗi ${status}: ${text}` : `Máy chủ trả về lỗi ${status}.`;
}

export function detailText(detail) {
  if (!detail) return "";
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const where = d.loc ? d.loc.filter((p) => p !== "body").join(".") : d.column || d.field || "";
        const row = d.row ? `dòng ${d.row}, ` : "";
        return `${row}${where ? `${where}: ` : ""}${d.msg || d.message || JSON.stringify(d)}`;
      })
      .join("; ");
  }
  if (detail.message) return detail.field ? `${detail.field}: ${detail.message}` : detail.message;
  return JSON.stringify(detail);
}
