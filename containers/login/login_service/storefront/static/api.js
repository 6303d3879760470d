// Same-origin calls to /auth and /api. Every call gives up after TIMEOUT_MS (AbortController), so a hung
// connection becomes a clear "too slow" message instead of a spinner forever
// (https://developer.mozilla.org/en-US/docs/Web/API/AbortController). The token only ever travels in the
// Authorization header, never in a URL.
import { ApiError, retryAfterSeconds } from "./errors.js";

export const TIMEOUT_MS = 8000;

export async function request(
  path,
  { method = "GET", body, token, headers = {}, timeoutMs = TIMEOUT_MS, fetchImpl = fetch } = {},
) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const sent = { Accept: "application/json", ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (token) sent.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetchImpl(path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: controller.signal,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch (error) {
    // fetch rejects with TypeError on network failure and with an AbortError DOMException once aborted
    // (https://fetch.spec.whatwg.org/#fetch-method)
    throw new ApiError(controller.signal.aborted ? "timeout" : "network");
  } finally {
    clearTimeout(timer);
  }
  let data = null;
  try {
    data = response.status === 204 ? null : await response.json();
  } catch {
    data = null; // not JSON (a proxy's HTML error page): judged by its status alone
  }
  if (!response.ok) {
    throw new ApiError("http", {
      status: response.status,
      detail: data && typeof data === "object" ? data.detail ?? null : null,
      retryAfter: retryAfterSeconds(response.headers.get("Retry-After")),
    });
  }
  if (data === null || typeof data !== "object") throw new ApiError("http", { status: 502 });
  return data;
}
