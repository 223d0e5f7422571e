// The preview server and the search page in a real browser (Debian's
// chromium, headless, driven by playwright-core). Run by
// tests/e2e/test_serve.py, which starts `gongkai serve` on a copy of the
// example site:
//   node serve.test.js BASE_URL SITE_DIR SCREENSHOT_DIR
// Prints a line per failure and ends with "browser: N passed, N failed".
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const [base, site, shots] = process.argv.slice(2);
let passed = 0, failed = 0;

function check(ok, what) {
  if (ok) passed++;
  else {
    failed++;
    console.log("FAIL: " + what);
  }
  return ok;
}

// The content file whose front matter has this title.
function findItem(title) {
  const stack = [path.join(site, "content")];
  while (stack.length) {
    const dir = stack.pop();
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith(".md") && fs.readFileSync(p, "utf8").includes(title)) return p;
    }
  }
  throw new Error("no content file has the title " + title);
}

async function search(page, query, params) {
  const q = new URLSearchParams(Object.assign({ q: query }, params || {}));
  await page.goto(base + "search/?" + q.toString());
  await page.waitForFunction(() => {
    const s = document.getElementById("search-status").textContent;
    return s && !s.startsWith("正在");
  });
  return {
    status: await page.textContent("#search-status"),
    titles: await page.$$eval("#search-results .search-title", (as) => as.map((a) => a.textContent)),
    marks: await page.$$eval("#search-results mark", (ms) => ms.map((m) => m.textContent)),
    meta: await page.$$eval("#search-results .item-list-meta", (ms) => ms.map((m) => m.textContent)),
  };
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "gk-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1100, height: 900 },
  });
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    // The home page, and a query typed into the box in its header.
    await page.goto(base);
    check((await page.title()).includes("示例县人民政府"), "home page title");
    await page.fill("#site-search-q", "临时救助实施细则");
    await Promise.all([page.waitForURL(/\/search\/\?q=/), page.press("#site-search-q", "Enter")]);
    await page.waitForFunction(() => document.querySelectorAll("#search-results li").length > 0);
    const fragment = await page.$$eval("#search-results .search-title", (as) => as.map((a) => a.textContent));
    check(fragment[0] === "示例县民政局关于印发《示例县临时救助实施细则（试行）》的通知",
      "title fragment: first result " + fragment[0]);
    const marked = await page.$$eval("#search-results li:first-child .search-title mark",
      (ms) => ms.map((m) => m.textContent).join(""));
    check(marked === "临时救助实施细则", "title fragment highlighted: " + marked);
    await page.screenshot({ path: path.join(shots, "search-title.png") });

    // A document number, as written and with [] and full-width digits.
    for (const q of ["示发改投资〔2025〕18号", "示发改投资[2025]18号", "示发改投资〔２０２５〕１８号"]) {
      const r = await search(page, q);
      check(r.titles[0] === "关于城南污水处理厂提标改造工程可行性研究报告的批复",
        "文号 " + q + ": first result " + r.titles[0]);
    }
    // 〔2012〕21号 and 2012 alone find the item with that number (the test
    // added it: the only one of 2012).
    for (const q of ["〔2012〕21号", "2012"]) {
      const r = await search(page, q);
      check(r.titles[0] === "示例县2012年测试通知", q + ": first result " + r.titles[0]);
    }

    // A two-character word: every result's page contains it.
    const word = await search(page, "救灾");
    check(word.titles.length > 0, "救灾 has results");
    check(word.marks.every((m) => m.includes("救灾") || "救灾".includes(m)), "救灾 highlighted");
    await page.screenshot({ path: path.join(shots, "search-word.png"), fullPage: true });
    const links = await page.$$eval("#search-results .search-title", (as) => as.map((a) => a.href));
    for (const href of links) {
      const text = await (await page.request.get(href)).text();
      check(text.includes("救灾"), "救灾 on " + href);
    }

    // A one-character query, and the department filter.
    const one = await search(page, "灾");
    check(one.titles.length >= word.titles.length, "one character finds at least the word's items");
    const czj = await search(page, "公开", { dept: "czj" });
    check(czj.meta.length > 0 && czj.meta.every((m) => m.startsWith("财政局")),
      "department filter: " + czj.meta.join(" | "));
    check((await page.inputValue("#search-dept")) === "czj", "filter kept in the form");
    const none = await search(page, "没有这样的词语组合");
    check(none.titles.length === 0 && none.status.startsWith("没有找到"), "no results: " + none.status);

    // Follow a result to the item page.
    await search(page, "临时救助实施细则");
    await Promise.all([page.waitForURL(/\/mzj\//), page.click("#search-results li:first-child a")]);
    check((await page.textContent("h1")).includes("临时救助实施细则"), "result leads to the item page");
    const itemUrl = page.url();

    // Edit the item: the open page reloads by itself and shows the change.
    const file = findItem("示例县民政局关于印发《示例县临时救助实施细则（试行）》的通知");
    const original = fs.readFileSync(file, "utf8");
    await page.evaluate(() => { window.__notReloaded = true; });
    fs.writeFileSync(file, original.replace("临时救助实施细则（试行）》的通知", "临时救助实施细则（修订）》的通知"));
    const reloaded = await page.waitForFunction(
      () => !window.__notReloaded && document.querySelector("h1").textContent.includes("修订"),
      null, { timeout: 15000 }).then(() => true, () => false);
    check(reloaded, "the page reloaded with the edited title");

    // Break the front matter: the page shows the diagnostics over the last good site.
    await page.evaluate(() => { window.__notReloaded = true; });
    fs.writeFileSync(file, original.replace(/^title = "/m, "title = "));
    const panel = await page.waitForSelector("#gongkai-build-error", { timeout: 15000 }).then(() => true, () => false);
    check(panel, "error panel shown after a broken front matter");
    if (panel) {
      const text = await page.textContent("#gongkai-build-error");
      check(text.includes("GK106") && text.includes(path.relative(site, file)),
        "error panel names the file and code: " + text.slice(0, 200));
      check((await page.textContent("h1")).includes("修订"), "the last good page stays under the panel");
      await page.screenshot({ path: path.join(shots, "build-error.png") });
    }

    // Fix it: the panel goes and the page is current again.
    fs.writeFileSync(file, original);
    const fixed = await page.waitForFunction(
      () => !document.getElementById("gongkai-build-error") &&
        document.querySelector("h1").textContent.includes("（试行）"),
      null, { timeout: 15000 }).then(() => true, () => false);
    check(fixed, "recovered after the fix");
    check(page.url() === itemUrl, "still on the item page");
    await page.screenshot({ path: path.join(shots, "recovered.png") });
    check(errors.length === 0, "no script errors: " + errors.join("; "));
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().then(
  () => console.log("browser: " + passed + " passed, " + failed + " failed"),
  (e) => {
    console.log("FAIL: " + (e && e.stack ? e.stack : e));
    console.log("browser: " + passed + " passed, " + (failed + 1) + " failed");
  });
