import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useLocalDatabase } from './cli-harness.js';

/**
 * The text policy on the command line: arguments are refused as HTTP fields are, and stored text
 * never reaches the terminal as an escape sequence.
 */

const { cli, dir } = useLocalDatabase('serialtrace-cli-text-');

describe('command-line arguments', () => {
  it('refuses control characters in an argument or an option, naming it, and writes nothing', async () => {
    expect((await cli(['series', 'create', 'Widgets', '--format', 'W-{####}'])).code).toBe(0);
    const tab = await cli(['generate', 'Widgets', '--work-order', 'WO\t1', '--json']);
    expect(tab.code).toBe(1);
    expect(tab.json().error).toMatchObject({ code: 'VALUE_INVALID', field: '--work-order' });
    const c1 = await cli(['series', 'create', 'Next\u0085Line', '--format', 'N-{####}', '--json']);
    expect(c1.json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'name' });
    const reason = await cli(['generate', 'Widgets', '--reason', 'x\u001b[2J', '--json']);
    expect(reason.json().error).toMatchObject({ code: 'VALUE_INVALID', field: '--reason' });
    expect((await cli(['records', '--json'])).json().records).toEqual([]);
  });

  it('takes line breaks in JSON options and descriptions', async () => {
    expect((await cli(['series', 'create', 'Widgets', '--format', 'W-{####}', '--description', 'first line\nsecond line'])).code).toBe(0);
    const generated = await cli(['generate', 'Widgets', '--metadata', '{\n  "note": "a\\nb"\n}', '--json']);
    expect(generated.code, generated.stderr).toBe(0);
  });
});

describe('stored text on the terminal', () => {
  it('prints a script\'s logs and result with escape sequences made visible, in text and in JSON', async () => {
    const file = join(dir(), 'noisy.js');
    writeFileSync(file, "function main() { console.log('clear\\u001b[2J screen \\u009b31m'); return 'title\\u001b]0;pwned\\u0007 \\u202eevil' }\n");
    expect((await cli(['script', 'save', 'noisy', file])).code).toBe(0);
    const text = await cli(['script', 'run', 'noisy']);
    expect(text.code, text.stderr).toBe(0);
    for (const output of [text.stdout, text.stderr]) expect(output).not.toMatch(/[\u001b\u0007\u009b\u202e]/);
    expect(text.stderr).toContain('clear\\u001b[2J screen \\u009b31m');
    const json = await cli(['script', 'run', 'noisy', '--json']);
    expect(json.stdout).not.toMatch(/[\u001b\u0007\u009b\u202e]/);
    expect(json.json()).toMatchObject({ result: 'title\u001b]0;pwned\u0007 \u202eevil', logs: [{ message: 'clear\u001b[2J screen \u009b31m' }] });
  });
});
