import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openHarness, refused, snapshot, type Harness } from './harness.js';

const GTIN = '09520123456788';
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

let h: Harness;
beforeEach(async () => {
  h = openHarness();
  await h.app.series.create(h.caller, { name: 'Drug A', format: 'A{#######}', gtin: GTIN });
  await h.app.series.create(h.caller, { name: 'Widgets', format: 'SN-{####}' });
});
afterEach(async () => {
  await h.close();
});

describe('printing a record\'s label', () => {
  it('moves a generated record to printed on the first print, and counts and audits every reprint', async () => {
    await h.app.generation.generate(h.caller, 'Drug A', { lot: 'L1', expiry: '2027-03-31' });
    const first = await h.app.labels.print(h.caller, 'A0000001', { format: 'png' });
    expect(first).toMatchObject({ template: 'gs1-product', print: 1, format: 'png', contentType: 'image/png' });
    expect([...first.bytes.slice(0, 4)]).toEqual(PNG_SIGNATURE);
    expect(first.encoded.text).toContain(`01${GTIN}`);
    expect(first.record).toMatchObject({ status: 'printed', labelPrints: 1 });

    h.clock.advance(60_000);
    const second = await h.app.labels.print({ ...h.caller, reason: 'label damaged' }, 'A0000001', { format: 'zpl' });
    expect(second).toMatchObject({ print: 2, record: { status: 'printed', labelPrints: 2 } });
    expect(new TextDecoder().decode(second.bytes)).toMatch(/^\^XA/);

    const record = await h.app.records.get(h.caller, 'A0000001');
    expect(record.labelPrints).toBe(2);
    expect(record.history.map((e) => [e.from, e.to])).toEqual([
      [null, 'generated'],
      ['generated', 'printed'],
    ]);
    expect(record.history[1]?.data).toEqual({ template: 'gs1-product', format: 'png', print: 1 });
    expect(record.prints).toEqual([
      { print: 1, at: '2025-06-15T10:00:00.000Z', actor: 'tester', station: 'ST-1', template: 'gs1-product', format: 'png' },
      { print: 2, at: '2025-06-15T10:01:00.000Z', actor: 'tester', station: 'ST-1', template: 'gs1-product', format: 'zpl' },
    ]);
    const printed = record.audit.filter((e) => e.action === 'record.label_printed');
    expect(printed.map((e) => e.data)).toEqual([
      expect.objectContaining({ print: 1, reprint: false, from: 'generated', to: 'printed' }),
      expect.objectContaining({ print: 2, reprint: true }),
    ]);
    expect(printed[1]?.reason).toBe('label damaged');
    expect((await h.app.audit.verify(h.caller)).valid).toBe(true);
  });

  it('prints later statuses without moving them back, and refuses voided and scrapped records', async () => {
    await h.app.generation.generate(h.caller, 'Widgets', { quantity: 2 });
    await h.app.records.changeStatus(h.caller, 'SN-0001', 'in_progress');
    const label = await h.app.labels.print(h.caller, 'SN-0001');
    expect(label).toMatchObject({ template: 'serial', print: 1, record: { status: 'in_progress' } });
    await h.app.records.changeStatus(h.caller, 'SN-0002', 'voided');
    const before = snapshot(h.raw());
    const error = await refused(h.app.labels.print(h.caller, 'SN-0002'), 'LABEL_PRINT_REFUSED');
    expect(error.message).toContain('voided');
    expect(snapshot(h.raw())).toEqual(before);
  });

  it('records nothing when the label cannot be drawn or the template does not exist', async () => {
    await h.app.generation.generate(h.caller, 'Widgets');
    const before = snapshot(h.raw());
    // gs1-product needs a GTIN, which a plain series' record does not have.
    const missing = await refused(h.app.labels.print(h.caller, 'SN-0001', { template: 'gs1-product' }), 'LABEL_DATA_MISSING');
    expect(missing.details).toMatchObject({ template: 'gs1-product' });
    await refused(h.app.labels.print(h.caller, 'SN-0001', { template: 'nope' }), 'LABEL_TEMPLATE_NOT_FOUND');
    await refused(h.app.labels.print(h.caller, 'SN-0001', { format: 'gif' }), 'VALUE_INVALID');
    expect(snapshot(h.raw())).toEqual(before);
    expect((await h.app.records.get(h.caller, 'SN-0001')).labelPrints).toBe(0);
  });
});

