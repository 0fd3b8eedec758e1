// Drives Debian's headless Chromium with playwright-core for podfeed's browser tests and
// screenshots. Reads one JSON request on stdin, prints one JSON answer on stdout; the
// Python tests make the assertions. Usage: node driver.mjs < request.json
//
// Requests: {"mode": "axe", "pages": [{url, width, scheme}]}
//           {"mode": "chapters", "url": episode page}
//           {"mode": "nojs", "url": episode page}
//           {"mode": "copy", "url": home page}
//           {"mode": "layout", "pages": [{url, width}]}
//           {"mode": "screenshots", "shots": [{url, width, scheme, path}]}
//           {"mode": "xss", "urls": [page, ...]}
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  "--autoplay-policy=user-gesture-required",
];

async function withBrowser(options, body) {
  const profile = mkdtempSync(join(tmpdir(), "podfeed-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.PODFEED_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    ignoreDefaultArgs: ["--mute-audio"],
    ...options,
  });
  try {
    return await body(context);
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function open(context, url, width, scheme = "light") {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  await page.emulateMedia({ colorScheme: scheme });
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  const response = await page.goto(url, { waitUntil: "load" });
  return { page, errors, status: response ? response.status() : null };
}

async function axe(request) {
  return withBrowser({}, async (context) => {
    const results = [];
    for (const { url, width, scheme } of request.pages) {
      const { page, errors, status } = await open(context, url, width, scheme);
      await page.evaluate(AXE_SOURCE);
      const outcome = await page.evaluate(
        (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags } }),
        WCAG_TAGS,
      );
      results.push({
        url, width, scheme, status, errors,
        passes: outcome.passes.length,
        violations: outcome.violations.map((v) => ({
          id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.map((n) => ({ target: n.target, summary: n.failureSummary })),
        })),
      });
      await page.close();
    }
    return results;
  });
}

const playerState = () => {
  const audio = document.querySelector("audio[data-player]");
  const current = document.querySelector(".chapters a[aria-current]");
  return {
    currentTime: audio.currentTime,
    readyState: audio.readyState,
    paused: audio.paused,
    location: window.location.href,
    currentChapter: current ? current.getAttribute("data-start") : null,
  };
};

async function waitForSeek(page, start) {
  try {
    await page.waitForFunction(
      (s) => document.querySelector("audio[data-player]").currentTime >= s - 0.05,
      start, { timeout: 5000, polling: 50 },
    );
  } catch (error) {
    // Reported through the state below; the test says what went wrong.
  }
  return page.evaluate(playerState);
}

async function chapters(request) {
  return withBrowser({}, async (context) => {
    const answer = {};
    // Keyboard only: Tab from the top of the page to the last chapter link, then Enter.
    {
      const { page, errors } = await open(context, request.url, 1280);
      await page.waitForFunction(() => document.querySelector("audio[data-player]").readyState >= 1);
      const links = await page.$$eval(".chapters a[data-start]", (as) => as.map((a) => a.getAttribute("data-start")));
      const target = links[links.length - 1];
      const focusTrail = [];
      let tabs = 0;
      for (; tabs < 60; tabs++) {
        await page.keyboard.press("Tab");
        const focused = await page.evaluate(() => {
          const el = document.activeElement;
          const style = getComputedStyle(el);
          return {
            tag: el.tagName.toLowerCase(), text: (el.textContent || "").trim().slice(0, 60),
            start: el.getAttribute("data-start"), outline: style.outlineStyle,
            outlineWidth: style.outlineWidth,
          };
        });
        focusTrail.push(focused);
        if (focused.start === target) break;
      }
      const before = await page.evaluate(playerState);
      await page.keyboard.press("Enter");
      const after = await waitForSeek(page, Number(target));
      answer.keyboard = { links, target, tabs: tabs + 1, focusTrail, before, after, errors };
      await page.close();
    }
    // Mouse: click the second chapter, then the first transcript time after it.
    {
      const { page, errors } = await open(context, request.url, 390);
      await page.waitForFunction(() => document.querySelector("audio[data-player]").readyState >= 1);
      const link = page.locator(".chapters a[data-start]").nth(1);
      const start = Number(await link.getAttribute("data-start"));
      await link.click();
      const afterChapter = await waitForSeek(page, start);
      const time = page.locator(".transcript a.time").last();
      const timeStart = Number(await time.getAttribute("data-start"));
      await page.evaluate(() => document.querySelector("audio[data-player]").pause());
      await time.click();
      const afterTranscript = await waitForSeek(page, timeStart);
      answer.click = { start, afterChapter, timeStart, afterTranscript, errors };
      await page.close();
    }
    // A shared address with #t= starts the player at that time.
    {
      const { page, errors } = await open(context, request.url + "#t=12.5", 1280);
      const state = await waitForSeek(page, 12.5);
      answer.fragment = { state, errors };
      await page.close();
    }
    return answer;
  });
}

