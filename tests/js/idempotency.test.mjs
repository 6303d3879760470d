import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { test } from "node:test";
import { keyFor, newKey, PENDING_KEY, settle } from "../../containers/login/login_service/storefront/static/session.js";

class MemoryStorage {
  #items = new Map();
  getItem(key) { return this.#items.has(key) ? this.#items.get(key) : null; }
  setItem(key, value) { this.#items.set(key, String(value)); }
  removeItem(key) { this.#items.delete(key); }
}
const random = (bytes) => webcrypto.getRandomValues(bytes);

test("keys match the order service's Idempotency-Key pattern and differ each time", () => {
  const a = newKey(random);
  const b = newKey(random);
  assert.match(a, /^[A-Za-z0-9_.:\-]{1,128}$/);
  assert.notEqual(a, b);
});

test("a retry of the same basket reuses the key; a changed basket gets a new one", () => {
  const storage = new MemoryStorage();
  const first = keyFor(storage, "A1*2", random);
  assert.equal(keyFor(storage, "A1*2", random), first);
  const changed = keyFor(storage, "A1*3", random);
  assert.notEqual(changed, first);
  assert.equal(keyFor(storage, "A1*3", random), changed);
});

test("after a success the same basket is a new order with a new key", () => {
  const storage = new MemoryStorage();
  const first = keyFor(storage, "A1*2", random);
  settle(storage);
  assert.equal(storage.getItem(PENDING_KEY), null);
  assert.notEqual(keyFor(storage, "A1*2", random), first);
});

test("a tampered or unreadable pending entry is replaced, never sent", () => {
  const storage = new MemoryStorage();
  storage.setItem(PENDING_KEY, JSON.stringify({ key: "bad key with spaces", signature: "A1*2" }));
  assert.match(keyFor(storage, "A1*2", random), /^order-[0-9a-f]{32}$/);
  storage.setItem(PENDING_KEY, "{not json");
  assert.match(keyFor(storage, "A1*2", random), /^order-[0-9a-f]{32}$/);
});
