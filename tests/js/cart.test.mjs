import assert from "node:assert/strict";
import { test } from "node:test";
import { addToCart, basketSignature, cartTotal, MAX_QUANTITY, orderBody, parseCart, parseQuantity, removeFromCart,
  serializeCart, setQuantity } from "../../containers/login/login_service/storefront/static/model.js";

test("adding a product twice increments its line", () => {
  let { lines } = addToCart([], "BRD-006");
  ({ lines } = addToCart(lines, "BRD-006"));
  ({ lines } = addToCart(lines, "PST-002"));
  assert.deepEqual(lines, [{ sku: "BRD-006", quantity: 2 }, { sku: "PST-002", quantity: 1 }]);
});

test("adding beyond 99 stays at 99 and says it was clamped", () => {
  const result = addToCart([{ sku: "BRD-006", quantity: MAX_QUANTITY }], "BRD-006");
  assert.equal(MAX_QUANTITY, 99);
  assert.deepEqual(result, { lines: [{ sku: "BRD-006", quantity: 99 }], clamped: true });
  assert.equal(addToCart([{ sku: "BRD-006", quantity: 98 }], "BRD-006").clamped, false);
});

test("typed quantities: 1..99 fine, above clamps to 99, anything else is refused", () => {
  assert.deepEqual(parseQuantity("5"), { quantity: 5, error: null });
  assert.deepEqual(parseQuantity(" 99 "), { quantity: 99, error: null });
  assert.deepEqual(parseQuantity("150"), { quantity: 99, error: "max" });
  for (const bad of ["0", "", "-1", "2.5", "abc", "1e2", null]) {
    assert.deepEqual(parseQuantity(bad), { quantity: null, error: "invalid" }, String(bad));
  }
});

test("set and remove", () => {
  const lines = [{ sku: "A1", quantity: 1 }, { sku: "B2", quantity: 3 }];
  assert.deepEqual(setQuantity(lines, "A1", 7), [{ sku: "A1", quantity: 7 }, { sku: "B2", quantity: 3 }]);
  assert.deepEqual(removeFromCart(lines, "A1"), [{ sku: "B2", quantity: 3 }]);
});

test("stored carts round-trip; malformed, duplicate or out-of-range lines are dropped or clamped", () => {
  const lines = [{ sku: "BRD-006", quantity: 2 }];
  assert.deepEqual(parseCart(serializeCart(lines)), lines);
  assert.deepEqual(parseCart("not json"), []);
  assert.deepEqual(parseCart('{"sku":"A"}'), []);
  assert.deepEqual(parseCart(null), []);
  const messy = JSON.stringify([
    { sku: "A1", quantity: 2 },
    { sku: "A1", quantity: 5 },
    { sku: "../etc", quantity: 1 },
    { sku: "B2", quantity: 0 },
    { sku: "C3", quantity: 1.5 },
    { sku: "D4", quantity: 500 },
    { sku: "<img>", quantity: 1 },
    null,
  ]);
  assert.deepEqual(parseCart(messy), [{ sku: "A1", quantity: 2 }, { sku: "D4", quantity: 99 }]);
});

test("total uses the menu's prices; unknown products count as 0", () => {
  const prices = new Map([["A1", 2800], ["B2", 3300]]);
  assert.equal(cartTotal([{ sku: "A1", quantity: 2 }, { sku: "B2", quantity: 1 }, { sku: "Z9", quantity: 4 }], prices), 8900);
  assert.equal(cartTotal([], prices), 0);
});

test("the basket signature ignores line order and changes with any quantity", () => {
  const a = [{ sku: "A1", quantity: 2 }, { sku: "B2", quantity: 1 }];
  const b = [{ sku: "B2", quantity: 1 }, { sku: "A1", quantity: 2 }];
  assert.equal(basketSignature(a), basketSignature(b));
  assert.notEqual(basketSignature(a), basketSignature(setQuantity(a, "A1", 3)));
});

test("the order body has one {sku, quantity} line per product", () => {
  assert.deepEqual(orderBody([{ sku: "A1", quantity: 2, extra: 1 }]), { items: [{ sku: "A1", quantity: 2 }] });
});
