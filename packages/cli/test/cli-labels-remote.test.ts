import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useParity } from './cli-harness.js';

/**
 * The GS1, series and label commands over HTTP (`--server`) print what they print on a local
 * database, byte for byte, and write the same label files: both sides start from copies of one
 * fresh install (see `useParity` in cli-harness.ts).
 */

const GS = '\u001d';

const { dir, local, remote } = useParity('serialtrace-cli-labels-remote-');

type Mode = 'json' | 'text' | 'both';

/** A file in the test's folder, named before the folder exists. */
const label = (name: string) => `@dir/${name}`;

const SEQUENCE: readonly (readonly [Mode, readonly string[]])[] = [
  ['both', ['gs1', 'check-digit', '629104150021']],
  ['both', ['gs1', 'check-digit', '62910415002x']],
  ['both', ['gs1', 'parse', `]d2010952012345678810ABC123${GS}21A1`]],
  ['both', ['gs1', 'parse', '(01)09520123456787(21)A1']],
  ['text', ['series', 'create', 'Drug', '--gtin', '09520123456788', '--company-prefix', '9520123', '--format', 'SN{######}', '--station', 'ST-1']],
  ['json', ['series', 'create', 'Pallets', '--sscc', '--company-prefix', '9520123', '--extension-digit', '3']],
  ['both', ['series', 'create', 'Bad', '--sscc', '--company-prefix', '9520123', '--extension-digit', 'x']],
  ['both', ['series', 'create', 'Bad', '--sscc', '--extension-digit', '3']],
  ['both', ['series', 'create', 'Bad', '--gtin', '09520123456787', '--format', 'B{####}']],
  ['both', ['series', 'create', 'Random', '--format', 'R{##########}', '--randomized']],
  ['json', ['series', 'create', 'Later', '--format', 'L{####}']],
  ['text', ['series', 'update', 'Later', '--gtin', '09520123456788', '--company-prefix', '9520123', '--reason', 'now GS1']],
  ['both', ['series', 'show', 'Drug']],
  ['both', ['series', 'show', 'Pallets']],
  ['json', ['generate', 'Drug', '--quantity', '2', '--lot', 'LOT42', '--expiry', '2026-12-31']],
  ['both', ['generate', 'Drug', '--expiry', '2026-13-45']],
  ['text', ['generate', 'Pallets', '--quantity', '2']],
  ['both', ['record', 'SN000001']],
  ['both', ['records', '--lot', 'LOT42']],
  ['both', ['series', 'update', 'Drug', '--gtin', '09520123456795']],
  ['both', ['series', 'update', 'Pallets', '--extension-digit', 'x']],
  ['both', ['label', 'templates']],
  ['both', ['label', 'template', 'show', 'gs1-product']],
  ['json', ['label', 'render', '--serial', 'SN000001', '--format', 'png', '--out', label('first.png'), '--station', 'ST-2']],
  ['text', ['label', 'render', '--serial', 'SN000001', '--format', 'pdf', '--out', label('second.pdf')]],
  ['json', ['label', 'render', '--serial', 'SN000002', '--out', label('preview.zpl'), '--preview']],
  ['json', ['label', 'render', '--serial', '395201230000000012', '--format', 'zpl', '--out', label('pallet.zpl')]],
  ['both', ['label', 'render', '--serial', 'SN000001', '--template', 'nope', '--out', label('refused.png')]],
  ['both', ['label', 'render', '--serial', 'SN000001', '--format', 'gif', '--out', label('refused.png')]],
  ['both', ['record', 'SN000001']],
  ['both', ['record', 'SN000002']],
  ['json', ['label', 'template', 'save', 'Boxes', '@template']],
  ['both', ['label', 'template', 'save', 'gs1-product', '@template']],
  ['both', ['label', 'template', 'show', 'Boxes']],
  ['text', ['label', 'template', 'delete', 'Boxes', '--reason', 'obsolete']],
  ['both', ['label', 'template', 'delete', 'Boxes']],
  ['both', ['audit', '--limit', '12']],
  ['both', ['audit', '--verify']],
];

describe('GS1, series and label commands on a local database and against a server', () => {
  it('print the same output and write the same label files', async () => {
    const templateFile = join(dir(), 'template.json');
    writeFileSync(templateFile, (await local(['label', 'template', 'show', 'serial', '--json'])).stdout);
    const outputs = { ok: 0, refused: 0 };
    for (const [mode, args] of SEQUENCE) {
      const line = args.map((a) => (a === '@template' ? templateFile : a.startsWith('@dir/') ? join(dir(), a.slice(5)) : a));
      const out = line[line.indexOf('--out') + 1];
      for (const json of mode === 'both' ? [true, false] : [mode === 'json']) {
        const full = json ? [...line, '--json'] : line;
        const label = `serialtrace ${full.join(' ')}`;
        const here = await local(full);
        const written = line.includes('--out') && existsSync(out!) ? readFileSync(out!) : undefined;
        if (written !== undefined) rmSync(out!);
        const there = await remote(full);
        expect({ label, ...there }).toEqual({ label, ...here });
        if (written !== undefined) expect(readFileSync(out!).equals(written), label).toBe(true);
        else if (line.includes('--out')) expect(existsSync(out!), label).toBe(false);
        outputs[here.code === 0 ? 'ok' : 'refused']++;
      }
    }
    // Equal refusals prove nothing if a step meant to succeed fails on both sides alike: count them.
    expect(outputs).toEqual({ ok: 38, refused: 26 });

    const record = JSON.parse((await remote(['record', 'SN000001', '--json'])).stdout);
    expect(record).toMatchObject({ status: 'printed', labelPrints: 2, lot: 'LOT42', expiry: '2026-12-31' });
    expect(record.gs1.elementString).toBe(`01095201234567881726123110LOT42${GS}21SN000001`);
    expect(JSON.parse((await remote(['record', 'SN000002', '--json'])).stdout)).toMatchObject({ status: 'generated', labelPrints: 0 });
    expect([...readFileSync(join(dir(), 'first.png')).subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});
