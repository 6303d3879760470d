import assert from "node:assert/strict";
import { test } from "node:test";
import { checkLogin, checkSignup, looksLikePhone } from "../../containers/login/login_service/storefront/static/model.js";
import { groupByCategory, parseMenu, recoSkus } from "../../containers/login/login_service/storefront/static/model.js";

const good = { email: "kim@example.com", password: "correct horse", name: "Kim", phone: "010-1234-5678" };

test("a complete sign-up passes; each bad field is named", () => {
  assert.deepEqual(checkSignup(good), []);
  assert.deepEqual(checkSignup({ ...good, email: "kim" }), ["invalidEmail"]);
  assert.deepEqual(checkSignup({ ...good, password: "short" }), ["invalidPassword"]);
  assert.deepEqual(checkSignup({ ...good, name: "  " }), ["invalidName"]);
  assert.deepEqual(checkSignup({ ...good, name: "x".repeat(81) }), ["invalidName"]);
  assert.deepEqual(checkSignup({ ...good, phone: "call me" }), ["invalidPhone"]);
  assert.deepEqual(checkSignup({}), ["invalidEmail", "invalidPassword", "invalidName", "invalidPhone"]);
});

test("log in needs only email and password", () => {
  assert.deepEqual(checkLogin({ email: "kim@example.com", password: "x" }), []);
  assert.deepEqual(checkLogin({ email: "", password: "" }), ["invalidEmail", "invalidPassword"]);
});

test("Korean phone numbers in local and international form", () => {
  for (const phone of ["010-1234-5678", "01012345678", "02-123-4567", "+82 10 1234 5678"]) assert.ok(looksLikePhone(phone), phone);
  for (const phone of ["1234", "010-1234-abcd", "", "+82 10 1234 5678 9999 9"]) assert.ok(!looksLikePhone(phone), phone);
});

test("the menu keeps well-formed items only and never trusts `available` loosely", () => {
  const items = parseMenu({
    items: [
      { sku: "BRD-006", name: "Salt Bread", name_ko: "소금빵", price: 2800, category: "bread", available: true },
      { sku: "X", name: "<b>Bold</b>", price: 100, category: "bread", available: "yes" },
      { sku: "../x", name: "Bad", price: 1, category: "bread", available: true },
      { sku: "Y", name: "No price", category: "bread", available: true },
      null,
    ],
  });
  assert.deepEqual(items.map((item) => [item.sku, item.name, item.available]), [
    ["BRD-006", "Salt Bread", true],
    ["X", "<b>Bold</b>", false],
  ]);
  assert.deepEqual(parseMenu(null), []);
});

test("recommendation items follow the cart, within the gateway's 2000 characters", () => {
  assert.equal(recoSkus([{ sku: "A1" }, { sku: "B2" }]), "A1,B2");
  assert.equal(recoSkus([]), "");
  const many = Array.from({ length: 50 }, (_, i) => ({ sku: `${"S".repeat(60)}${i}` }));
  assert.ok(recoSkus(many).length <= 2000);
});

test("categories come in the bakery's order, unknown ones last, items keep their order", () => {
  const item = (sku, category) => ({ sku, category });
  const groups = groupByCategory([item("D1", "drink"), item("N1", "seasonal"), item("B1", "bread"), item("B2", "bread")]);
  assert.deepEqual(groups.map(([category, items]) => [category, items.map((i) => i.sku)]), [
    ["bread", ["B1", "B2"]],
    ["drink", ["D1"]],
    ["seasonal", ["N1"]],
  ]);
});
