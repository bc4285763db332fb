import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { GS } from '@serialtrace/core';
import { BUILT_IN_TEMPLATES, renderLabel, type BarcodeType, type LabelTemplate } from '@serialtrace/labels';
import { barcodeRegion, decodePng } from './decode-barcode.ts';
import { GS1_RECORD, PLAIN_RECORD, templateFor } from './fixtures.ts';

const LINEAR: readonly BarcodeType[] = ['gs1-128', 'code128'];

const CASES: ReadonlyArray<[BarcodeType, string, string]> = [
  ['gs1-datamatrix', '{elementString}', GS1_RECORD.elementString ?? ''],
  ['gs1-datamatrix', '{bracketed}', GS1_RECORD.elementString ?? ''],
  ['gs1-128', '(01){gtin}(10){lot}(21){serial}', `0109520123456788` + `10L42${GS}21SN-0001`],
  ['gs1-qr', '{bracketed}', GS1_RECORD.elementString ?? ''],
  ['gs1-datamatrix', '{digitalLink}', `0109520123456788` + `10L42${GS}21SN-0001${GS}17270331`],
  ['digital-link-qr', '{digitalLink}', GS1_RECORD.digitalLink ?? ''],
  ['qr', 'Serial {serial} of {series}', 'Serial SN-0001 of Widgets'],
  ['datamatrix', '{serial}', 'SN-0001'],
  ['code128', '{serial}/{fields.line}', 'SN-0001/L3'],
];

function pixels(bytes: Uint8Array): { width: number; height: number; grey: (x: number, y: number) => number } {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, grey: (x, y) => png.data[(y * png.width + x) * 4] ?? -1 };
}

describe('PNG', () => {
  it.each(CASES)('%s of %s decodes to what was encoded', async (type, data, expected) => {
    const template = templateFor(type, data);
    const document = await renderLabel(template, GS1_RECORD, 'png');
    expect(document.contentType).toBe('image/png');
    expect(document.encoded).toEqual({ type, text: expected });
    const decoded = decodePng(document.bytes, type, barcodeRegion(template, LINEAR.includes(type)));
    expect(decoded.text).toBe(expected);
  });

  it.each(BUILT_IN_TEMPLATES.map((t) => [t.name, t] as const))('built-in %s renders at its size and decodes', async (_, template) => {
    const record = template.name === 'serial' ? PLAIN_RECORD : GS1_RECORD;
    const document = await renderLabel(template, record, 'png');
    const image = pixels(document.bytes);
    expect(image.width).toBe(Math.round((template.width / 25.4) * template.dpi));
    expect(image.height).toBe(Math.round((template.height / 25.4) * template.dpi));
    expect(decodePng(document.bytes, template.barcode.type, barcodeRegion(template, LINEAR.includes(template.barcode.type))).text).toBe(document.encoded.text);
  });

  it('draws modules as whole dots: the barcode area holds only black and white', async () => {
    const template = templateFor('gs1-datamatrix', '{elementString}');
    const image = pixels((await renderLabel(template, GS1_RECORD, 'png')).bytes);
    const perMm = template.dpi / 25.4;
    const values = new Set<number>();
    for (let y = Math.round(template.barcode.y * perMm); y < (template.barcode.y + template.barcode.size) * perMm; y++) {
      for (let x = Math.round(template.barcode.x * perMm); x < (template.barcode.x + template.barcode.size) * perMm; x++) values.add(image.grey(x, y));
    }
    expect([...values].sort((a, b) => a - b)).toEqual([0, 255]);
  });

  it('renders at each resolution', async () => {
    for (const dpi of [203, 300, 600] as const) {
      const template: LabelTemplate = { ...templateFor('datamatrix', '{serial}'), dpi };
      const document = await renderLabel(template, PLAIN_RECORD, 'png');
      expect(pixels(document.bytes).width).toBe(Math.round((50 / 25.4) * dpi));
      expect(decodePng(document.bytes, 'datamatrix', barcodeRegion(template, false)).text).toBe(PLAIN_RECORD.serial);
    }
  });

  it('paints the lines, leaving out an optional line whose field is missing', async () => {
    const gs1Product = BUILT_IN_TEMPLATES[0] as LabelTemplate;
    const { lot: _, ...withoutLot } = GS1_RECORD;
    const full = pixels((await renderLabel(gs1Product, GS1_RECORD, 'png')).bytes);
    const partial = pixels((await renderLabel(gs1Product, withoutLot, 'png')).bytes);
    const darkIn = (image: typeof full, line: number) => {
      const spec = gs1Product.lines[line];
      if (spec === undefined) throw new Error('no line');
      let dark = 0;
      const perMm = gs1Product.dpi / 25.4;
      for (let y = Math.round(spec.y * perMm); y < (spec.y + spec.size) * perMm; y++) {
        for (let x = Math.round(spec.x * perMm); x < image.width; x++) if (image.grey(x, y) < 128) dark++;
      }
      return dark;
    };
    expect(darkIn(full, 2)).toBeGreaterThan(100);
    expect(darkIn(partial, 2)).toBe(0);
    expect(darkIn(partial, 1)).toBe(darkIn(full, 1));
  });
});
