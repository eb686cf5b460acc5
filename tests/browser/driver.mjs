// Drives Debian's chromium for the Python tests (tests/browser/__init__.py), one JSON request per
// line on stdin, one JSON answer per line on stdout: {"id", "ok", "value"} or {"id", "ok": false,
// "error"}. One browser and one page for the whole session; `open` sets the viewport and loads a URL.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import readline from "node:readline";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-extensions", "--font-render-hinting=none"],
});
const page = await browser.newPage();
const consoleErrors = [];
page.on("pageerror", (err) => consoleErrors.push(String(err)));
page.on("console", (msg) => { if (msg.type() === "error") consoleErrors.push(msg.text()); });

const ops = {
  async open({ url, width = 1280, height = 800 }) {
    await page.setViewport({ width, height });
    consoleErrors.length = 0;
    const response = await page.goto(url, { waitUntil: "load" });
    return { status: response ? response.status() : null, url: page.url() };
  },
  async viewport({ width, height = 800 }) {
    await page.setViewport({ width, height });
    return null;
  },
  async eval({ js }) {
    return await page.evaluate(js);
  },
  async wait({ js, timeout = 10000 }) {
    await page.waitForFunction(js, { timeout, polling: 50 });
    return await page.evaluate(js);
  },
  async style({ css }) {
    await page.addStyleTag({ content: css });
    return null;
  },
  async key({ key }) {
    await page.keyboard.press(key);
    return await page.evaluate(() => {
      const el = document.activeElement;
      return el ? { tag: el.tagName.toLowerCase(), id: el.id, text: (el.textContent || "").trim().slice(0, 80),
                    href: el.getAttribute("href") } : null;
    });
  },
  async axe({ tags }) {
    if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) {
      await page.addScriptTag({ content: axeSource });
    }
    return await page.evaluate(async (values) => {
      const result = await window.axe.run(document, { runOnly: { type: "tag", values } });
      const brief = (items) => items.map((item) => ({
        id: item.id, impact: item.impact, help: item.help,
        nodes: item.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), summary: n.failureSummary || "" })),
      }));
      return { violations: brief(result.violations), incomplete: brief(result.incomplete),
               passes: result.passes.length, version: window.axe.version };
    }, tags);
  },
  async screenshot({ path, fullPage = false }) {
    await page.screenshot({ path, fullPage });
    return path;
  },
  async errors() {
    return consoleErrors.slice();
  },
};

const lines = readline.createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  let answer;
  try {
    const op = ops[request.op];
    if (!op) throw new Error(`unknown op ${request.op}`);
    answer = { id: request.id, ok: true, value: (await op(request)) ?? null };
  } catch (err) {
    answer = { id: request.id, ok: false, error: String(err && err.stack ? err.stack : err) };
  }
  process.stdout.write(JSON.stringify(answer) + "\n");
}
await browser.close();
