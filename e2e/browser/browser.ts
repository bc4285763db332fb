import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, ConsoleMessage, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { ROOT } from '../cli-process.js';
import { http, signIn as apiSignIn, startServer, type ServerProcess } from '../server-process.js';
import { launchChromium } from './chromium.js';

/**
 * The browser tier's harness: the real `serialtrace-server` process on a temporary SQLite file,
 * serving the built UI (packages/web/dist), and real headless Chromium driven by playwright-core.
 * Tests find controls by role and accessible name only, as a screen reader or a keyboard user
 * would; a class name is no contract.
 */

export const ADMIN_PASSWORD = 'browser-e2e-admin-password';

/** The two screen sizes the UI is built for: a desktop and a tablet held upright. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  tablet: { width: 820, height: 1180 },
} as const;

export type ViewportName = keyof typeof VIEWPORTS;

export async function setViewport(page: Page, name: ViewportName): Promise<void> {
  await page.setViewportSize(VIEWPORTS[name]);
}

const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

/** Saves the whole page as `test-results/screenshots/<name>.png` (gitignored) and returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Signs in through the sign-in page and waits for the main navigation. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Words a user should never see: a stack trace, a source location, or an exception's class name. */
export const STACK_TRACE = /\bat [\w.<>$]+ \(|\bat (?:https?|file):\/\/|\.(?:tsx?|jsx?|mjs):\d+|\b(?:Type|Reference|Syntax|Range)Error\b|\[object Object\]|undefined is not/;

/** The text of a locator's element, for checks on what a person reads. */
export async function textOf(locator: Locator): Promise<string> {
  return (await locator.innerText()).trim();
}

export interface BrowserUi {
  /** The server's base URL (`http://127.0.0.1:<port>`). */
  readonly url: string;
  readonly server: ServerProcess;
  /** The temporary directory holding the database. */
  readonly dir: string;
  /**
   * A page in a fresh browser context (its own cookies and storage) at 1280x800, opened at `/`
   * of this file's server (or of `url`).
   * Uncaught exceptions and console errors on it fail the test that opened it.
   */
  openBrowser(options?: { viewport?: ViewportName; path?: string; url?: string }): Promise<Page>;
  /** Console errors matching this are expected in the current test (say, a refused sign-in's 401). */
  allowConsoleErrors(pattern: RegExp): void;
  /** The admin's session cookie as request headers, for setting up data through the API. */
  adminHeaders(): Promise<Record<string, string>>;
  /** Starts another server with the same settings on its own database (stopped after the file's tests). */
  startAnotherServer(): Promise<ServerProcess>;
}

/**
 * A page opened signed out asks the server who is signed in, and the 401 answer is how it learns
 * that nobody is; Chromium logs every 4xx resource as a console error.
 */
const SESSION_PROBE = /status of 401 \(Unauthorized\) \(https?:\/\/[^/]+\/api\/v1\/(?:auth\/me|info)\)$/;

interface Watched {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly errors: string[];
}

/**
 * Registers this file's hooks: one server and one browser for the file, a fresh context per
 * page, and after each test a check that no page threw or logged an error nobody expected.
 */
export function useBrowserUi(): BrowserUi {
  let dir = '';
  let server: ServerProcess | undefined;
  let browser: Browser | undefined;
  let admin: Record<string, string> | undefined;
  const servers: ServerProcess[] = [];
  let watched: Watched[] = [];
  let allowed: RegExp[] = [];

  const start = async (db: string) => {
    const started = await startServer(db, { SERIALTRACE_ADMIN_PASSWORD: ADMIN_PASSWORD });
    servers.push(started);
    return started;
  };

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'packages', 'web', 'dist', 'index.html'))) {
      throw new Error('the web UI is not built (packages/web/dist): run `npm run build` first, as `npm test` does');
    }
    dir = mkdtempSync(join(tmpdir(), 'serialtrace-browser-e2e-'));
    [server, browser] = await Promise.all([start(join(dir, 'serialtrace.db')), launchChromium()]);
  });

  afterEach(async (context) => {
    const pages = watched;
    const patterns = [...allowed, SESSION_PROBE];
    watched = [];
    allowed = [];
    // A failed test leaves a picture of every page it had open: what was shown instead.
    if (context.task.result?.state === 'fail') {
      const name = context.task.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 80);
      await Promise.all(pages.flatMap((w, i) => w.context.pages().map((page, j) => screenshot(page, `failed-${name}-${i}-${j}`).catch(() => undefined))));
    }
    const unexpected = pages.flatMap((w) => w.errors.filter((error) => !patterns.some((pattern) => pattern.test(error))));
    await Promise.all(pages.map((w) => w.context.close().catch(() => undefined)));
    if (unexpected.length > 0) throw new Error(`the page reported errors:\n${unexpected.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  return {
    get url() {
      return server!.url;
    },
    get server() {
      return server!;
    },
    get dir() {
      return dir;
    },
    async openBrowser(options = {}) {
      const context = await browser!.newContext({ viewport: VIEWPORTS[options.viewport ?? 'desktop'], baseURL: options.url ?? server!.url, locale: 'en-GB', timezoneId: 'UTC' });
      // A control that never appears fails with its name, not at the test's timeout; 20 s, since
      // the suite runs test files side by side on two cores and a first save or load can take
      // several seconds then (a script save once missed 10 s in CI).
      context.setDefaultTimeout(20_000);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`uncaught in the page: ${error.stack ?? error.message}`));
      page.on('console', (message: ConsoleMessage) => {
        if (message.type() === 'error') errors.push(`console error: ${message.text()} (${message.location().url})`);
      });
      watched.push({ context, page, errors });
      await page.goto(options.path ?? '/');
      return page;
    },
    allowConsoleErrors(pattern) {
      allowed.push(pattern);
    },
    async adminHeaders() {
      admin ??= await apiSignIn(server!.url, 'admin', ADMIN_PASSWORD);
      return admin;
    },
    async startAnotherServer() {
      return start(join(dir, `another-${servers.length}.db`));
    },
  };
}

/**
 * Adds a user with a role through the API as the admin, and replaces the temporary password the
 * admin set with the user's own, as the user would at the first sign-in.
 */
export async function addUser(ui: BrowserUi, username: string, role: string, password: string): Promise<void> {
  const temporary = `${password}-temporary`;
  const created = await http(ui.url, 'POST', '/api/v1/users', { headers: await ui.adminHeaders(), body: { username, password: temporary, role } });
  if (created.status !== 201) throw new Error(`adding ${username} failed: ${created.status} ${created.text}`);
  const headers = await apiSignIn(ui.url, username, temporary);
  const changed = await http(ui.url, 'POST', '/api/v1/auth/password', { headers, body: { currentPassword: temporary, newPassword: password } });
  if (changed.status !== 204) throw new Error(`changing ${username}'s password failed: ${changed.status} ${changed.text}`);
}
