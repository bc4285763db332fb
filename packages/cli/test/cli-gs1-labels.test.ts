import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { hasValidCheckDigit } from '@serialtrace/core';
import { useLocalDatabase } from './cli-harness.js';

const MASTER_KEY = 'a1'.repeat(32);
const GS = '\u001d';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const { cli, dir, db } = useLocalDatabase('serialtrace-cli-gs1-');

describe('serialtrace gs1 check-digit', () => {
  it('completes a key with its check digit, in text and JSON', async () => {
    const text = await cli(['gs1', 'check-digit', '629104150021']);
    expect(text).toMatchObject({ code: 0, stdout: '6291041500213\n' });
    expect((await cli(['gs1', 'check-digit', '629104150021', '--json'])).json()).toEqual({ key: '6291041500213' });
    // No database is opened for it: the file never appears.
    expect(existsSync(db())).toBe(false);
  });

  it('refuses what is not a key body with a GS1 code', async () => {
    for (const bad of ['62910415002x', '12345']) {
      const run = await cli(['gs1', 'check-digit', bad, '--json']);
      expect(run.code).toBe(1);
      expect(run.json().error.code).toMatch(/^GS1_/);
    }
    const human = await cli(['gs1', 'check-digit', '12345']);
    expect(human.code).toBe(1);
    expect(human.stderr).toMatch(/^error: GS1_/);
  });
});

describe('serialtrace gs1 parse', () => {
  const AIS = [
    { ai: '01', value: '09520123456788' },
    { ai: '10', value: 'ABC123' },
    { ai: '21', value: 'A1' },
  ];

  it('reads the three notations of one GTIN + lot + serial alike', async () => {
    const notations = ['(01)09520123456788(10)ABC123(21)A1', `010952012345678810ABC123${GS}21A1`, 'https://id.gs1.org/01/09520123456788/10/ABC123/21/A1'];
    const parsed = [];
    for (const text of notations) {
      const run = await cli(['gs1', 'parse', text, '--json']);
      expect(run.code).toBe(0);
      parsed.push(run.json());
    }
    for (const p of parsed) expect(p).toEqual(parsed[0]);
    expect(parsed[0]).toEqual({
      ais: AIS,
      bracketed: '(01)09520123456788(10)ABC123(21)A1',
      elementString: `010952012345678810ABC123${GS}21A1`,
      digitalLink: 'https://id.gs1.org/01/09520123456788/10/ABC123/21/A1',
    });
  });

  it('reads an element string with the ]d2 symbology identifier, and prints a readable table', async () => {
    const run = await cli(['gs1', 'parse', `]d2010952012345678810ABC123${GS}21A1`, '--json']);
    expect(run.json().ais).toEqual(AIS);
    const text = await cli(['gs1', 'parse', `]d2010952012345678810ABC123${GS}21A1`]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^AI\s+TITLE\s+VALUE\n01\s+GTIN\s+09520123456788\n10\s+BATCH\/LOT\s+ABC123\n21\s+SERIAL\s+A1\n/);
    expect(text.stdout).toContain(`010952012345678810ABC123<GS>21A1`);
    expect(text.stdout).not.toContain(GS);
    expect(text.stdout).toContain('https://id.gs1.org/01/09520123456788/10/ABC123/21/A1');
  });

  it('reads the text from standard input for -', async () => {
    const run = await cli(['gs1', 'parse', '-', '--json'], { stdin: '(01)09520123456788(10)ABC123(21)A1\n' });
    expect(run.json().ais).toEqual(AIS);
  });

  it('refuses a wrong check digit naming AI 01 and the rule csum', async () => {
    const run = await cli(['gs1', 'parse', '(01)09520123456787(21)A1', '--json']);
    expect(run.code).toBe(1);
    expect(run.json().error).toMatchObject({ ai: '01', rule: 'csum' });
    expect(run.json().error.code).toMatch(/^GS1_/);
    const human = await cli(['gs1', 'parse', '(01)09520123456787(21)A1']);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('(01)');
    expect(human.stderr).toContain('csum');
  });
});