describe('documents.generate', () => {
  it('renders from a record or from values alone, and records nothing', async () => {
    await h.app.generation.generate(h.caller, 'Drug A');
    const before = snapshot(h.raw());
    const fromRecord = await h.app.documents.generate(h.caller, undefined, { serial: 'A0000001' }, 'pdf');
    expect(fromRecord.template).toBe('gs1-product');
    expect(new TextDecoder().decode(fromRecord.bytes.slice(0, 5))).toBe('%PDF-');
    const fromValues = await h.app.documents.generate(h.caller, 'serial', { values: { serial: 'LOOSE-1' } }, 'zpl');
    expect(fromValues.encoded.text).toBe('LOOSE-1');
    expect(snapshot(h.raw())).toEqual(before);
    expect((await h.app.records.get(h.caller, 'A0000001')).status).toBe('generated');
  });
});

describe('label templates', () => {
  const template = {
    description: 'Small carton label',
    width: 60,
    height: 40,
    dpi: 203,
    barcode: { type: 'gs1-128', data: '(01){gtin}(21){serial}', x: 3, y: 3, size: 15 },
    lines: [{ text: 'SN {serial}', x: 3, y: 30, size: 4 }],
  };

  it('saves versions, lists built-ins first, renders with a saved template, and deletes', async () => {
    const saved = await h.app.labels.saveTemplate(h.caller, 'carton', template);
    expect(saved).toMatchObject({ name: 'carton', builtIn: false, version: 1, template: { ...template, name: 'carton' } });
    h.clock.advance(1000);
    const again = await h.app.labels.saveTemplate(h.caller, 'carton', { ...template, height: 45 });
    expect(again).toMatchObject({ version: 2, updatedAt: '2025-06-15T10:00:01.000Z', template: { height: 45 } });
    const list = await h.app.labels.listTemplates(h.caller);
    expect(list.map((t) => [t.name, t.builtIn])).toEqual([
      ['gs1-product', true],
      ['sscc-logistic', true],
      ['serial', true],
      ['digital-link', true],
      ['carton', false],
    ]);
    await h.app.generation.generate(h.caller, 'Drug A');
    const label = await h.app.labels.print(h.caller, 'A0000001', { template: 'carton' });
    expect(label.encoded.text).toBe(`01${GTIN}21A0000001`);
    await h.app.labels.deleteTemplate(h.caller, 'carton');
    await refused(h.app.labels.getTemplate(h.caller, 'carton'), 'LABEL_TEMPLATE_NOT_FOUND');
    await refused(h.app.labels.deleteTemplate(h.caller, 'carton'), 'LABEL_TEMPLATE_NOT_FOUND');
    const actions = (await h.app.audit.list(h.caller, { entityType: 'label_template' })).entries.map((e) => e.action);
    expect(actions).toEqual(['label_template.deleted', 'label_template.saved', 'label_template.saved']);
  });

  it('refuses a bad template with every problem at once, and built-in names', async () => {
    const before = snapshot(h.raw());
    const error = await refused(
      h.app.labels.saveTemplate(h.caller, 'bad', { ...template, width: 0, barcode: { ...template.barcode, type: 'pdf417' }, lines: [{ text: '{nope}', x: 1, y: 1, size: 3 }] }),
      'LABEL_TEMPLATE_INVALID',
    );
    expect(error.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['width', 'barcode.type', 'lines.0.text']));
    await refused(h.app.labels.saveTemplate(h.caller, 'gs1-product', template), 'LABEL_TEMPLATE_READONLY');
    await refused(h.app.labels.deleteTemplate(h.caller, 'serial'), 'LABEL_TEMPLATE_READONLY');
    expect(snapshot(h.raw())).toEqual(before);
  });
});
