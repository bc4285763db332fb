/**
 * The web UI's records explorer on a large database, in real headless Chromium against the real
 * server process: time to the first record row, time to scroll 10,000 rows with the frame timing
 * on the way (what "smooth" means), and a search. The baseline, measured in the same run from the
 * same page, is the HTTP API alone: the same rows fetched with `fetch`, page by page, with
 * nothing drawn. Ratios are UI time over API time.
 *
 * The database is seeded through the service and cached under `.bench/` (see web-seed.ts); each
 * run copies it, so the server's writes (its first admin, sessions) never reach the cache.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../e2e/browser/chromium.js';
import { startServerProcess } from './http-server-process.js';
import { percentile } from './stats.js';
import { seededDatabase } from './web-seed.js';

const PASSWORD = 'bench-password-not-secret';
const VIEWPORT = { width: 1280, height: 800 };
/** The UI asks for this many records per request; the API baseline pages the same way. */
const PAGE_SIZE = 200;
const SCROLL_ROWS = 10_000;
/** A frame slower than this is visible as a stutter. */
const LONG_FRAME_MS = 50;

export interface WebUiReport {
  readonly records: number;
  readonly quick: boolean;
  readonly seed: { readonly seconds: number; readonly reused: boolean };
  readonly firstRender: { readonly medianMs: number; readonly runsMs: readonly number[]; readonly apiFirstPageMs: number; readonly ratio: number };
  readonly scroll: {
    readonly rows: number;
    readonly medianMs: number;
    readonly runsMs: readonly number[];
    readonly rowsPerSecond: number;
    /** Rows a frame's scroll step moves: one screen of the table. */
    readonly rowsPerFrame: number;
    /** Frames in which the scroll could not move on because the next page had not arrived. */
    readonly waitingFrames: number;
    readonly apiMs: number;
    readonly ratio: number;
    readonly frames: { readonly count: number; readonly p50Ms: number; readonly p95Ms: number; readonly maxMs: number; readonly long: number };
    /** The page's main-thread tasks over 50 ms during the scroll (median run): how much of a late frame is the page's own work. */
    readonly longTasks: { readonly count: number; readonly totalMs: number };
  };
  readonly search: { readonly medianMs: number; readonly runsMs: readonly number[]; readonly apiMs: number; readonly ratio: number };
}

// The page functions are strings: tsx rewrites compiled functions with helpers that do not
// exist in the page, and these run there, not in Node.

/** Notes when the first record row is drawn: at the frame after it enters the document. */
const WATCH_FIRST_ROW = `
(() => {
  const found = () => document.querySelector('[role="table"][aria-label="Records"] [role="row"][aria-rowindex="2"]');
  const observer = new MutationObserver(() => {
    const row = found();
    if (row === null || row.getBoundingClientRect().height === 0) return;
    observer.disconnect();
    requestAnimationFrame(() => { window.__firstRowAt = performance.now(); });
  });
  observer.observe(document, { childList: true, subtree: true });
})();
`;

/** Scrolls the explorer one screen per frame until row `target` is drawn; returns the time and every frame's interval. */
const SCROLL = `
async ({ target, timeoutMs }) => {
  const region = document.querySelector('[role="region"][aria-label="Records table"]');
  if (region === null) throw new Error('no region "Records table"');
  const selector = '[role="row"][aria-rowindex="' + target + '"]';
  const firstRow = region.querySelector('[role="row"][aria-rowindex="2"]');
  const rowHeight = firstRow === null ? 0 : firstRow.getBoundingClientRect().height;
  const step = region.clientHeight;
  const frames = [];
  // Main-thread tasks over 50 ms (script, style, layout): what makes a frame late on the page's side.
  const longTasks = [];
  const observer = new PerformanceObserver((list) => { for (const entry of list.getEntries()) longTasks.push(entry.duration); });
  observer.observe({ type: 'longtask' });
  let waiting = 0;
  const start = performance.now();
  let last = start;
  while (region.querySelector(selector) === null) {
    const before = region.scrollTop;
    region.scrollTop = before + step;
    if (region.scrollTop === before) waiting++;
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const now = performance.now();
    frames.push(now - last);
    last = now;
    if (now - start > timeoutMs) throw new Error('row ' + target + ' was not drawn within ' + timeoutMs + ' ms (scrollTop ' + region.scrollTop + ' of ' + region.scrollHeight + ')');
  }
  const ms = performance.now() - start;
  observer.disconnect();
  return { ms, frames, waiting, rowsPerFrame: rowHeight > 0 ? step / rowHeight : 0, longTasks };
}
`;