describe('GS1 and randomised series', () => {
  it('binds a series to a GTIN: generate --lot --expiry, and the record shows its GS1 identity', async () => {
    const created = await cli(['series', 'create', 'Drug', '--gtin', '09520123456788', '--company-prefix', '9520123', '--format', 'SN{######}', '--json']);
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ gtin: '09520123456788', companyPrefix: '9520123', sscc: false, randomized: false, guess: null });
    expect((await cli(['series', 'show', 'Drug'])).stdout).toMatch(/gtin:\s+09520123456788/);

    const generated = await cli(['generate', 'Drug', '--quantity', '2', '--lot', 'LOT42', '--expiry', '2026-12-31', '--json']);
    expect(generated.code).toBe(0);
    expect(generated.json().serials).toEqual(['SN000001', 'SN000002']);

    const record = await cli(['record', 'SN000001', '--json']);
    expect(record.json()).toMatchObject({
      lot: 'LOT42',
      expiry: '2026-12-31',
      labelPrints: 0,
      gs1: {
        gtin: '09520123456788',
        bracketed: '(01)09520123456788(17)261231(10)LOT42(21)SN000001',
        elementString: `01095201234567881726123110LOT42${GS}21SN000001`,
        digitalLink: 'https://id.gs1.org/01/09520123456788/10/LOT42/21/SN000001?17=261231',
      },
    });
    const text = (await cli(['record', 'SN000001'])).stdout;
    expect(text).toMatch(/lot:\s+LOT42/);
    expect(text).toMatch(/expiry:\s+2026-12-31/);
    expect(text).toMatch(/label prints:\s+0/);
    expect(text).toContain(`01095201234567881726123110LOT42<GS>21SN000001`);
    expect(text).toContain('https://id.gs1.org/01/09520123456788/10/LOT42/21/SN000001?17=261231');
    expect(text).toMatch(/epc urn:\s+urn:epc:id:sgtin:9520123\./);

    const byLot = await cli(['records', '--lot', 'LOT42', '--json']);
    expect(byLot.json().records).toHaveLength(2);
    expect((await cli(['records', '--lot', 'OTHER', '--json'])).json().records).toHaveLength(0);
  });

  it('makes an SSCC series without a format: 18-digit serials with a valid check digit', async () => {
    const created = await cli(['series', 'create', 'Pallets', '--sscc', '--company-prefix', '9520123', '--extension-digit', '3', '--json']);
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ sscc: true, companyPrefix: '9520123', extensionDigit: 3 });
    const serials: string[] = (await cli(['generate', 'Pallets', '--quantity', '3', '--json'])).json().serials;
    expect(serials).toHaveLength(3);
    for (const serial of serials) {
      expect(serial).toMatch(/^3952012300000000\d\d$/);
      expect(hasValidCheckDigit(serial)).toBe(true);
    }
    const text = (await cli(['series', 'show', 'Pallets'])).stdout;
    expect(text).toMatch(/sscc:\s+yes, extension digit 3/);
    expect(text).toMatch(/company prefix:\s+9520123/);
  });

  it('still requires --format for any other series, as a usage error', async () => {
    const missing = await cli(['series', 'create', 'S', '--gtin', '09520123456788', '--json']);
    expect(missing.code).toBe(2);
    expect(missing.json().error).toMatchObject({ code: 'USAGE_INVALID' });
    expect(missing.json().error.message).toContain('--format');
  });

  it('makes a randomised series with the master key: serials out of counter order, and the guess chance', async () => {
    const env = { SERIALTRACE_MASTER_KEY: MASTER_KEY };
    const created = await cli(['series', 'create', 'Random', '--format', 'R{##########}', '--randomized', '--json'], { env });
    expect(created.code).toBe(0);
    expect(created.json()).toMatchObject({ randomized: true });
    const serials: string[] = (await cli(['generate', 'Random', '--quantity', '5', '--json'], { env })).json().serials;
    expect(new Set(serials).size).toBe(5);
    expect(serials).not.toEqual([...serials].sort());
    expect(serials.slice(0, 2)).not.toEqual(['R0000000001', 'R0000000002']);
    const show = await cli(['series', 'show', 'Random', '--json'], { env });
    expect(show.json().guess).toMatchObject({ issued: '5', space: '9999999999' });
    const text = (await cli(['series', 'show', 'Random'], { env })).stdout;
    expect(text).toMatch(/randomized:\s+yes/);
    expect(text).toMatch(/guess chance:\s+1 in 2,000,000,000 \(0\.00000005%\) of 1 in 10,000 allowed/);
  });

  it('rotates the master key: the series carries on in its order under the new key only', async () => {
    const NEW_KEY = 'b2'.repeat(32);
    const env = { SERIALTRACE_MASTER_KEY: MASTER_KEY };
    expect((await cli(['series', 'create', 'Random', '--format', 'R{##########}', '--randomized'], { env })).code).toBe(0);
    const next = (await cli(['preview', '--series', 'Random', '--count', '2', '--json'], { env })).json().serials;
    const missing = await cli(['master-key', 'rotate', '--json'], { env });
    expect(missing.json().error.code).toBe('USAGE_INVALID');
    const rotated = await cli(['master-key', 'rotate', '--actor', 'ops', '--reason', 'yearly rotation'], { env: { ...env, SERIALTRACE_NEW_MASTER_KEY: NEW_KEY } });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/^Re-wrapped the keys of 1 randomised series: master key [0-9a-f]{8} -> [0-9a-f]{8}\./);
    expect((await cli(['generate', 'Random', '--json'], { env })).json().error.code).toBe('MASTER_KEY_MISMATCH');
    expect((await cli(['generate', 'Random', '--quantity', '2', '--json'], { env: { SERIALTRACE_MASTER_KEY: NEW_KEY } })).json().serials).toEqual(next);
  });

  it('refuses a randomised series without the master key', async () => {
    const run = await cli(['series', 'create', 'Random', '--format', 'R{##########}', '--randomized', '--json']);
    expect(run.code).toBe(1);
    expect(run.json().error.code).toBe('MASTER_KEY_MISSING');
    expect((await cli(['series', 'list', '--json'])).json().series).toEqual([]);
  });
});

