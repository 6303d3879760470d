// The storefront page: wires the DOM-free modules to the document.
// Storage: localStorage "storefront.lang" | "storefront.cart" | "storefront.menu" (kept across visits and across
// sign-ins); sessionStorage "storefront.token" (the access token, this tab only) and "storefront.pendingOrder".
import { request } from "./api.js";
import { addToCart, basketSignature, cartTotal, checkLogin, checkSignup, groupByCategory, MAX_QUANTITY, orderBody,
  parseCart, parseMenu, parseQuantity, recoSkus, removeFromCart, serializeCart, setQuantity } from "./model.js";
import { errorMessage, invalidFields, isExpired } from "./errors.js";
import { addLabel, addParts, categoryLabel, formatPrice, formatTime, LANGS, pickLang, productName, quantityLabel,
  removeLabel, statusLabel, t } from "./i18n.js";
import { keyFor, msUntilExpiry, parseToken, settle } from "./session.js";

// ---- the only way this page builds DOM: createElement + textContent + append. No HTML string is ever parsed, so
// a product or customer name holding markup shows as text, and Trusted Types (require-trusted-types-for
// 'script', trusted-types 'none') has no sink to refuse (https://w3c.github.io/trusted-types/dist/spec/).
function el(tag, options = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** A button whose accessible name is `label` (aria-label) while it shows the short `visible` word. */
function labelledButton(label, visible, onclick, className, id) {
  return el("button", { type: "button", class: className, "aria-label": label, onclick, id }, visible);
}

const KEYS = { lang: "storefront.lang", cart: "storefront.cart", menu: "storefront.menu", token: "storefront.token" };
const RECO_DEBOUNCE_MS = 250;
const MAX_TIMER_MS = 2 ** 31 - 1; // setTimeout's largest delay (HTML timers: a 32-bit signed int)
const $ = (id) => document.getElementById(id);

function storageGet(storage, key) {
  try {
    return storage.getItem(key);
  } catch {
    return null; // storage disabled: the page still works, it just forgets
  }
}
function storageSet(storage, key, value) {
  try {
    if (value === null) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    /* quota or disabled storage */
  }
}

// ---- language ----
const query = new URLSearchParams(location.search).get("lang");
const lang = pickLang(query, storageGet(localStorage, KEYS.lang));
if (LANGS.includes(query)) storageSet(localStorage, KEYS.lang, query);
const tr = (key, params) => t(lang, key, params);
document.documentElement.lang = lang;
document.title = tr("title");
for (const node of document.querySelectorAll("[data-t]")) node.textContent = tr(node.dataset.t);
for (const node of document.querySelectorAll("[data-t-label]")) node.setAttribute("aria-label", tr(node.dataset.tLabel));
for (const link of document.querySelectorAll("nav a[hreflang]")) {
  if (link.hreflang === lang) link.setAttribute("aria-current", "true");
}

// ---- state ----
const state = {
  menu: [], // [{sku, name, name_ko, price, category, available}]
  bySku: new Map(),
  cart: parseCart(storageGet(localStorage, KEYS.cart)),
  token: null,
  user: null, // {name, exp}
  expiryTimer: 0,
  ordering: false,
  recoSeq: 0,
  recoTimer: 0,
  ordersSeq: 0,
  orders: [],
  nextCursor: null,
};

// ---- messages: exactly one role=alert (failures) and one role=status (successes) ----
const alertBox = $("alert");
const statusBox = $("status");
function showAlert(text) {
  statusBox.textContent = "";
  alertBox.textContent = text;
  alertBox.hidden = false;
}
function clearAlert() {
  alertBox.hidden = true;
  alertBox.textContent = "";
}
function showStatus(text) {
  statusBox.textContent = text;
}

/** A failed call: a 401 from /api means the sign-in is gone; anything else is one sentence in the alert. */
function fail(error, context) {
  if (isExpired(error, context)) {
    expire();
    return;
  }
  showAlert(errorMessage(lang, error, context));
}

// ---- menu ----
function nameOf(sku) {
  const item = state.bySku.get(sku);
  return item ? productName(lang, item) : sku;
}

function setMenu(items) {
  state.menu = items;
  state.bySku = new Map(items.map((item) => [item.sku, item]));
}

function renderMenu() {
  const list = $("menu-list");
  if (!state.menu.length) {
    list.replaceChildren(el("p", { class: "note", text: tr("menuEmpty") }));
    return;
  }
  const sections = [];
  for (const [category, items] of groupByCategory(state.menu)) {
    const id = `cat-${category.replace(/[^A-Za-z0-9_-]/g, "_")}`;
    sections.push(
      el(
        "section",
        { class: "category", "aria-labelledby": id },
        el("h3", { id, text: categoryLabel(lang, category) }),
        el("ul", { class: "products" }, ...items.map(productRow)),
      ),
    );
  }
  list.replaceChildren(...sections);
}

function productRow(item) {
  const name = productName(lang, item);
  const action = item.available
    ? labelledButton(addLabel(lang, name), addParts(lang)[2], () => add(item.sku), "add")
    : el("span", { class: "sold-out", text: tr("soldOut") });
  return el(
    "li",
    { class: item.available ? "product" : "product unavailable" },
    el(
      "div",
      { class: "product-text" },
      el("span", { class: "product-name", text: name }),
      lang === "ko" && item.name_ko ? el("span", { class: "product-alt", lang: "en", text: item.name }) : null,
    ),
    el("span", { class: "price", text: formatPrice(lang, item.price) }),
    action,
  );
}

async function loadMenu() {
  const section = $("menu-section");
  section.setAttribute("aria-busy", "true");
  try {
    const data = await request("/api/menu");
    const items = parseMenu(data);
    setMenu(items);
    storageSet(localStorage, KEYS.menu, JSON.stringify({ items }));
    $("menu-note").hidden = true;
    $("reload-menu").hidden = true;
    renderMenu();
  } catch (error) {
    let cached = [];
    try {
      cached = parseMenu(JSON.parse(storageGet(localStorage, KEYS.menu) ?? "null"));
    } catch {
      cached = [];
    }
    if (cached.length) {
      setMenu(cached);
      $("menu-note").textContent = tr("menuCached");
      $("menu-note").hidden = false;
    }
    renderMenu();
    $("reload-menu").hidden = false;
    showAlert(`${tr("errMenu")} ${errorMessage(lang, error, "menu")}`);
  } finally {
    section.setAttribute("aria-busy", "false");
    renderCart();
  }
}

// ---- cart ----
function saveCart(lines) {
  state.cart = lines;
  storageSet(localStorage, KEYS.cart, serializeCart(lines));
  renderCart();
  scheduleRecos();
}

function add(sku) {
  clearAlert();
  const { lines, clamped } = addToCart(state.cart, sku);
  saveCart(lines);
  if (clamped) showAlert(tr("errMaxQuantity", { name: nameOf(sku), max: MAX_QUANTITY }));
  else showStatus(tr("added", { name: nameOf(sku) }));
}

function prices() {
  return new Map(state.menu.map((item) => [item.sku, item.price]));
}

function orderable(sku) {
  return state.bySku.get(sku)?.available === true;
}

// Rows are kept per sku and updated in place, so typing a quantity or tabbing away never loses focus; only adding
// or removing a line rebuilds the list.
let cartRows = new Map(); // sku -> {row, name, warn, label, input, price, remove}

function cartRow(sku) {
  const inputId = `qty-${sku}`;
  const parts = {
    name: el("span", { class: "product-name" }),
    warn: el("span", { class: "warn", text: tr("unavailableInCart") }),
    label: el("label", { for: inputId, class: "sr-only" }),
    input: el("input", {
      id: inputId,
      type: "number",
      inputmode: "numeric",
      min: 1,
      max: MAX_QUANTITY,
      step: 1,
      class: "qty",
      onchange: (event) => changeQuantity(sku, event.target),
    }),
    price: el("span", { class: "price" }),
    remove: labelledButton("", tr("remove"), () => remove(sku), "remove", `rm-${sku}`),
  };
  const text = el("div", { class: "line-text" }, parts.name, parts.warn);
  parts.row = el("li", { class: "line" }, text, parts.label, parts.input, parts.price, parts.remove);
  return parts;
}

function renderCart() {
  const priceOf = prices();
  const skus = state.cart.map((line) => line.sku);
  if (skus.join("\n") !== [...cartRows.keys()].join("\n")) {
    cartRows = new Map(skus.map((sku) => [sku, cartRows.get(sku) ?? cartRow(sku)]));
    $("cart-lines").replaceChildren(...[...cartRows.values()].map((parts) => parts.row));
  }
  for (const line of state.cart) {
    const parts = cartRows.get(line.sku);
    const name = nameOf(line.sku);
    parts.name.textContent = name;
    parts.label.textContent = quantityLabel(lang, name);
    parts.remove.setAttribute("aria-label", removeLabel(lang, name));
    // a line the menu no longer sells (or has sold out) is flagged; unknown until the menu has loaded
    parts.warn.hidden = !state.menu.length || orderable(line.sku);
    if (parts.input.value !== String(line.quantity)) parts.input.value = String(line.quantity);
    parts.price.textContent = formatPrice(lang, (priceOf.get(line.sku) ?? 0) * line.quantity);
  }
  $("cart-empty").hidden = state.cart.length > 0;
  $("cart-total").textContent = formatPrice(lang, cartTotal(state.cart, priceOf));
}

function changeQuantity(sku, input) {
  clearAlert();
  const { quantity, error } = parseQuantity(input.value);
  const name = nameOf(sku);
  if (error === "invalid") {
    showAlert(tr("errQuantity", { name, max: MAX_QUANTITY }));
    input.value = String(state.cart.find((line) => line.sku === sku)?.quantity ?? 1);
    return;
  }
  saveCart(setQuantity(state.cart, sku, quantity));
  if (error === "max") showAlert(tr("errMaxQuantity", { name, max: MAX_QUANTITY }));
}

function remove(sku) {
  clearAlert();
  const index = state.cart.findIndex((line) => line.sku === sku);
  const name = nameOf(sku);
  saveCart(removeFromCart(state.cart, sku));
  showStatus(tr("removed", { name }));
  // keep keyboard users in the cart: the next line's remove button, or the cart heading
  const buttons = $("cart-lines").querySelectorAll("button.remove");
  const next = buttons[Math.min(index, buttons.length - 1)];
  (next ?? $("cart-heading")).focus();
}

// ---- placing an order ----
async function placeOrder() {
  if (state.ordering) return; // a second click while the first is in flight does nothing
  clearAlert();
  if (!state.token) {
    showAlert(tr("errLoginFirst"));
    $("email").focus();
    return;
  }
  if (!state.cart.length) {
    showAlert(tr("errCartEmpty"));
    return;
  }
  if (state.menu.length) {
    const blocked = state.cart.filter((line) => !orderable(line.sku)).map((line) => nameOf(line.sku));
    if (blocked.length) {
      showAlert(tr("errCartUnavailable", { names: blocked.join(", ") }));
      return;
    }
  }
  const button = $("place-order");
  const ordered = state.cart.map((line) => ({ ...line }));
  const signature = basketSignature(ordered);
  const key = keyFor(sessionStorage, signature, (bytes) => crypto.getRandomValues(bytes));
  state.ordering = true;
  button.disabled = true;
  $("cart").setAttribute("aria-busy", "true");
  showStatus(tr("placingOrder"));
  try {
    const order = await request("/api/orders", {
      method: "POST",
      body: orderBody(ordered),
      token: state.token,
      headers: { "Idempotency-Key": key },
    });
    settle(sessionStorage);
    // drop what was ordered; a line changed meanwhile stays in the cart
    const done = new Set(ordered.map((line) => `${line.sku}*${line.quantity}`));
    saveCart(state.cart.filter((line) => !done.has(`${line.sku}*${line.quantity}`)));
    showStatus(tr("ordered", { total: formatPrice(lang, order.total) }));
    if (order && typeof order.order_id === "string") {
      state.orders = [order, ...state.orders.filter((o) => o.order_id !== order.order_id)];
      renderOrders();
    }
    loadOrders();
  } catch (error) {
    statusBox.textContent = "";
    // 503/504/network/timeout/401: the key stays with this basket, so the retry is the same order
    fail(error, "order");
  } finally {
    state.ordering = false;
    button.disabled = false;
    $("cart").setAttribute("aria-busy", "false");
  }
}

// ---- my orders ----
function renderOrders() {
  const list = $("order-list");
  const note = $("orders-note");
  if (!state.token) {
    list.replaceChildren();
    note.textContent = tr("ordersSignedOut");
    note.hidden = false;
    $("more-orders").hidden = true;
    return;
  }
  note.textContent = tr("ordersEmpty");
  note.hidden = state.orders.length > 0;
  list.replaceChildren(...state.orders.map(orderRow));
  $("more-orders").hidden = !state.nextCursor;
}

function orderRow(order) {
  const lines = Array.isArray(order.lines) ? order.lines : [];
  const summary = lines
    .map((line) => `${state.bySku.has(line.sku) ? nameOf(line.sku) : line.name} × ${line.quantity}`)
    .join(", ");
  const id = String(order.order_id ?? "");
  return el(
    "li",
    { class: "order" },
    el(
      "div",
      { class: "order-head" },
      el("span", { class: "order-id", text: tr("orderNumber", { id: id.slice(-6).toUpperCase() }) }),
      el("span", { class: `badge s-${String(order.status).toLowerCase()}`, text: statusLabel(lang, order.status) }),
      el("span", { class: "price", text: formatPrice(lang, order.total) }),
    ),
    el("p", { class: "order-lines", text: summary }),
    el("time", { datetime: order.created_at, text: formatTime(lang, order.created_at) }),
    order.status === "RECEIVED"
      ? el("button", { type: "button", class: "secondary", onclick: (e) => cancel(id, e.currentTarget) }, tr("cancelOrder"))
      : null,
  );
}

async function loadOrders({ more = false, quiet = false } = {}) {
  if (!state.token) return;
  const seq = ++state.ordersSeq;
  const section = $("orders");
  section.setAttribute("aria-busy", "true");
  const cursor = more && state.nextCursor ? `&cursor=${encodeURIComponent(state.nextCursor)}` : "";
  try {
    const page = await request(`/api/orders?limit=10${cursor}`, { token: state.token });
    if (seq !== state.ordersSeq || !state.token) return;
    const items = Array.isArray(page.items) ? page.items : [];
    state.orders = more ? [...state.orders, ...items] : items;
    state.nextCursor = typeof page.next_cursor === "string" ? page.next_cursor : null;
    renderOrders();
  } catch (error) {
    // a background refresh that fails keeps the list it has, unless the sign-in is gone
    if (seq === state.ordersSeq && (!quiet || isExpired(error, "orders"))) fail(error, "orders");
  } finally {
    if (seq === state.ordersSeq) section.setAttribute("aria-busy", "false");
  }
}

async function cancel(orderId, button) {
  if (!/^[0-9A-Za-z]{1,64}$/.test(orderId)) return;
  clearAlert();
  button.disabled = true;
  try {
    const order = await request(`/api/orders/${orderId}/cancel`, { method: "POST", token: state.token });
    state.orders = state.orders.map((o) => (o.order_id === orderId ? order : o));
    renderOrders();
    showStatus(tr("cancelled"));
    $("orders-heading").focus();
    scheduleRecos();
  } catch (error) {
    button.disabled = false;
    fail(error, "cancel");
    if (error.status === 409) loadOrders();
  }
}

// ---- recommendations ----
function scheduleRecos() {
  clearTimeout(state.recoTimer);
  if (!state.token) {
    renderRecosSignedOut();
    return;
  }
  state.recoTimer = setTimeout(loadRecos, RECO_DEBOUNCE_MS);
}

function renderRecosSignedOut() {
  state.recoSeq++; // an answer still on its way is now stale
  $("reco-list").replaceChildren();
  $("reco-note").textContent = tr("recoSignedOut");
  $("reco-note").hidden = false;
  $("recommendations").setAttribute("aria-busy", "false");
}

async function loadRecos() {
  if (!state.token) return;
  const seq = ++state.recoSeq;
  const region = $("recommendations");
  region.setAttribute("aria-busy", "true");
  const params = new URLSearchParams({ k: "5", lang });
  const items = recoSkus(state.cart);
  if (items) params.set("items", items);
  try {
    const data = await request(`/api/recommendations?${params}`, { token: state.token });
    if (seq !== state.recoSeq) return; // a newer request (the cart changed) owns the region
    renderRecos(Array.isArray(data.items) ? data.items : []);
  } catch (error) {
    if (seq !== state.recoSeq) return;
    if (isExpired(error, "reco")) {
      expire();
      return;
    }
    // shown inside the region, not in the page's alert: recommendations are optional
    $("reco-list").replaceChildren();
    $("reco-note").textContent = tr("recoFailed");
    $("reco-note").hidden = false;
  } finally {
    if (seq === state.recoSeq) region.setAttribute("aria-busy", "false");
  }
}

function renderRecos(items) {
  const rows = items
    .filter((item) => item && typeof item.sku === "string")
    .map((item) => {
      const onMenu = orderable(item.sku);
      const shownName = typeof item.name === "string" && item.name ? item.name : nameOf(item.sku);
      return el(
        "li",
        { class: "reco" },
        el(
          "div",
          { class: "reco-text" },
          el("span", { class: "product-name", text: shownName }),
          typeof item.reason === "string" && item.reason ? el("span", { class: "reason", text: item.reason }) : null,
        ),
        onMenu
          ? labelledButton(addLabel(lang, nameOf(item.sku), "addRecommended"), addParts(lang, "addRecommended")[2],
              () => add(item.sku), "add")
          : null,
      );
    });
  $("reco-list").replaceChildren(...rows);
  $("reco-note").textContent = tr("recoEmpty");
  $("reco-note").hidden = rows.length > 0;
}

// ---- sign-in ----
function signedIn(token, { announce } = {}) {
  const user = parseToken(token);
  const left = msUntilExpiry(user, Date.now());
  if (!user || (left !== null && left <= 0)) {
    expire();
    return false;
  }
  state.token = token;
  state.user = user;
  storageSet(sessionStorage, KEYS.token, token);
  clearTimeout(state.expiryTimer);
  if (left !== null) state.expiryTimer = setTimeout(expire, Math.min(left, MAX_TIMER_MS));
  renderAccount();
  state.orders = [];
  state.nextCursor = null;
  renderOrders();
  loadOrders();
  scheduleRecos();
  if (announce) {
    showStatus(announce);
    $("signed-in-as").focus();
  }
  return true;
}

function signOut() {
  clearTimeout(state.expiryTimer);
  clearTimeout(state.recoTimer);
  state.token = null;
  state.user = null;
  state.orders = [];
  state.nextCursor = null;
  state.ordersSeq++;
  storageSet(sessionStorage, KEYS.token, null);
  renderAccount();
  renderOrders();
  renderRecosSignedOut();
}

/** The token is missing, expired or refused: back to the sign-in form, cart kept, and say so. */
function expire() {
  signOut();
  showAlert(tr("errSessionExpired"));
  $("email").focus();
}

function renderAccount() {
  const signed = Boolean(state.token);
  $("account-form").hidden = signed;
  $("signed-in").hidden = !signed;
  $("signed-in-as").textContent = signed ? tr("signedInAs", { name: state.user?.name || "" }) : "";
}

function formValues() {
  const form = $("account-form");
  return {
    email: form.email.value.trim(),
    password: form.password.value,
    name: form.elements.name.value.trim(),
    phone: form.phone.value.trim(),
  };
}

const FIELD_IDS = { invalidEmail: "email", invalidPassword: "password", invalidName: "name", invalidPhone: "phone" };

/** Client-side or 422 problems: the alert names the fields, they get aria-invalid, the first one gets focus. */
function invalid(keys) {
  showAlert(tr("errFields", { fields: keys.map((key) => tr(key)).join(", ") }));
  for (const [key, id] of Object.entries(FIELD_IDS)) {
    if (keys.includes(key)) $(id).setAttribute("aria-invalid", "true");
    else $(id).removeAttribute("aria-invalid");
  }
  const first = keys.map((key) => FIELD_IDS[key]).find(Boolean);
  if (first) $(first).focus();
}

let authBusy = false;
async function authenticate(mode) {
  if (authBusy) return;
  clearAlert();
  const values = formValues();
  const bad = mode === "signup" ? checkSignup(values) : checkLogin(values);
  if (bad.length) {
    invalid(bad);
    return;
  }
  for (const id of Object.values(FIELD_IDS)) $(id).removeAttribute("aria-invalid");
  authBusy = true;
  const form = $("account-form");
  form.setAttribute("aria-busy", "true");
  $("login").disabled = true;
  $("signup").disabled = true;
  let context = mode;
  try {
    if (mode === "signup") {
      await request("/auth/signup", { method: "POST", body: values });
      context = "login";
    }
    const session = await request("/auth/login", {
      method: "POST",
      body: { email: values.email, password: values.password },
    });
    form.reset(); // the password leaves the page's inputs
    signedIn(session.access_token, { announce: mode === "signup" ? tr("signedUp", { name: values.name }) : tr("loggedIn") });
  } catch (error) {
    showAlert(errorMessage(lang, error, context));
    if (error.status === 409) $("email").focus();
    if (error.status === 422) {
      const keys = invalidFields(error.detail);
      if (keys.length) invalid(keys);
    }
  } finally {
    authBusy = false;
    form.setAttribute("aria-busy", "false");
    $("login").disabled = false;
    $("signup").disabled = false;
  }
}

// ---- wiring ----
$("account-form").addEventListener("submit", (event) => {
  event.preventDefault();
  authenticate("login");
});
$("signup").addEventListener("click", () => authenticate("signup"));
$("logout").addEventListener("click", () => {
  clearAlert();
  signOut();
  showStatus(tr("loggedOut"));
  $("email").focus();
});
$("place-order").addEventListener("click", placeOrder);
$("reload-menu").addEventListener("click", () => {
  clearAlert();
  loadMenu();
});
$("more-orders").addEventListener("click", () => loadOrders({ more: true }));
// another tab changed the cart: follow it (https://html.spec.whatwg.org/multipage/webstorage.html#the-storage-event)
window.addEventListener("storage", (event) => {
  if (event.key === KEYS.cart) {
    state.cart = parseCart(event.newValue);
    renderCart();
    scheduleRecos();
  }
});

// back to the tab: the bakery may have moved an order on (BAKING, READY ...)
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.token) loadOrders({ quiet: true });
});

renderCart();
renderAccount();
renderOrders();
renderRecosSignedOut();
const saved = storageGet(sessionStorage, KEYS.token);
if (saved) signedIn(saved);
loadMenu().then(() => {
  if (state.token) {
    renderOrders(); // line names in the page language once the menu is known
    scheduleRecos();
  }
});
