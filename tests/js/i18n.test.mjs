// Given the message tables, when a key or a contract label is asked for, then both languages answer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { addLabel, categoryLabel, CATEGORIES, LANGS, MESSAGES, pickLang, productName, quantityLabel, removeLabel,
  STATUSES, statusLabel, t } from "../../containers/login/login_service/storefront/static/i18n.js";

test("every message key exists in both languages, non-empty", () => {
  const ko = Object.keys(MESSAGES.ko).sort();
  const en = Object.keys(MESSAGES.en).sort();
  assert.deepEqual(ko, en);
  for (const lang of LANGS) for (const key of ko) assert.ok(MESSAGES[lang][key].trim(), `${lang}.${key} is empty`);
});

test("placeholders are the same in both languages", () => {
  const holes = (text) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(MESSAGES.en)) assert.deepEqual(holes(MESSAGES.ko[key]), holes(MESSAGES.en[key]), key);
});

test("statuses and categories are translated in both languages", () => {
  assert.deepEqual(Object.keys(STATUSES.ko).sort(), Object.keys(STATUSES.en).sort());
  assert.deepEqual(Object.keys(CATEGORIES.ko).sort(), Object.keys(CATEGORIES.en).sort());
});

test("contract names in English", () => {
  assert.equal(t("en", "menu"), "Menu");
  assert.equal(t("en", "cart"), "Cart");
  assert.equal(t("en", "recommendations"), "Recommendations");
  assert.equal(t("en", "orders"), "My orders");
  for (const [key, name] of [["email", "Email"], ["password", "Password"], ["name", "Name"], ["phone", "Phone"],
    ["signUp", "Sign up"], ["logIn", "Log in"], ["logOut", "Log out"], ["placeOrder", "Place order"],
    ["cancelOrder", "Cancel order"]]) {
    assert.equal(t("en", key), name);
  }
  assert.equal(t("en", "signedInAs", { name: "Kim" }), "Signed in as Kim");
});

test("the add button is named 'Add {English name} to cart'; other product controls never contain that", () => {
  assert.equal(addLabel("en", "Salt Bread"), "Add Salt Bread to cart");
  assert.equal(addLabel("ko", "소금빵"), "장바구니에 소금빵 담기");
  const recommended = addLabel("en", "Salt Bread", "addRecommended");
  assert.equal(recommended, "Add recommended Salt Bread");
  for (const other of [recommended, quantityLabel("en", "Salt Bread"), removeLabel("en", "Salt Bread")]) {
    assert.ok(!other.toLowerCase().includes("add salt bread to cart"), other);
  }
});

test("no control label contains the words reserved for the account form's labels", () => {
  for (const label of [quantityLabel("en", "Salt Bread"), removeLabel("en", "Salt Bread")]) {
    for (const word of ["email", "password", "name", "phone"]) assert.ok(!label.toLowerCase().includes(word), label);
  }
});

test("no other English text that becomes a button name contains a reserved button name", () => {
  const reserved = ["log in", "sign up", "log out", "place order", "cancel order"];
  const buttonKeys = ["reloadMenu", "moreOrders"];
  for (const key of buttonKeys) {
    for (const name of reserved) assert.ok(!t("en", key).toLowerCase().includes(name), key);
  }
});

test("English status labels are uppercase words; Korean ones are Korean", () => {
  assert.equal(statusLabel("en", "PICKED_UP"), "PICKED UP");
  assert.equal(statusLabel("en", "RECEIVED"), "RECEIVED");
  assert.equal(statusLabel("ko", "CANCELLED"), "취소됨");
  assert.equal(statusLabel("ko", "BAKING"), "굽는 중");
  assert.equal(statusLabel("en", "SOMETHING_NEW"), "SOMETHING_NEW");
});

test("the language: query wins, then the stored choice, then Korean; junk is ignored", () => {
  assert.equal(pickLang(null, null), "ko");
  assert.equal(pickLang("en", null), "en");
  assert.equal(pickLang(null, "en"), "en");
  assert.equal(pickLang("ko", "en"), "ko");
  assert.equal(pickLang("fr", "de"), "ko");
});

test("product names: Korean name in Korean, English name otherwise or when Korean is missing", () => {
  const item = { name: "Salt Bread", name_ko: "소금빵" };
  assert.equal(productName("ko", item), "소금빵");
  assert.equal(productName("en", item), "Salt Bread");
  assert.equal(productName("ko", { name: "Bagel", name_ko: null }), "Bagel");
  assert.equal(categoryLabel("en", "bread"), "Bread");
  assert.equal(categoryLabel("ko", "unknown"), "unknown");
});

test("placeholders are filled; an unknown key throws", () => {
  assert.equal(t("en", "errThrottled", { seconds: 30 }), "Too many attempts. Please try again in 30 seconds.");
  assert.throws(() => t("en", "noSuchKey"));
});

test("no product control's name is a substring of another product's (Korean names like 바게트 / 마늘바게트)", () => {
  const names = { en: ["Traditional Baguette", "Garlic Baguette", "Fresh Cream Cake", "Strawberry Fresh Cream Cake"],
    ko: ["바게트", "마늘바게트", "생크림케이크", "딸기 생크림케이크"] };
  for (const lang of LANGS) {
    const labels = names[lang].flatMap((name) => [
      addLabel(lang, name), addLabel(lang, name, "addRecommended"), quantityLabel(lang, name), removeLabel(lang, name),
    ]);
    for (const a of labels) for (const b of labels) if (a !== b) assert.ok(!b.toLowerCase().includes(a.toLowerCase()), `${a} in ${b}`);
  }
});