describe('serialtrace label render', () => {
  beforeEach(async () => {
    expect((await cli(['series', 'create', 'Drug', '--gtin', '09520123456788', '--format', 'SN{######}'])).code).toBe(0);
    expect((await cli(['generate', 'Drug', '--quantity', '2', '--lot', 'LOT42', '--expiry', '2026-12-31'])).code).toBe(0);
  });

  const record = async (serial = 'SN000001') => (await cli(['record', serial, '--json'])).json();

  it('prints PNG, PDF and ZPL labels, recording each print', async () => {
    const png = join(dir(), 'label.png');
    const first = await cli(['label', 'render', '--serial', 'SN000001', '--format', 'png', '--out', png, '--station', 'ST-1', '--json']);
    expect(first.code).toBe(0);
    const bytes = readFileSync(png);
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(first.json()).toEqual({ file: png, bytes: bytes.byteLength, format: 'png', template: 'gs1-product', print: 1, serial: 'SN000001' });
    expect(await record()).toMatchObject({ status: 'printed', labelPrints: 1 });

    const pdf = join(dir(), 'label.pdf');
    const second = await cli(['label', 'render', '--serial', 'SN000001', '--format', 'pdf', '--out', pdf]);
    expect(second.code).toBe(0);
    expect(readFileSync(pdf).subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(second.stdout).toBe(`Wrote ${pdf} (${readFileSync(pdf).byteLength} bytes, template gs1-product, print #2 of SN000001)\n`);
    expect(await record()).toMatchObject({ status: 'printed', labelPrints: 2 });

    const zpl = join(dir(), 'label.zpl');
    // The format follows from the file's extension when --format is left out.
    const third = await cli(['label', 'render', '--serial', 'SN000001', '--out', zpl, '--template', 'digital-link', '--json']);
    expect(third.json()).toMatchObject({ format: 'zpl', template: 'digital-link', print: 3 });
    expect(readFileSync(zpl, 'latin1')).toContain('^XA');
    const details = await record();
    expect(details).toMatchObject({ status: 'printed', labelPrints: 3 });
    expect(details.history.map((h: { to: string }) => h.to)).toEqual(['generated', 'printed']);
    expect((await cli(['record', 'SN000001'])).stdout).toMatch(/label prints:\s+3/);
    expect(readdirSync(dir()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('renders a preview without recording it', async () => {
    const out = join(dir(), 'preview.png');
    const run = await cli(['label', 'render', '--serial', 'SN000002', '--out', out, '--preview', '--json']);
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ print: null, template: 'gs1-product', format: 'png' });
    expect([...readFileSync(out).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    expect(await record('SN000002')).toMatchObject({ status: 'generated', labelPrints: 0 });
    expect((await cli(['label', 'render', '--serial', 'SN000002', '--out', out, '--preview'])).stdout).toContain('preview, not recorded');
  });

  it('writes to standard output for --out -, the report going to standard error', async () => {
    const run = await cli(['label', 'render', '--serial', 'SN000002', '--format', 'zpl', '--out', '-']);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.bytes.toString('latin1')).toContain('^XA');
    expect(run.stderr).toContain('print #1 of SN000002');
  });

  it('leaves no file when the print is refused', async () => {
    const out = join(dir(), 'refused.png');
    const unknown = await cli(['label', 'render', '--serial', 'SN000001', '--template', 'nope', '--out', out, '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.json().error.code).toBe('LABEL_TEMPLATE_NOT_FOUND');
    const badFormat = await cli(['label', 'render', '--serial', 'SN000001', '--format', 'gif', '--out', out, '--json']);
    expect(badFormat.json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'format' });
    const noRecord = await cli(['label', 'render', '--serial', 'SN999999', '--out', out, '--json']);
    expect(noRecord.json().error.code).toBe('RECORD_NOT_FOUND');
    // A folder that cannot take the file is refused before the print is recorded.
    const noFolder = await cli(['label', 'render', '--serial', 'SN000001', '--out', join(dir(), 'missing', 'x.png'), '--json']);
    expect(noFolder.json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'out' });
    expect(existsSync(out)).toBe(false);
    expect(await record()).toMatchObject({ status: 'generated', labelPrints: 0 });
    expect(readdirSync(dir()).filter((f) => f !== 'st.db' && !f.startsWith('st.db-'))).toEqual([]);
  });
});

describe('serialtrace label templates', () => {
  it('saves, lists, shows and deletes a company template; built-ins are read-only', async () => {
    const list = await cli(['label', 'templates', '--json']);
    const builtIns = list.json().templates.map((t: { name: string }) => t.name);
    expect(builtIns).toContain('gs1-product');
    expect((await cli(['label', 'templates'])).stdout).toMatch(/gs1-product\s+built-in\s+50x30 mm\s+gs1-datamatrix/);

    // What `show --json` prints, `save` reads back.
    const shown = await cli(['label', 'template', 'show', 'serial', '--json']);
    const file = join(dir(), 'template.json');
    writeFileSync(file, shown.stdout);
    const saved = await cli(['label', 'template', 'save', 'Boxes', file, '--reason', 'new box', '--json']);
    expect(saved.code).toBe(0);
    expect(saved.json()).toMatchObject({ name: 'Boxes', builtIn: false, version: 1, updatedBy: 'osuser', template: { name: 'Boxes', width: 40 } });

    const definition = { ...shown.json().template, width: 60, description: 'Wider' };
    const again = await cli(['label', 'template', 'save', 'Boxes', '-'], { stdin: JSON.stringify(definition) });
    expect(again.stdout).toBe('Saved label template "Boxes" (version 2).\n');

    const listed = await cli(['label', 'templates']);
    expect(listed.stdout).toMatch(/Boxes\s+2\s+60x20 mm\s+datamatrix\s+Wider/);
    const show = await cli(['label', 'template', 'show', 'Boxes']);
    expect(show.stdout).toMatch(/kind:\s+company template, version 2/);
    expect(show.stdout).toMatch(/size:\s+60x20 mm/);

    const deleted = await cli(['label', 'template', 'delete', 'Boxes', '--json']);
    expect(deleted.json()).toEqual({ name: 'Boxes', deleted: true });
    const gone = await cli(['label', 'template', 'show', 'Boxes', '--json']);
    expect(gone.code).toBe(1);
    expect(gone.json().error.code).toBe('LABEL_TEMPLATE_NOT_FOUND');

    const actions = (await cli(['audit', '--json'])).json().entries.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 3)).toEqual(['label_template.deleted', 'label_template.saved', 'label_template.saved']);
  });

  it('refuses to replace or delete a built-in template, and a template that is not JSON', async () => {
    const file = join(dir(), 'template.json');
    writeFileSync(file, (await cli(['label', 'template', 'show', 'serial', '--json'])).stdout);
    const save = await cli(['label', 'template', 'save', 'gs1-product', file, '--json']);
    expect(save.code).toBe(1);
    expect(save.json().error.code).toBe('LABEL_TEMPLATE_READONLY');
    const del = await cli(['label', 'template', 'delete', 'serial', '--json']);
    expect(del.json().error.code).toBe('LABEL_TEMPLATE_READONLY');
    writeFileSync(file, '{not json');
    const bad = await cli(['label', 'template', 'save', 'Mine', file, '--json']);
    expect(bad.json().error).toMatchObject({ code: 'VALUE_INVALID', field: 'file' });
  });
});
