import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliOutput, useParity } from './cli-harness.js';

/**
 * The script commands over HTTP (`--server`) print what they print on a local database: both
 * sides start from copies of one fresh install (see `useParity` in cli-harness.ts). Only timings
 * differ (a log's `at`, a run's duration), and are set aside.
 */

const { dir, local, remote } = useParity('serialtrace-cli-scripts-remote-');

const SCRIPTS: Readonly<Record<string, string>> = {
  double: "function main(ctx) { console.log('hi', ctx.n); return { doubled: ctx.n * 2 } }\n",
  broken: 'function main(ctx) { return {; }\n',
  batch: [
    'async function main(ctx) {',
    "  await manufacturing.generateSerials('Widgets', 3, { workOrder: 'WO-1' });",
    "  return (await manufacturing.getRecordsByWorkOrder('WO-1')).map((r) => r.serial);",
    '}',
  ].join('\n'),
  fails: [
    'async function main(ctx) {',
    "  await manufacturing.generateSerials('Widgets', 2, { workOrder: 'WO-2' });",
    "  console.warn('about to fail', ctx.why);",
    '  throw new Error(ctx.why);',
    '}',
  ].join('\n'),
};

beforeAll(() => {
  for (const [name, source] of Object.entries(SCRIPTS)) writeFileSync(join(dir(), `${name}.js`), source);
});

type Mode = 'json' | 'text' | 'both';

/** `@name` is the script file of that name; `<stdin` gives standard input. */
const SEQUENCE: readonly (readonly [Mode, readonly string[], string?])[] = [
  ['text', ['series', 'create', 'Widgets', '--format', 'W{####}']],
  ['text', ['script', 'save', 'double', '@double', '--description', 'doubles n', '--station', 'ST-1']],
  ['json', ['script', 'save', 'double', '-', '--reason', 'from stdin'], SCRIPTS['double']!.replace('hi', 'hello')],
  ['both', ['script', 'save', 'broken', '@broken']],
  ['both', ['script', 'save', 'bad/name', '@double']],
  ['json', ['script', 'save', 'batch', '@batch']],
  ['text', ['script', 'save', 'fails', '@fails']],
  ['both', ['script', 'list']],
  ['both', ['script', 'show', 'double']],
  ['both', ['script', 'show', 'double', '--version', '1']],
  ['both', ['script', 'show', 'double', '--version', '3']],
  ['both', ['script', 'show', 'broken']],
  ['both', ['script', 'run', 'double', '--context', '{"n":2}']],
  ['json', ['script', 'run', 'double', '--context', '-', '--station', 'ST-2'], '{"n": 21}'],
  ['both', ['script', 'run', 'double', '--context', '{n:2}']],
  ['json', ['script', 'run', 'batch']],
  ['both', ['records', '--work-order', 'WO-1']],
  ['both', ['script', 'run', 'fails', '--context', '{"why":"line stopped"}']],
  ['both', ['records', '--work-order', 'WO-2']],
  ['both', ['script', 'run', 'nope']],
  ['both', ['script', 'runs', 'fails']],
  ['both', ['script', 'runs', 'double', '--limit', '2']],
  ['both', ['script', 'run-show', '3']],
  ['both', ['script', 'run-show', '5']],
  ['both', ['script', 'run-show', '99']],
  ['both', ['script', 'runs', 'nope']],
];

/** Timings set aside: `at` and `durationMs` in JSON, `N ms` in text (and the column widths they set). */
function withoutTimings(out: CliOutput): CliOutput {
  const json = (() => {
    try {
      return JSON.parse(out.stdout) as unknown;
    } catch {
      return undefined;
    }
  })();
  const blank = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(blank)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'at' || k === 'durationMs' ? 0 : blank(v)]))
        : value;
  const text = (t: string) => t.replace(/\d+(\.\d+)? ms\b/g, 'N ms').replace(/ {2,}/g, '  ');
  return {
    code: out.code,
    stdout: json === undefined ? text(out.stdout) : JSON.stringify(blank(json)),
    stderr: text(out.stderr),
  };
}

describe('script commands on a local database and against a server', () => {
  it('print the same output', async () => {
    const outputs = { ok: 0, refused: 0 };
    for (const [mode, args, stdin] of SEQUENCE) {
      const line = args.map((a) => (a.startsWith('@') ? join(dir(), `${a.slice(1)}.js`) : a));
      for (const json of mode === 'both' ? [true, false] : [mode === 'json']) {
        const full = json ? [...line, '--json'] : line;
        const label = `serialtrace ${args.join(' ')}${json ? ' --json' : ''}`;
        const here = withoutTimings(await local(full, stdin));
        const there = withoutTimings(await remote(full, stdin));
        expect({ label, ...there }).toEqual({ label, ...here });
        outputs[here.code === 0 ? 'ok' : 'refused']++;
      }
    }
    // The sequence covers successes and refusals alike.
    expect(outputs.ok).toBeGreaterThan(20);
    expect(outputs.refused).toBeGreaterThan(12);
  });
});