/** The same rows through the API alone: `rows` records, a page of PAGE_SIZE at a time along the cursor. */
const API_PAGES = `
async ({ rows, pageSize, query }) => {
  const start = performance.now();
  let cursor = null;
  let fetched = 0;
  while (fetched < rows) {
    const url = '/api/v1/records?limit=' + pageSize + query + (cursor === null ? '' : '&cursor=' + encodeURIComponent(cursor));
    const response = await fetch(url);
    if (!response.ok) throw new Error(url + ' answered ' + response.status);
    const body = await response.json();
    fetched += body.records.length;
    cursor = body.nextCursor;
    if (cursor === null || cursor === undefined) break;
  }
  return { ms: performance.now() - start, fetched };
}
`;

/**
 * Waits, frame by frame, until \`probe()\` gives a value, and answers it. (Playwright's own
 * waitForFunction evaluates its string with eval, which the page's Content-Security-Policy forbids.)
 */
const UNTIL = `
(probe, timeoutMs) => new Promise((resolve, reject) => {
  const start = performance.now();
  const check = () => {
    const value = probe();
    if (value !== false && value !== undefined && value !== null) return resolve(value);
    if (performance.now() - start > timeoutMs) return reject(new Error('gave up after ' + timeoutMs + ' ms waiting for ' + probe));
    requestAnimationFrame(check);
  };
  check();
})
`;

const FIRST_ROW_DRAWN = `() => window.__firstRowAt`;

const FIRST_ROW_SHOWS = `
(serial) => () => {
  const row = document.querySelector('[role="table"][aria-label="Records"] [role="row"][aria-rowindex="2"]');
  return row !== null && (row.textContent || '').includes(serial) ? performance.now() : false;
}
`;

const median = (values: readonly number[]) => percentile([...values].sort((a, b) => a - b), 50);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function watchErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(`uncaught in the page: ${error.message}`));
}

async function newSignedInContext(browser: Browser, url: string, from: BrowserContext): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: VIEWPORT, baseURL: url });
  await context.addCookies(await from.cookies());
  context.setDefaultTimeout(60_000);
  return context;
}

/**
 * Resolves once none of the page's requests is in flight. The explorer asks for a count beside
 * its first page, and the server answers reads one at a time: a baseline fetched while that count
 * runs would wait behind it and make the UI look better than it is.
 */
