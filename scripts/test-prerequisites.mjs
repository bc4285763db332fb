#!/usr/bin/env node
// Runs first in `npm test`: makes sure the machine has the two programs the tests use beyond
// node_modules, Debian's Chromium (the browser tests in e2e/browser drive it) and poppler's
// pdftoppm (the label tests open every PDF they render with it). As root it installs whichever is
// missing with apt-get; otherwise it stops here and says what to run, rather than letting a
// hundred tests fail one by one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

console.log(`npm test on Node.js ${process.version} (${process.execPath})`);

const chromiumOverride = process.env['SERIALTRACE_CHROMIUM'];
if (chromiumOverride !== undefined && !existsSync(chromiumOverride)) {
  fail([`SERIALTRACE_CHROMIUM names ${chromiumOverride}, which does not exist: point it at a Chromium, or unset it to use Debian's /usr/bin/chromium.`]);
}

const NEEDED = [
  // SERIALTRACE_CHROMIUM (checked above) replaces Debian's browser; see e2e/browser/chromium.ts.
  ...(chromiumOverride === undefined ? [{ pkg: 'chromium', path: '/usr/bin/chromium', usedBy: 'the browser tests (e2e/browser)' }] : []),
  { pkg: 'poppler-utils', path: '/usr/bin/pdftoppm', usedBy: 'the label tests, which open the PDFs they render' },
];

const missing = NEEDED.filter((n) => !existsSync(n.path));
if (missing.length === 0) process.exit(0);

const packages = missing.map((n) => n.pkg);
const why = missing.map((n) => `  ${n.pkg}: ${n.path}, for ${n.usedBy}`);
const byHand = `sudo apt-get update && sudo apt-get install -y ${packages.join(' ')}`;

const isRoot = process.getuid?.() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt) {
  fail([
    `npm test needs Debian packages this machine lacks:`,
    ...why,
    `Install them, then run npm test again:`,
    `  ${byHand}`,
    ...(hasApt ? [] : [`(no apt-get here: install the same programs with this system's package manager, or set SERIALTRACE_CHROMIUM to a Chromium)`]),
  ]);
}

console.log(`Installing ${packages.join(' ')} with apt-get, for:`);
console.log(why.join('\n'));
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
// Wait a while for another apt-get or dpkg holding the lock rather than failing at once.
const lock = ['-o', 'DPkg::Lock::Timeout=300'];
for (const args of [['update', '-qq', ...lock], ['install', '-y', '-qq', '--no-upgrade', ...lock, ...packages]]) {
  // dpkg's progress goes to stdout, hundreds of lines: show it only when something went wrong.
  const run = spawnSync('apt-get', args, { env, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) {
    process.stdout.write(run.stdout ?? '');
    fail([`apt-get ${args[0]} failed (${run.error?.message ?? `exit status ${run.status ?? run.signal}`}). Install the packages by hand, then run npm test again:`, `  ${byHand}`]);
  }
}
console.log(`Installed ${packages.join(' ')}.`);

const stillMissing = missing.filter((n) => !existsSync(n.path));
if (stillMissing.length > 0) {
  fail([`apt-get installed ${packages.join(' ')}, but these are still missing: ${stillMissing.map((n) => n.path).join(', ')}`]);
}

/** @param {string[]} lines */
function fail(lines) {
  console.error(lines.join('\n'));
  process.exit(1);
}
