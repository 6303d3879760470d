// The shop's data rules, DOM-free (unit-tested in tests/js/): the cart, the catalog, the account form.

// ---- the cart: a list of {sku, quantity} lines, kept in localStorage as JSON ----
export const MAX_QUANTITY = 99;
export const MIN_QUANTITY = 1;
const SKU = /^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$/; // the order service's SKU_PATTERN (order_service/models.py)
const MAX_LINES = 50; // the order service takes at most 50 lines

/** Lines read back from storage; anything malformed is dropped rather than trusted (storage is user-editable). */
export function parseCart(text) {
  let raw;
  try {
    raw = JSON.parse(text ?? "[]");
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  const seen = new Set();
  const lines = [];
  for (const line of raw) {
    if (!line || typeof line.sku !== "string" || !SKU.test(line.sku) || seen.has(line.sku)) continue;
    const quantity = Number(line.quantity);
    if (!Number.isInteger(quantity) || quantity < MIN_QUANTITY) continue;
    seen.add(line.sku);
    lines.push({ sku: line.sku, quantity: Math.min(quantity, MAX_QUANTITY) });
    if (lines.length === MAX_LINES) break;
  }
  return lines;
}

export const serializeCart = (lines) => JSON.stringify(lines.map(({ sku, quantity }) => ({ sku, quantity })));

/** Add one (or `by`) of `sku`: returns {lines, clamped}; clamped is true when the maximum stopped the increase. */
export function addToCart(lines, sku, by = 1) {
  const current = lines.find((line) => line.sku === sku);
  const wanted = (current?.quantity ?? 0) + by;
  const quantity = Math.min(wanted, MAX_QUANTITY);
  const next = current
    ? lines.map((line) => (line.sku === sku ? { sku, quantity } : line))
    : [...lines, { sku, quantity }];
  return { lines: next, clamped: wanted > MAX_QUANTITY };
}

/**
 * Read a quantity typed by the customer: {quantity, error}. error is null (fine), "max" (above 99: clamped to 99)
 * or "invalid" (empty, not a whole number, below 1: quantity is null, the caller keeps the old one).
 */
export function parseQuantity(text) {
  const trimmed = String(text ?? "").trim();
  if (!/^\d+$/.test(trimmed)) return { quantity: null, error: "invalid" };
  const quantity = Number(trimmed);
  if (quantity < MIN_QUANTITY) return { quantity: null, error: "invalid" };
  if (quantity > MAX_QUANTITY) return { quantity: MAX_QUANTITY, error: "max" };
  return { quantity, error: null };
}

export function setQuantity(lines, sku, quantity) {
  return lines.map((line) => (line.sku === sku ? { sku, quantity } : line));
}

export const removeFromCart = (lines, sku) => lines.filter((line) => line.sku !== sku);

/** Sum of quantity × price over the lines whose product is known (`prices`: Map sku -> price). */
export function cartTotal(lines, prices) {
  return lines.reduce((sum, line) => sum + (prices.get(line.sku) ?? 0) * line.quantity, 0);
}

/** A stable text for "the same basket": order of lines does not matter. */
export function basketSignature(lines) {
  return lines
    .map(({ sku, quantity }) => `${sku}*${quantity}`)
    .sort()
    .join(",");
}

export const orderBody = (lines) => ({ items: lines.map(({ sku, quantity }) => ({ sku, quantity })) });

// ---- the catalog (GET /api/menu), read defensively: an item that is not well-formed is left out ----


export function parseMenu(data) {
  const items = Array.isArray(data?.items) ? data.items : [];
  return items
    .filter(
      (item) =>
        item &&
        typeof item.sku === "string" &&
        SKU.test(item.sku) &&
        typeof item.name === "string" &&
        item.name.length > 0 &&
        Number.isFinite(item.price) &&
        item.price >= 0,
    )
    .map((item) => ({
      sku: item.sku,
      name: item.name,
      name_ko: typeof item.name_ko === "string" && item.name_ko ? item.name_ko : null,
      price: item.price,
      category: typeof item.category === "string" && item.category ? item.category : "other",
      available: item.available === true,
    }));
}

/** The `items` query value of GET /api/recommendations: the cart's skus (the gateway allows 2000 characters). */
export function recoSkus(lines) {
  let text = "";
  for (const { sku } of lines) {
    const next = text ? `${text},${sku}` : sku;
    if (next.length > 2000) break;
    text = next;
  }
  return text;
}

const CATEGORY_ORDER = ["bread", "pastry", "cake", "sandwich", "drink"];

/** [[category, items]]: the bakery's usual order first (bread … drinks), unknown categories after, as they come. */
export function groupByCategory(items) {
  const groups = new Map();
  for (const item of items) {
    if (!groups.has(item.category)) groups.set(item.category, []);
    groups.get(item.category).push(item);
  }
  const rank = (category) => {
    const index = CATEGORY_ORDER.indexOf(category);
    return index === -1 ? CATEGORY_ORDER.length : index;
  };
  return [...groups].sort((a, b) => rank(a[0]) - rank(b[0]));
}

// ---- the account form, checked as login_service/models.py does (the server checks again) ----
// Each check returns the message keys of the invalid fields, in form order.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Korean local form (010-1234-5678, 02-123-4567) or international (+82 10 1234 5678): 9–15 digits. */
export function looksLikePhone(text) {
  const value = String(text ?? "").trim();
  if (!/^\+?[\d\s().\-]+$/.test(value)) return false;
  const digits = value.replace(/\D/g, "");
  return digits.length >= 9 && digits.length <= 15;
}

export function checkLogin({ email, password }) {
  const bad = [];
  if (!EMAIL.test(String(email ?? "").trim())) bad.push("invalidEmail");
  if (!password) bad.push("invalidPassword");
  return bad;
}

export function checkSignup({ email, password, name, phone }) {
  const bad = [];
  const trimmedName = String(name ?? "").trim();
  if (!EMAIL.test(String(email ?? "").trim()) || String(email).length > 254) bad.push("invalidEmail");
  if (String(password ?? "").length < 8 || String(password).length > 128) bad.push("invalidPassword");
  if (trimmedName.length < 1 || trimmedName.length > 80) bad.push("invalidName");
  if (!looksLikePhone(phone)) bad.push("invalidPhone");
  return bad;
}