async function nojs(request) {
  return withBrowser({ javaScriptEnabled: false }, async (context) => {
    const { page } = await open(context, request.url, 1280);
    const copyHidden = await page.locator("button[data-copy]").evaluateAll((bs) => bs.map((b) => b.hidden));
    const href = await page.locator(".chapters a[data-start]").nth(1).getAttribute("href");
    await Promise.all([page.waitForURL((u) => u.href.includes("#t=")), page.locator(".chapters a[data-start]").nth(1).click()]);
    const landed = page.url();
    const mediaTime = await page.evaluate(async () => {
      const media = document.querySelector("video, audio");
      if (!media) return null;
      if (media.readyState < 1) await new Promise((r) => media.addEventListener("loadedmetadata", r, { once: true }));
      return media.currentTime;
    });
    return { href, landed, mediaTime, copyHidden };
  });
}

async function copy(request) {
  return withBrowser({ permissions: ["clipboard-read", "clipboard-write"] }, async (context) => {
    const { page, errors } = await open(context, request.url, 390);
    const button = page.locator("button[data-copy]").first();
    const visible = await button.isVisible();
    await button.click();
    await page.waitForFunction(() => document.querySelector(".copy-status").textContent !== "", null, { timeout: 3000 }).catch(() => {});
    const status = await page.locator(".copy-status").first().textContent();
    const clipboard = await page.evaluate(() => navigator.clipboard.readText());
    return { visible, status, clipboard, expected: await button.getAttribute("data-copy"), errors };
  });
}

async function layout(request) {
  return withBrowser({}, async (context) => {
    const results = [];
    for (const { url, width } of request.pages) {
      const { page, errors } = await open(context, url, width);
      const metrics = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
        fontSize: parseFloat(getComputedStyle(document.body).fontSize),
        stylesheets: document.styleSheets.length,
        external: [...document.querySelectorAll("script[src], link[rel=stylesheet], link[rel=icon], img[src], audio[src]")]
          .map((e) => e.src || e.href).filter((u) => !u.startsWith(location.origin)),
      }));
      results.push({ url, width, errors, ...metrics });
      await page.close();
    }
    return results;
  });
}

async function screenshots(request) {
  return withBrowser({}, async (context) => {
    for (const { url, width, scheme, path, full } of request.shots) {
      const { page } = await open(context, url, width, scheme || "light");
      await page.screenshot({ path, fullPage: full !== false });
      await page.close();
    }
    return request.shots.map((s) => s.path);
  });
}

// Loads each page, hovers and focuses everything, and reports any script a payload ran:
// dialogs (alert, confirm, prompt), window.__xss, and page errors.
async function xss(request) {
  return withBrowser({}, async (context) => {
    const results = [];
    for (const url of request.urls) {
      const { page, errors } = await open(context, url, 1280);
      const dialogs = [];
      page.on("dialog", async (dialog) => {
        dialogs.push(dialog.message());
        await dialog.dismiss();
      });
      await page.evaluate(async () => {
        for (const element of document.querySelectorAll("body *")) {
          for (const type of ["mouseover", "focus", "click", "toggle"]) {
            if (type === "click" && element.closest("a, button, form, audio")) continue;
            element.dispatchEvent(new Event(type));
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      });
      const flagged = await page.evaluate(() => window.__xss === true);
      results.push({ url, dialogs, flagged, errors, location: page.url() });
      await page.close();
    }
    return results;
  });
}

const MODES = { axe, chapters, nojs, copy, layout, screenshots, xss };
const request = JSON.parse(readFileSync(0, "utf8"));
const handler = MODES[request.mode];
if (!handler) {
  console.error(`unknown mode ${request.mode}`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(await handler(request)) + "\n");
