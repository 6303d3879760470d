// The sign-in and the pending order, DOM-free (unit-tested in tests/js/).

// ---- the token ----
// Reading a JWT's payload for display and for the expiry timer only; the gateway verifies the signature and
// is the only judge of the token. DOM-free. JWT payload = base64url(JSON) (RFC 7519 §3, RFC 4648 §5).
export function parseToken(token) {
  if (typeof token !== "string") return null;
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(parts[1].length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    if (!payload || typeof payload !== "object") return null;
    const exp = Number.isFinite(payload.exp) ? payload.exp : null;
    const name = typeof payload.name === "string" ? payload.name : "";
    return { name, exp };
  } catch {
    return null;
  }
}

/** Milliseconds until the token expires (negative when it has), or null when it has no exp. */
export function msUntilExpiry(payload, nowMs) {
  if (!payload || payload.exp === null) return null;
  return payload.exp * 1000 - nowMs;
}

// ---- Idempotency-Key bookkeeping for "Place order": the caller passes storage and a random source ----
// One key per basket: a retry of the same basket (after 503/504/network error) reuses the key, so the order
// service answers the first order again instead of making a second one; a changed basket or a success means
// a new key next time.
export const PENDING_KEY = "storefront.pendingOrder";
const KEY_PATTERN = /^[A-Za-z0-9_.:\-]{1,128}$/; // order_service/models.py IDEMPOTENCY_KEY_PATTERN

/**
 * 128 random bits as hex, from crypto.getRandomValues (passed in as `fillRandom`): it works on plain HTTP, while
 * crypto.randomUUID exists only in secure contexts ("getRandomValues() is the only member of the Crypto interface
 * which can be used from an insecure context", https://developer.mozilla.org/docs/Web/API/Crypto/getRandomValues).
 */
export function newKey(fillRandom) {
  const bytes = fillRandom(new Uint8Array(16));
  return "order-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function readPending(storage) {
  try {
    const value = JSON.parse(storage.getItem(PENDING_KEY) ?? "null");
    if (value && typeof value.key === "string" && KEY_PATTERN.test(value.key) && typeof value.signature === "string") {
      return value;
    }
  } catch {
    /* unreadable: start over */
  }
  return null;
}

/** The key to send for this basket: the pending one when it was made for the same basket, else a new one. */
export function keyFor(storage, signature, fillRandom) {
  const pending = readPending(storage);
  if (pending && pending.signature === signature) return pending.key;
  const key = newKey(fillRandom);
  storage.setItem(PENDING_KEY, JSON.stringify({ key, signature }));
  return key;
}

/** The order went through (or was definitively refused): the next order gets a fresh key. */
export function settle(storage) {
  storage.removeItem(PENDING_KEY);
}
