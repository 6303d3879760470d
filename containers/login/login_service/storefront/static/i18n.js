// Every text the page shows, in Korean (the default) and English, and how prices and times are written.
// DOM-free: unit-tested in tests/js/.
export const LANGS = ["ko", "en"];
export const DEFAULT_LANG = "ko";

const STATUSES = {
  ko: { RECEIVED: "접수됨", BAKING: "굽는 중", READY: "준비 완료", PICKED_UP: "픽업 완료", CANCELLED: "취소됨" },
  en: { RECEIVED: "RECEIVED", BAKING: "BAKING", READY: "READY", PICKED_UP: "PICKED UP", CANCELLED: "CANCELLED" },
};
const CATEGORIES = {
  ko: { bread: "빵", pastry: "페이스트리", cake: "케이크", sandwich: "샌드위치", drink: "음료", other: "기타" },
  en: { bread: "Bread", pastry: "Pastry", cake: "Cakes", sandwich: "Sandwiches", drink: "Drinks", other: "Other" },
};

export const MESSAGES = {
  ko: {
    title: "동네빵집 온라인 주문",
    brand: "동네빵집",
    skip: "본문으로 건너뛰기",
    languageNav: "언어 선택",
    menu: "메뉴",
    cart: "장바구니",
    recommendations: "추천 상품",
    orders: "내 주문",
    account: "계정",
    email: "이메일",
    password: "비밀번호",
    name: "이름",
    phone: "전화번호",
    passwordHint: "8자 이상",
    signupHint: "이름과 전화번호(예: 010-1234-5678)는 회원가입할 때만 필요합니다.",
    signUp: "회원가입",
    logIn: "로그인",
    logOut: "로그아웃",
    signedInAs: "{name}님으로 로그인됨",
    soldOut: "품절",
    loading: "불러오는 중…",
    reloadMenu: "메뉴 다시 불러오기",
    menuEmpty: "지금은 주문할 수 있는 메뉴가 없습니다.",
    menuCached: "마지막으로 저장된 메뉴를 보여 드립니다. 가격과 품절 여부가 바뀌었을 수 있습니다.",
    cartEmpty: "장바구니가 비어 있습니다.",
    total: "합계",
    remove: "빼기",
    placeOrder: "주문하기",
    placingOrder: "주문하는 중…",
    cancelOrder: "주문 취소",
    unavailableInCart: "지금은 주문할 수 없는 상품",
    recoSignedOut: "로그인하면 장바구니와 주문 기록에 맞춘 추천 메뉴를 볼 수 있습니다.",
    recoEmpty: "지금은 추천할 메뉴가 없습니다.",
    recoFailed: "추천 메뉴를 불러오지 못했습니다. 잠시 후 다시 시도해 주세요.",
    ordersSignedOut: "로그인하면 주문 내역을 볼 수 있습니다.",
    ordersEmpty: "아직 주문이 없습니다.",
    moreOrders: "이전 주문 더 보기",
    orderNumber: "주문 {id}",
    footer: "동네빵집 · 모든 가격은 부가세 포함 원화 가격입니다.",
    // success (role=status)
    signedUp: "가입되었습니다. 환영합니다, {name}님!",
    loggedIn: "로그인되었습니다.",
    loggedOut: "로그아웃되었습니다. 장바구니는 그대로 남아 있습니다.",
    added: "{name}을(를) 장바구니에 담았습니다.",
    removed: "{name}을(를) 장바구니에서 뺐습니다.",
    ordered: "주문이 접수되었습니다. 합계 {total}",
    cancelled: "주문을 취소했습니다.",
    // failures (role=alert)
    errSessionExpired: "로그인이 만료되었습니다. 다시 로그인해 주세요. 장바구니는 그대로 있습니다.",
    errLoginFirst: "주문하려면 먼저 로그인해 주세요. 장바구니는 그대로 있습니다.",
    errNetwork: "서버에 연결할 수 없습니다. 인터넷 연결을 확인하고 다시 시도해 주세요.",
    errTimeout: "서버 응답이 너무 늦습니다. 잠시 후 다시 시도해 주세요.",
    errUnavailable: "{service}가 일시적으로 응답하지 않습니다. 잠시 후 다시 시도해 주세요.",
    errUnavailableRetry: "{service}가 지금 바쁩니다. {seconds}초 후에 다시 시도해 주세요.",
    errSlow: "{service} 응답이 너무 늦습니다. 잠시 후 다시 시도해 주세요.",
    errServer: "문제가 발생했습니다 (오류 {status}). 잠시 후 다시 시도해 주세요.",
    errThrottled: "시도 횟수가 너무 많습니다. {seconds}초 후에 다시 시도해 주세요.",
    errThrottledNoTime: "시도 횟수가 너무 많습니다. 잠시 후 다시 시도해 주세요.",
    errBadLogin: "이메일 또는 비밀번호가 올바르지 않습니다.",
    errEmailTaken: "이미 가입된 이메일입니다. 로그인해 주세요.",
    errFields: "다음 항목을 확인해 주세요: {fields}",
    errOrderRefused: "주문할 수 없습니다: {fields} 항목을 확인해 주세요.",
    errCannotCancel: "이 주문은 이미 처리 중이라 취소할 수 없습니다.",
    errConflict: "요청이 현재 상태와 맞지 않습니다. 새로고침 후 다시 시도해 주세요.",
    errMenu: "메뉴를 불러오지 못했습니다.",
    errCartEmpty: "장바구니가 비어 있습니다. 먼저 상품을 담아 주세요.",
    errCartUnavailable: "주문할 수 없는 상품이 장바구니에 있습니다: {names}. 빼고 다시 주문해 주세요.",
    errMaxQuantity: "{name}은(는) 한 번에 최대 {max}개까지 주문할 수 있습니다.",
    errQuantity: "{name} 수량은 1에서 {max} 사이의 숫자여야 합니다.",
    invalidEmail: "이메일 (예: name@example.com)",
    invalidPassword: "비밀번호 (8자 이상)",
    invalidName: "이름 (1~80자)",
    invalidPhone: "전화번호 (예: 010-1234-5678)",
    fieldItems: "장바구니 상품",
    fieldQuantity: "수량",
    serviceLogin: "로그인 서비스",
    serviceOrder: "주문 서비스",
    serviceReco: "추천 서비스",
    serviceGeneric: "서비스",
  },
  en: {
    title: "Neighbourhood Bakery — order online",
    brand: "Neighbourhood Bakery",
    skip: "Skip to main content",
    languageNav: "Language",
    menu: "Menu",
    cart: "Cart",
    recommendations: "Recommendations",
    orders: "My orders",
    account: "Account",
    email: "Email",
    password: "Password",
    name: "Name",
    phone: "Phone",
    passwordHint: "At least 8 characters",
    signupHint: "Your name and phone number (e.g. 010-1234-5678) are needed only to sign up.",
    signUp: "Sign up",
    logIn: "Log in",
    logOut: "Log out",
    signedInAs: "Signed in as {name}",
    soldOut: "Sold out",
    loading: "Loading…",
    reloadMenu: "Reload menu",
    menuEmpty: "Nothing can be ordered right now.",
    menuCached: "Showing the last menu saved on this device; prices and stock may have changed.",
    cartEmpty: "Your cart is empty.",
    total: "Total",
    remove: "Remove",
    placeOrder: "Place order",
    placingOrder: "Placing your order…",
    cancelOrder: "Cancel order",
    unavailableInCart: "not available right now",
    recoSignedOut: "Log in to see recommendations based on your cart and your past orders.",
    recoEmpty: "No recommendations right now.",
    recoFailed: "Recommendations could not be loaded. Please try again in a moment.",
    ordersSignedOut: "Log in to see your orders.",
    ordersEmpty: "You have no orders yet.",
    moreOrders: "Show older orders",
    orderNumber: "Order {id}",
    footer: "Neighbourhood Bakery · all prices in Korean won, VAT included.",
    signedUp: "Welcome, {name}! Your account is ready.",
    loggedIn: "You are signed in.",
    loggedOut: "You are signed out. Your cart is kept.",
    added: "{name} added to your cart.",
    removed: "{name} removed from your cart.",
    ordered: "Order received. Total {total}",
    cancelled: "Your order was cancelled.",
    errSessionExpired: "Your sign-in has expired. Please log in again; your cart is kept.",
    errLoginFirst: "Please log in to place your order; your cart is kept.",
    errNetwork: "Cannot reach the bakery. Check your connection and try again.",
    errTimeout: "The bakery is taking too long to answer. Please try again in a moment.",
    errUnavailable: "The {service} is unavailable right now. Please try again in a moment.",
    errUnavailableRetry: "The {service} is busy. Please try again in {seconds} seconds.",
    errSlow: "The {service} is too slow to answer right now. Please try again in a moment.",
    errServer: "Something went wrong (error {status}). Please try again in a moment.",
    errThrottled: "Too many attempts. Please try again in {seconds} seconds.",
    errThrottledNoTime: "Too many attempts. Please try again in a moment.",
    errBadLogin: "The email or password is not correct.",
    errEmailTaken: "This email is already registered. Please log in instead.",
    errFields: "Please check: {fields}",
    errOrderRefused: "The order was refused. Please check: {fields}",
    errCannotCancel: "This order can no longer be cancelled: the bakery has already started on it.",
    errConflict: "That no longer matches the current state. Please refresh and try again.",
    errMenu: "The menu could not be loaded.",
    errCartEmpty: "Your cart is empty. Add something first.",
    errCartUnavailable: "Your cart holds items that cannot be ordered now: {names}. Remove them and try again.",
    errMaxQuantity: "You can order at most {max} of {name} at once.",
    errQuantity: "The quantity of {name} must be a number from 1 to {max}.",
    invalidEmail: "Email (e.g. name@example.com)",
    invalidPassword: "Password (at least 8 characters)",
    invalidName: "Name (1 to 80 characters)",
    invalidPhone: "Phone (e.g. 010-1234-5678)",
    fieldItems: "cart items",
    fieldQuantity: "quantity",
    serviceLogin: "sign-in service",
    serviceOrder: "order service",
    serviceReco: "recommendation service",
    serviceGeneric: "service",
  },
};

