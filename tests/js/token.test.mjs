import assert from "node:assert/strict";
import { test } from "node:test";
import { msUntilExpiry, parseToken } from "../../containers/login/login_service/storefront/static/session.js";

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
const jwt = (payload) => `${b64url({ alg: "EdDSA" })}.${b64url(payload)}.signature`;

test("name and exp are read from the payload, UTF-8 included", () => {
  assert.deepEqual(parseToken(jwt({ sub: "c1", name: "김민수", exp: 2000000000 })), { name: "김민수", exp: 2000000000 });
});

test("a token that is not a JWT gives null", () => {
  for (const bad of [null, "", "abc", "a.b", "a.!!!.c", `x.${Buffer.from("[1").toString("base64url")}.y`]) {
    assert.equal(parseToken(bad), null, String(bad));
  }
  assert.deepEqual(parseToken(jwt({ sub: "c1" })), { name: "", exp: null });
});

test("time left until exp", () => {
  assert.equal(msUntilExpiry({ exp: 100 }, 40_000), 60_000);
  assert.ok(msUntilExpiry({ exp: 100 }, 200_000) < 0);
  assert.equal(msUntilExpiry({ exp: null }, 0), null);
  assert.equal(msUntilExpiry(null, 0), null);
});