function trackRequests(page: Page): () => Promise<void> {
  let inFlight = 0;
  page.on('request', () => inFlight++);
  page.on('requestfinished', () => inFlight--);
  page.on('requestfailed', () => inFlight--);
  return async () => {
    const deadline = performance.now() + 120_000;
    while (inFlight > 0) {
      if (performance.now() > deadline) throw new Error(`${inFlight} requests of the page still unanswered after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
}

/** Opens `/` and waits for the first record row; returns the page, the time from navigation start, and a wait for a quiet network. */
async function openExplorer(context: BrowserContext, errors: string[]): Promise<{ page: Page; firstRowMs: number; quiet: () => Promise<void> }> {
  const page = await context.newPage();
  watchErrors(page, errors);
  const quiet = trackRequests(page);
  await page.addInitScript(WATCH_FIRST_ROW);
  await page.goto('/', { waitUntil: 'commit' });
  return { page, quiet, firstRowMs: await page.evaluate<number>(`(${UNTIL})(${FIRST_ROW_DRAWN}, 60000)`) };
}

export async function runWebUiBench(options: { quick: boolean; log?: (line: string) => void }): Promise<WebUiReport> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const records = options.quick ? 200_000 : 1_000_000;
  const runs = options.quick ? { first: 3, scroll: 1, search: 3 } : { first: 5, scroll: 3, search: 5 };
  const seed = await seededDatabase(records, log);
  log(seed.reused ? `web UI: reusing the seeded ${records.toLocaleString('en-US')} records (${seed.path})` : `web UI: seeded in ${seed.seedSeconds} s`);

  const dir = mkdtempSync(join(tmpdir(), 'serialtrace-web-bench-'));
  const db = join(dir, 'serialtrace.db');
  copyFileSync(seed.path, db);
  if (existsSync(`${seed.path}-wal`)) copyFileSync(`${seed.path}-wal`, `${db}-wal`);
  const errors: string[] = [];
  const server = await startServerProcess({
    SERIALTRACE_DB: db,
    SERIALTRACE_ADMIN_PASSWORD: PASSWORD,
    SERIALTRACE_RATE_LIMIT: '0',
    SERIALTRACE_TIME_ZONE: 'UTC',
  });
  const browser = await launchChromium();
  try {
    // Sign in through the sign-in page, as a person would; later contexts carry its cookie.
    const main = await browser.newContext({ viewport: VIEWPORT, baseURL: server.url });
    main.setDefaultTimeout(60_000);
    const signIn = await main.newPage();
    watchErrors(signIn, errors);
    await signIn.goto('/');
    await signIn.getByLabel('Username', { exact: true }).fill('admin');
    await signIn.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await signIn.getByRole('button', { name: 'Sign in', exact: true }).click();
    await signIn.getByRole('navigation', { name: 'Main' }).waitFor();
    await signIn.close();

    // (a) First render, each run in a fresh context: nothing cached but the session cookie.
    const firstRuns: number[] = [];
    const apiFirstRuns: number[] = [];
    for (let i = 0; i < runs.first; i++) {
      const context = await newSignedInContext(browser, server.url, main);
      const { page, firstRowMs, quiet } = await openExplorer(context, errors);
      firstRuns.push(firstRowMs);
      await quiet();
      const api = await page.evaluate<{ ms: number }>(`(${API_PAGES})({ rows: 1, pageSize: ${PAGE_SIZE}, query: '' })`);
      apiFirstRuns.push(api.ms);
      await context.close();
    }
    log(`web UI: first render ${firstRuns.map((ms) => Math.round(ms)).join(', ')} ms`);

    // (b) Scroll 10,000 rows, each run from a freshly opened explorer; the API pages the same rows from the same page.
    const scrollRuns: { ms: number; frames: number[]; waiting: number; rowsPerFrame: number; longTasks: number[] }[] = [];
    const apiScrollRuns: number[] = [];
    for (let i = 0; i < runs.scroll; i++) {
      const { page, quiet } = await openExplorer(main, errors);
      const result = await page.evaluate<(typeof scrollRuns)[number]>(`(${SCROLL})({ target: ${SCROLL_ROWS + 1}, timeoutMs: 600000 })`);
      scrollRuns.push(result);
      await quiet();
      const api = await page.evaluate<{ ms: number; fetched: number }>(`(${API_PAGES})({ rows: ${SCROLL_ROWS}, pageSize: ${PAGE_SIZE}, query: '' })`);
      if (api.fetched < SCROLL_ROWS) throw new Error(`the API gave ${api.fetched} records, not ${SCROLL_ROWS}`);
      apiScrollRuns.push(api.ms);
      log(`web UI: scrolled ${SCROLL_ROWS.toLocaleString('en-US')} rows in ${Math.round(result.ms)} ms (API ${Math.round(api.ms)} ms)`);
      await page.close();
    }

    // (c) Search for one serial among all of them, typed into "Search records"; Enter searches at once.
    const { page, quiet } = await openExplorer(main, errors);
    const search = page.getByLabel('Search records', { exact: true });
    const searchRuns: number[] = [];
    const apiSearchRuns: number[] = [];
    for (let i = 0; i < runs.search; i++) {
      const serial = seed.samples[i % seed.samples.length]!;
      await quiet();
      const started = await page.evaluate<number>('performance.now()');
      await search.fill(serial);
      await search.press('Enter');
      const shown = await page.evaluate<number>(`(${UNTIL})((${FIRST_ROW_SHOWS})(${JSON.stringify(serial)}), 60000)`);
      searchRuns.push(shown - started);
      await quiet();
      const api = await page.evaluate<{ ms: number }>(`(${API_PAGES})({ rows: 1, pageSize: ${PAGE_SIZE}, query: '&q=' + encodeURIComponent(${JSON.stringify(serial)}) })`);
      apiSearchRuns.push(api.ms);
    }
    await page.close();
    await main.close();
    if (errors.length > 0) throw new Error(`the page reported errors:\n${errors.join('\n')}`);

    const frames = scrollRuns.flatMap((r) => r.frames).sort((a, b) => a - b);
    const medianRun = [...scrollRuns].sort((a, b) => a.ms - b.ms)[Math.floor((scrollRuns.length - 1) / 2)]!;
    const firstMedian = median(firstRuns);
    const apiFirst = median(apiFirstRuns);
    const scrollMedian = median(scrollRuns.map((r) => r.ms));
    const apiScroll = median(apiScrollRuns);
    const searchMedian = median(searchRuns);
    const apiSearch = median(apiSearchRuns);
    return {
      records,
      quick: options.quick,
      seed: { seconds: seed.seedSeconds, reused: seed.reused },
      firstRender: { medianMs: round(firstMedian), runsMs: firstRuns.map((ms) => round(ms)), apiFirstPageMs: round(apiFirst), ratio: round(firstMedian / apiFirst, 2) },
      scroll: {
        rows: SCROLL_ROWS,
        medianMs: round(scrollMedian),
        runsMs: scrollRuns.map((r) => round(r.ms)),
        rowsPerSecond: Math.round(SCROLL_ROWS / (scrollMedian / 1000)),
        rowsPerFrame: round(median(scrollRuns.map((r) => r.rowsPerFrame))),
        waitingFrames: median(scrollRuns.map((r) => r.waiting)),
        apiMs: round(apiScroll),
        ratio: round(scrollMedian / apiScroll, 2),
        frames: {
          count: frames.length,
          p50Ms: round(percentile(frames, 50)),
          p95Ms: round(percentile(frames, 95)),
          maxMs: round(frames.at(-1) ?? 0),
          long: frames.filter((ms) => ms > LONG_FRAME_MS).length,
        },
        longTasks: { count: medianRun.longTasks.length, totalMs: round(medianRun.longTasks.reduce((a, b) => a + b, 0)) },
      },
      search: { medianMs: round(searchMedian), runsMs: searchRuns.map((ms) => round(ms)), apiMs: round(apiSearch), ratio: round(searchMedian / apiSearch, 2) },
    };
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (value: number) => (value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value).toLocaleString('en-US')} ms`);

export function printWebUiReport(report: WebUiReport): void {
  const { firstRender: first, scroll, search } = report;
  const count = report.records.toLocaleString('en-US');
  console.log(`\nWeb UI (real server process, headless Chromium ${VIEWPORT.width}x${VIEWPORT.height}, records explorer)`);
  if (report.quick) console.log(`  --quick: ${count} records instead of 1,000,000`);
  console.log(`  database: ${count} records seeded through the service ${report.seed.reused ? `(cached; seeding took ${report.seed.seconds} s)` : `in ${report.seed.seconds} s`}`);
  console.log(
    `  web UI (${count} records): first render ${ms(first.medianMs)} (API first page ${ms(first.apiFirstPageMs)}, ratio ${first.ratio}); ` +
      `scroll ${scroll.rows.toLocaleString('en-US')} rows ${ms(scroll.medianMs)} = ${scroll.rowsPerSecond.toLocaleString('en-US')} rows/s ` +
      `(API paging alone ${ms(scroll.apiMs)}, ratio ${scroll.ratio}); frames p50 ${scroll.frames.p50Ms} ms, p95 ${scroll.frames.p95Ms} ms, long frames ${scroll.frames.long}`,
  );
  console.log(`  first render: median of ${first.runsMs.length} fresh contexts, navigation start to the first record row drawn: ${first.runsMs.map((v) => Math.round(v)).join(', ')} ms`);
  console.log(
    `  scroll: one screen (${scroll.rowsPerFrame} rows) per frame until row ${scroll.rows.toLocaleString('en-US')} is drawn, median of ${scroll.runsMs.length}; ` +
      `${scroll.frames.count} frames, max ${scroll.frames.maxMs} ms, ${scroll.waitingFrames} frame${scroll.waitingFrames === 1 ? '' : 's'} waiting for a page of ${PAGE_SIZE}; ` +
      `main-thread tasks over 50 ms: ${scroll.longTasks.count}, ${ms(scroll.longTasks.totalMs)} in all`,
  );
  console.log(`  search for one serial: ${ms(search.medianMs)} from typing to the row (API alone ${ms(search.apiMs)}, ratio ${search.ratio}), median of ${search.runsMs.length}`);
}
