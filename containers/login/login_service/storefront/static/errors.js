// From a failed request to the one sentence the alert shows. DOM-free.
// The server's own `detail` text is never shown (it can be English-only or technical); a 422's detail[].loc is
// read only to name the fields (FastAPI validation errors: {"detail": [{"loc": ["body", "email"], ...}]},
// https://fastapi.tiangolo.com/tutorial/handling-errors/#requestvalidationerror-vs-validationerror).
import { t } from "./i18n.js";

export class ApiError extends Error {
  /** kind: "http" | "network" | "timeout"; status: HTTP status (0 when none). */
  constructor(kind, { status = 0, detail = null, retryAfter = null } = {}) {
    super(`${kind} ${status}`);
    this.kind = kind;
    this.status = status;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }
}

/** Retry-After as whole seconds (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), or null. */
export function retryAfterSeconds(header, nowMs = Date.now()) {
  if (header === null || header === undefined) return null;
  const text = String(header).trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

const FIELD_KEYS = {
  email: "invalidEmail",
  password: "invalidPassword",
  name: "invalidName",
  phone: "invalidPhone",
  items: "fieldItems",
  quantity: "fieldQuantity",
  sku: "fieldItems",
};

/** The field names a 422 points at, as message keys, in order and without repeats. */
export function invalidFields(detail) {
  if (!Array.isArray(detail)) return [];
  const keys = [];
  for (const problem of detail) {
    const loc = Array.isArray(problem?.loc) ? problem.loc : [];
    // the deepest named part wins: ["body", "items", 0, "quantity"] -> quantity
    const named = loc.filter((part) => typeof part === "string" && part in FIELD_KEYS);
    const key = FIELD_KEYS[named.at(-1)] ?? (loc.includes("items") ? "fieldItems" : null);
    if (key && !keys.includes(key)) keys.push(key);
  }
  return keys;
}

const SERVICES = { login: "serviceLogin", signup: "serviceLogin", order: "serviceOrder", cancel: "serviceOrder",
  orders: "serviceOrder", menu: "serviceOrder", reco: "serviceReco" };

/**
 * The alert text for `error` (an ApiError) raised by the request of `context`
 * ("login" | "signup" | "order" | "cancel" | "orders" | "menu" | "reco").
 */
export function errorMessage(lang, error, context) {
  const service = t(lang, SERVICES[context] ?? "serviceGeneric");
  if (error.kind === "network") return t(lang, "errNetwork");
  if (error.kind === "timeout") return t(lang, "errTimeout");
  const { status, retryAfter } = error;
  const seconds = retryAfter;
  if (status === 401) return t(lang, context === "login" ? "errBadLogin" : "errSessionExpired");
  if (status === 429) return seconds !== null ? t(lang, "errThrottled", { seconds }) : t(lang, "errThrottledNoTime");
  if (status === 409) {
    if (context === "signup") return t(lang, "errEmailTaken");
    if (context === "cancel") return t(lang, "errCannotCancel");
    return t(lang, "errConflict");
  }
  if (status === 422 || status === 400) {
    const fields = invalidFields(error.detail).map((key) => t(lang, key));
    const list = fields.length ? fields.join(", ") : t(lang, context === "order" ? "fieldItems" : "serviceGeneric");
    return t(lang, context === "order" ? "errOrderRefused" : "errFields", { fields: list });
  }
  if (status === 503) {
    return seconds !== null ? t(lang, "errUnavailableRetry", { service, seconds }) : t(lang, "errUnavailable", { service });
  }
  if (status === 504) return t(lang, "errSlow", { service });
  if (status >= 500) return t(lang, "errUnavailable", { service });
  return t(lang, "errServer", { status });
}

/** true when the error means the sign-in is gone (any 401 from /api): back to the sign-in form. */
export const isExpired = (error, context) => error.status === 401 && context !== "login";
