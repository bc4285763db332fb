import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * The real headless Chromium the browser tests and the UI benchmark drive: Debian's `chromium`
 * package, not a browser Playwright downloads, so the machine's package manager keeps it patched
 * (`npm test` installs it first when missing: scripts/test-prerequisites.mjs).
 */
export function chromiumExecutable(): string {
  const path = process.env['SERIALTRACE_CHROMIUM'] ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    // A browser tier that skips itself when the browser is missing would pass on every machine
    // that cannot run it: say what to do instead.
    throw new Error(`no Chromium at ${path}: install Debian's chromium: apt-get install -y chromium, or set SERIALTRACE_CHROMIUM to its path`);
  }
  return path;
}

/**
 * Flags for a quiet, reproducible browser: no sandbox (tests may run as root in a container),
 * no GPU, and none of the background traffic (updates, sync, QUIC probes) that would compete
 * with the page for the machine or reach outside it.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium with a fresh temporary profile (Playwright removes it on close). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumExecutable(), args: [...CHROMIUM_ARGS], headless: true });
}
