// Opens a vcaudit report.html in Debian's chromium (headless, offline, fresh profile) through
// playwright-core and prints what a person would see, as JSON on stdout:
//   node check.mjs REPORT.html [--screenshot PNG] [--filters JSON] [--dark] [--scroll]
// {"load_ms", "console_errors":[..], "requests":[..], "dialogs":[..], "counts":{readiness: n},
//  "total", "rendered_rows", "filters":[{"filter":{..}, "count": n, "ms": t, "rows":[[cells]]}],
//  "scripts": n}
// Every request other than the report file itself is recorded (and refused), so the caller can
// assert there are none.
import { chromium } from "playwright-core";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const args = process.argv.slice(2);
const file = resolve(args[0]);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const filters = JSON.parse(opt("--filters") || "[]");
const screenshot = opt("--screenshot");
const url = pathToFileURL(file).href;
const profile = await import("node:fs").then((fs) => fs.mkdtempSync("/tmp/vcaudit-chromium-"));

const browser = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  offline: true,
  colorScheme: args.includes("--dark") ? "dark" : "light",
  viewport: { width: 1400, height: 1000 },
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions"],
});
const out = { console_errors: [], requests: [], dialogs: [], filters: [] };
try {
  const page = browser.pages()[0] || await browser.newPage();
  // Generous: the machine may be busy; the timings are reported, not asserted.
  page.setDefaultTimeout(180000);
  page.on("console", (m) => { if (m.type() === "error") out.console_errors.push(m.text()); });
  page.on("pageerror", (e) => out.console_errors.push(String(e)));
  page.on("dialog", async (d) => { out.dialogs.push(d.message()); await d.dismiss(); });
  await browser.route("**/*", (route) => {
    const u = route.request().url();
    if (u === url) return route.continue();
    out.requests.push(u);
    return route.abort();
  });
  page.on("request", (r) => { if (r.url() !== url && !out.requests.includes(r.url())) out.requests.push(r.url()); });

  const t0 = Date.now();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("html[data-ready=true]", { timeout: 120000 });
  out.load_ms = Date.now() - t0;

  out.counts = await page.evaluate(() => {
    const c = {};
    for (const r of ["ready", "conditionally-ready", "unknown", "not-ready", "out-of-scope"]) {
      c[r] = Number(document.getElementById("count-" + r).textContent);
    }
    return c;
  });
  out.total = Number(await page.textContent("#count-total"));
  out.rendered_rows = await page.locator("#vm-body tr.vm").count();
  out.scripts = await page.locator("script").count();

  for (const f of filters) {
    await page.click("#f-clear");
    const t1 = Date.now();
    if (f.readiness !== undefined) await page.selectOption("#f-readiness", f.readiness);
    if (f.rule !== undefined) await page.selectOption("#f-rule", f.rule);
    if (f.vcenter !== undefined) await page.selectOption("#f-vcenter", f.vcenter);
    if (f.search !== undefined) {
      await page.fill("#f-search", f.search);
      await page.waitForFunction((q) => document.getElementById("vm-count").textContent !== "" &&
        window.vcaudit && document.getElementById("f-search").value === q, f.search);
      await page.waitForTimeout(400);
    }
    const count = Number(await page.getAttribute("#vm-count", "data-count"));
    const ms = Date.now() - t1;
    const rows = await page.$$eval("#vm-body tr.vm", (trs) =>
      trs.slice(0, 20).map((tr) => Array.from(tr.cells, (td) => td.textContent)));
    out.filters.push({ filter: f, count, ms, rows });
  }
  if (args.includes("--scroll")) {
    await page.click("#f-clear");
    const t2 = Date.now();
    await page.$eval("#vm-scroll", (s) => { s.scrollTop = s.scrollHeight / 2; });
    await page.waitForTimeout(100);
    out.scroll_rows = await page.locator("#vm-body tr.vm").count();
    out.scroll_ms = Date.now() - t2;
  }
  if (screenshot) {
    await page.click("#f-clear");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: screenshot, fullPage: args.includes("--full") });
  }
} finally {
  await browser.close();
  (await import("node:fs")).rmSync(profile, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(out) + "\n");
