import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_TEMPLATES, POINTS_PER_MM, renderLabel, type BarcodeType, type LabelData, type LabelTemplate } from '@serialtrace/labels';
import { barcodeRegion, decodePng } from './decode-barcode.ts';
import { GS1_RECORD, PLAIN_RECORD, templateFor } from './fixtures.ts';

const PDFTOPPM = '/usr/bin/pdftoppm';
const work = mkdtempSync(join(tmpdir(), 'serialtrace-labels-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The PDF's one page as a 300 dpi PNG, rasterised by poppler: an independent reader of our output. */
function rasterise(pdf: Uint8Array, name: string): Uint8Array {
  // Never skipped: a missing rasteriser must not pass as a working PDF.
  if (!existsSync(PDFTOPPM)) throw new Error(`${PDFTOPPM} is missing: apt-get install poppler-utils`);
  const file = join(work, `${name}.pdf`);
  writeFileSync(file, pdf);
  execFileSync(PDFTOPPM, ['-png', '-r', '300', '-singlefile', file, join(work, name)]);
  return readFileSync(join(work, `${name}.png`));
}

const CASES: ReadonlyArray<[string, LabelTemplate, LabelData]> = [
  ...BUILT_IN_TEMPLATES.map((t): [string, LabelTemplate, LabelData] => [t.name, t, t.name === 'serial' ? PLAIN_RECORD : GS1_RECORD]),
  ['code128', templateFor('code128', '{serial}'), PLAIN_RECORD],
  ['gs1-qr', templateFor('gs1-qr', '{elementString}'), GS1_RECORD],
];

describe('PDF', () => {
  it.each(CASES)('%s opens, has the label size in points, and its barcode decodes', async (name, template, data) => {
    const document = await renderLabel(template, data, 'pdf');
    expect(document.contentType).toBe('application/pdf');
    const pdf = await PDFDocument.load(document.bytes, { updateMetadata: false });
    expect(pdf.getPageCount()).toBe(1);
    const { width, height } = pdf.getPage(0).getSize();
    expect(width).toBeCloseTo(template.width * POINTS_PER_MM, 3);
    expect(height).toBeCloseTo(template.height * POINTS_PER_MM, 3);
    expect(pdf.getTitle()).toBe(data.serial);
    expect(pdf.getProducer()).toBe('serialtrace');
    expect(pdf.getCreator()).toBe('serialtrace');

    const png = rasterise(document.bytes, name);
    const type: BarcodeType = template.barcode.type;
    const decoded = decodePng(png, type, barcodeRegion(template, type === 'gs1-128' || type === 'code128'));
    // poppler rounds the page up to whole pixels.
    expect(Math.abs(decoded.width - (template.width / 25.4) * 300)).toBeLessThan(1);
    expect(decoded.text).toBe(document.encoded.text);
  });

  it('gives the same bytes for the same label', async () => {
    const template = BUILT_IN_TEMPLATES[0] as LabelTemplate;
    const first = await renderLabel(template, GS1_RECORD, 'pdf');
    const second = await renderLabel(template, GS1_RECORD, 'pdf');
    expect(Buffer.from(first.bytes).equals(Buffer.from(second.bytes))).toBe(true);
    expect(Buffer.from(first.bytes).toString('latin1')).not.toMatch(/CreationDate|ModDate/);
  });

  it('prints characters outside the standard fonts as "?" instead of failing', async () => {
    const template: LabelTemplate = { ...templateFor('datamatrix', '{serial}'), lines: [{ text: 'Č {serial} ✓', x: 28, y: 10, size: 3 }] };
    const document = await renderLabel(template, { serial: 'Ž-1' }, 'pdf');
    expect(document.encoded.text).toBe('Ž-1');
    await PDFDocument.load(document.bytes);
  });
});
