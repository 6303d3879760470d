import assert from "node:assert/strict";
import { test } from "node:test";
import { ApiError, errorMessage, invalidFields, isExpired, retryAfterSeconds } from "../../containers/login/login_service/storefront/static/errors.js";

const http = (status, extra = {}) => new ApiError("http", { status, ...extra });

test("Retry-After: seconds or an HTTP date", () => {
  assert.equal(retryAfterSeconds("30"), 30);
  assert.equal(retryAfterSeconds(null), null);
  assert.equal(retryAfterSeconds("soon"), null);
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(retryAfterSeconds("Thu, 01 Jan 2026 00:01:00 GMT", now), 60);
});

test("a throttled login names the seconds to wait", () => {
  assert.equal(errorMessage("en", http(429, { retryAfter: 42 }), "login"), "Too many attempts. Please try again in 42 seconds.");
  assert.match(errorMessage("ko", http(429, { retryAfter: 42 }), "login"), /42초/);
  assert.equal(errorMessage("en", http(429), "login"), "Too many attempts. Please try again in a moment.");
});

test("a 422 names the fields by their labels", () => {
  const detail = [
    { loc: ["body", "email"], msg: "bad", type: "value_error" },
    { loc: ["body", "phone"], msg: "bad", type: "value_error" },
    { loc: ["body", "email"], msg: "again", type: "value_error" },
  ];
  assert.deepEqual(invalidFields(detail), ["invalidEmail", "invalidPhone"]);
  const text = errorMessage("en", http(422, { detail }), "signup");
  assert.match(text, /Email/);
  assert.match(text, /Phone/);
  assert.doesNotMatch(text, /value_error|body/);
  assert.deepEqual(invalidFields([{ loc: ["body", "items", 0, "quantity"] }]), ["fieldQuantity"]);
  assert.deepEqual(invalidFields("some string"), []);
  assert.match(errorMessage("en", http(422, { detail: "duplicate sku" }), "order"), /refused/);
});

test("409: email taken at sign-up, not cancellable at cancel", () => {
  assert.match(errorMessage("en", http(409), "signup"), /already registered/);
  assert.match(errorMessage("en", http(409), "cancel"), /can no longer be cancelled/);
});

test("down, slow, unreachable and timed-out services each get a clear sentence", () => {
  assert.equal(errorMessage("en", http(503), "order"), "The order service is unavailable right now. Please try again in a moment.");
  assert.match(errorMessage("en", http(503, { retryAfter: 2 }), "login"), /busy.*2 seconds/);
  assert.match(errorMessage("en", http(504), "order"), /too slow/);
  assert.match(errorMessage("en", new ApiError("network"), "order"), /Cannot reach/);
  assert.match(errorMessage("en", new ApiError("timeout"), "menu"), /too long/);
  assert.match(errorMessage("en", http(500), "order"), /unavailable/);
  assert.match(errorMessage("en", http(418), "order"), /error 418/);
});

test("401: wrong password at login, an expired sign-in anywhere else", () => {
  assert.match(errorMessage("en", http(401), "login"), /email or password/);
  assert.match(errorMessage("en", http(401), "orders"), /sign-in has expired/);
  assert.equal(isExpired(http(401), "order"), true);
  assert.equal(isExpired(http(401), "login"), false);
  assert.equal(isExpired(http(503), "order"), false);
});

test("messages exist in Korean for every case", () => {
  for (const error of [http(401), http(409), http(422), http(429), http(503), http(504), new ApiError("network")]) {
    for (const context of ["login", "signup", "order", "cancel", "menu", "reco"]) {
      assert.match(errorMessage("ko", error, context), /[가-힣]/);
    }
  }
});
