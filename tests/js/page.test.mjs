// Given the storefront's files as shipped, then they obey the gateway's CSP and Trusted Types by construction,
// every text key they use exists, and the first load stays inside the budget.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { MESSAGES } from "../../containers/login/login_service/storefront/static/i18n.js";

const ROOT = fileURLToPath(new URL("../../containers/login/login_service/storefront/", import.meta.url));
const STATIC = join(ROOT, "static");
const html = readFileSync(join(ROOT, "index.html"), "utf8");
const scripts = readdirSync(STATIC)
  .filter((name) => name.endsWith(".js"))
  .map((name) => [name, readFileSync(join(STATIC, name), "utf8")]);

test("no HTML-parsing sink, eval or inline handler in any script (Trusted Types 'none' would throw)", () => {
  const sinks = /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(|setAttribute\(\s*["']on/;
  for (const [name, source] of scripts) assert.doesNotMatch(source, sinks, name);
});

test("the page has no inline script, inline style or style attribute (CSP script-src/style-src 'self')", () => {
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/);
  assert.doesNotMatch(html, /<style\b/);
  assert.doesNotMatch(html, /\sstyle=/);
  assert.doesNotMatch(html, /\son[a-z]+=/);
  assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//); // nothing from another host
});

test("exactly one alert and one status region, the alert hidden until there is a message", () => {
  assert.equal(html.match(/role="alert"/g)?.length, 1);
  assert.equal(html.match(/role="status"/g)?.length, 1);
  assert.match(html, /<div id="alert"[^>]*role="alert"[^>]*hidden/);
  // and no script makes another one
  for (const [name, source] of scripts) assert.doesNotMatch(source, /["']?role["']?\s*:|setAttribute\(\s*["']role/, name);
});

test("forms are validated by the page, not by the browser's bubbles", () => {
  for (const form of html.match(/<form\b[^>]*>/g) ?? []) assert.match(form, /\snovalidate\b/);
});

test("every data-t key in the page exists in both languages", () => {
  const keys = [...html.matchAll(/data-t(?:-label)?="(\w+)"/g)].map((m) => m[1]);
  assert.ok(keys.length > 10);
  for (const key of keys) for (const lang of ["ko", "en"]) assert.ok(key in MESSAGES[lang], `${lang}.${key}`);
});

test("every module the page loads is preloaded, and every preload is a real file", () => {
  const imported = new Set(scripts.flatMap(([, source]) => [...source.matchAll(/from "\.\/(\w+\.js)"/g)].map((m) => m[1])));
  const preloaded = new Set([...html.matchAll(/rel="modulepreload" href="\/static\/(\w+\.js)"/g)].map((m) => m[1]));
  assert.deepEqual([...imported].sort(), [...preloaded].sort());
});

test("the first load (page, styles, scripts, icon) stays well under 100 KB", () => {
  const bytes = statSync(join(ROOT, "index.html")).size + readdirSync(STATIC).reduce((sum, name) => sum + statSync(join(STATIC, name)).size, 0);
  assert.ok(bytes < 80_000, `${bytes} bytes`);
});
