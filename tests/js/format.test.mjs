import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPrice, formatTime } from "../../containers/login/login_service/storefront/static/i18n.js";

test("prices: 3,200원 in Korean and ₩3,200 in English", () => {
  assert.equal(formatPrice("ko", 3200), "3,200원");
  assert.equal(formatPrice("en", 3200), "₩3,200");
  assert.equal(formatPrice("ko", 38000), "38,000원");
  assert.equal(formatPrice("en", 8900), "₩8,900");
  assert.equal(formatPrice("en", 0), "₩0");
  assert.equal(formatPrice("en", Number.NaN), "₩0");
});

test("times are shown in Seoul time whatever the machine's zone", () => {
  // 2026-01-01T15:30Z is 2026-01-02 00:30 in Seoul (UTC+9)
  assert.equal(formatTime("en", "2026-01-01T15:30:00Z"), "2 Jan 2026, 00:30 KST");
  assert.match(formatTime("ko", "2026-01-01T15:30:00Z"), /^2026\. 1\. 2\..*12:30$/);
  assert.equal(formatTime("en", "not a date"), "");
});
