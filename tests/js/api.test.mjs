// Given a fake fetch, when the page calls the gateway, then every outcome becomes data or one ApiError kind.
import assert from "node:assert/strict";
import { test } from "node:test";
import { request } from "../../containers/login/login_service/storefront/static/api.js";

const json = (status, body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });

test("a 200 gives its JSON; the token travels in the Authorization header, never in the URL", async () => {
  let seen;
  const fetchImpl = async (url, init) => {
    seen = { url, init };
    return json(200, { items: [] });
  };
  assert.deepEqual(await request("/api/orders", { token: "t.o.k", fetchImpl }), { items: [] });
  assert.equal(seen.url, "/api/orders");
  assert.equal(seen.init.headers.Authorization, "Bearer t.o.k");
  assert.ok(!seen.url.includes("t.o.k"));
});

test("a body is sent as JSON with its content type and the extra headers", async () => {
  let seen;
  const fetchImpl = async (url, init) => {
    seen = init;
    return json(201, { order_id: "A1" });
  };
  await request("/api/orders", { method: "POST", body: { items: [] }, headers: { "Idempotency-Key": "k1" }, fetchImpl });
  assert.equal(seen.method, "POST");
  assert.equal(seen.body, '{"items":[]}');
  assert.equal(seen.headers["Content-Type"], "application/json");
  assert.equal(seen.headers["Idempotency-Key"], "k1");
});

test("an error status carries its detail and Retry-After", async () => {
  const fetchImpl = async () => json(429, { detail: "slow down" }, { "Retry-After": "12" });
  await assert.rejects(request("/auth/login", { fetchImpl }), { kind: "http", status: 429, detail: "slow down", retryAfter: 12 });
});

test("a non-JSON error page is judged by its status; a non-JSON 200 is an error too", async () => {
  await assert.rejects(request("/api/menu", { fetchImpl: async () => new Response("<h1>Bad gateway</h1>", { status: 502 }) }), {
    kind: "http",
    status: 502,
    detail: null,
  });
  await assert.rejects(request("/api/menu", { fetchImpl: async () => new Response("hello", { status: 200 }) }), {
    kind: "http",
  });
});

test("a refused connection is a network error", async () => {
  const fetchImpl = async () => {
    throw new TypeError("Failed to fetch");
  };
  await assert.rejects(request("/api/menu", { fetchImpl }), { kind: "network" });
});

test("an answer that never comes is aborted and reported as a timeout", async () => {
  const fetchImpl = (url, { signal }) =>
    new Promise((resolve, reject) => signal.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError"))));
  await assert.rejects(request("/api/menu", { fetchImpl, timeoutMs: 20 }), { kind: "timeout" });
});