/** The page language: `?lang=` wins, then the remembered choice, then Korean. */
export function pickLang(queryLang, storedLang) {
  if (LANGS.includes(queryLang)) return queryLang;
  if (LANGS.includes(storedLang)) return storedLang;
  return DEFAULT_LANG;
}

/** `t(lang, key, {name: ...})`: the message with `{placeholders}` filled in; an unknown key is a bug, so it throws. */
export function t(lang, key, params = {}) {
  const table = MESSAGES[lang] ?? MESSAGES[DEFAULT_LANG];
  const text = table[key];
  if (text === undefined) throw new Error(`missing message ${key}`);
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

export function statusLabel(lang, status) {
  return STATUSES[lang]?.[status] ?? String(status);
}

export function categoryLabel(lang, category) {
  return CATEGORIES[lang]?.[category] ?? String(category);
}

/** A product's name in the page language (Korean name when the catalog has one). */
export function productName(lang, item) {
  return lang === "ko" && item.name_ko ? item.name_ko : item.name;
}

// Accessible names of per-product controls. The English ones are part of the storefront contract
// (shared/ARCHITECTURE.md "Storefront"): acceptance tests find "Add {English name} to cart".
const CONTROLS = {
  // Korean names start with a fixed word, as the English ones start with "Add ": Playwright matches a name as a
  // case-insensitive substring unless exact (https://playwright.dev/docs/api/class-page#page-get-by-role-option-name),
  // and "바게트 …" would otherwise also match "마늘바게트 …".
  ko: {
    add: ["장바구니에 ", " 담기", "담기"],
    addRecommended: ["추천 상품 ", " 담기", "담기"],
    quantity: (n) => `수량: ${n}`,
    remove: (n) => `장바구니에서 ${n} 빼기`,
  },
  en: {
    add: ["Add ", " to cart", "Add"],
    addRecommended: ["Add recommended ", "", "Add"],
    quantity: (n) => `Quantity of ${n}`,
    remove: (n) => `Remove ${n}`,
  },
};

/** `[before, after, visible]`: the full accessible name is before + product name + after; `visible` is shown. */
export function addParts(lang, kind = "add") {
  return CONTROLS[lang][kind];
}
export function addLabel(lang, name, kind = "add") {
  const [before, after] = addParts(lang, kind);
  return `${before}${name}${after}`;
}
export const quantityLabel = (lang, name) => CONTROLS[lang].quantity(name);
export const removeLabel = (lang, name) => CONTROLS[lang].remove(name);
export { STATUSES, CATEGORIES };

// ---- prices and times, through Intl (ECMA-402) ----
// Intl.NumberFormat KRW has no minor unit, so "₩8,900" (https://tc39.es/ecma402/#sec-intl-numberformat-constructor,
// currency digits from ISO 4217); Korean shops write "8,900원", i.e. the grouped number and 원.
const en = new Intl.NumberFormat("en-US", { style: "currency", currency: "KRW" });
const ko = new Intl.NumberFormat("ko-KR", { maximumFractionDigits: 0 });
const SEOUL = "Asia/Seoul";

export function formatPrice(lang, won) {
  const value = Number.isFinite(won) ? won : 0;
  return lang === "en" ? en.format(value) : `${ko.format(value)}원`;
}

/** An ISO 8601 instant shown in Seoul time (orders are picked up in Korea), or "" when it cannot be read. */
export function formatTime(lang, iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "ko-KR", {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: SEOUL,
  }).format(date) + (lang === "en" ? " KST" : "");
}
