import { describe, expect, it } from 'vitest';
import { buildElementString, SerialtraceError } from '@serialtrace/core';
import { BUILT_IN_TEMPLATES, renderLabel, type LabelFormat, type LabelTemplate } from '@serialtrace/labels';
import { GS1_RECORD, templateFor } from './fixtures.ts';

async function refusal(promise: Promise<unknown>): Promise<SerialtraceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SerialtraceError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const gs1Product = BUILT_IN_TEMPLATES[0] as LabelTemplate;
const FORMATS: readonly LabelFormat[] = ['png', 'pdf', 'zpl'];

describe('refusals', () => {
  it.each(FORMATS)('a GTIN with a wrong check digit fails with the GS1 rule and AI (%s)', async (format) => {
    const badGtin = '09520123456789';
    const elementString = `01${badGtin}21SN-0001`;
    const error = await refusal(renderLabel(gs1Product, { ...GS1_RECORD, gtin: badGtin, elementString }, format));
    expect(error.code).toBe('GS1_AI_VALUE_INVALID');
    expect(error.details).toMatchObject({ ai: '01', rule: 'csum' });
    expect(error.message).toContain('the check digit should be 8');
  });

  it('refuses bad bracketed data the same way', async () => {
    const error = await refusal(renderLabel(templateFor('gs1-128', '(01)0952012345678(21){serial}'), GS1_RECORD, 'png'));
    expect(error.code).toBe('GS1_AI_VALUE_INVALID');
    expect(error.details).toMatchObject({ ai: '01', rule: 'length' });
  });

  it.each(FORMATS)('a lot missing from a line that is not optional is LABEL_DATA_MISSING (%s)', async (format) => {
    const template: LabelTemplate = { ...gs1Product, name: 'strict', lines: gs1Product.lines.map((line) => ({ ...line, optional: false })) };
    const { lot: _, ...record } = GS1_RECORD;
    const error = await refusal(renderLabel(template, { ...record, elementString: buildElementString([{ ai: '01', value: '09520123456788' }, { ai: '21', value: 'SN-0001' }]) }, format));
    expect(error.code).toBe('LABEL_DATA_MISSING');
    expect(error.details).toEqual({ field: 'lot', template: 'strict' });
  });

  it('leaves out optional lines instead', async () => {
    const { lot: _lot, expiry: _expiry, ...record } = GS1_RECORD;
    const text = new TextDecoder().decode((await renderLabel(gs1Product, { ...record, elementString: '0109520123456788' }, 'zpl')).bytes);
    expect(text).toContain('^FDGTIN 09520123456788^FS');
    expect(text).not.toContain('LOT');
    expect(text).not.toContain('EXP');
  });

  it('a barcode field without a value is LABEL_DATA_MISSING', async () => {
    const error = await refusal(renderLabel(gs1Product, { serial: 'S-1', gtin: '09520123456788' }, 'png'));
    expect(error.code).toBe('LABEL_DATA_MISSING');
    expect(error.details).toEqual({ field: 'elementString', template: 'gs1-product' });
  });

  it('a Digital Link QR refuses a URI that is no Digital Link', async () => {
    const error = await refusal(renderLabel(BUILT_IN_TEMPLATES[3] as LabelTemplate, { ...GS1_RECORD, digitalLink: 'https://example.com/nothing' }, 'png'));
    expect(error.code).toBe('GS1_DIGITAL_LINK_INVALID');
  });

  it('data a symbology cannot take become LABEL_BARCODE_INVALID, not a bwip-js exception', async () => {
    const error = await refusal(renderLabel(templateFor('datamatrix', '{serial}'), { serial: 'X'.repeat(4000) }, 'png'));
    expect(error.code).toBe('LABEL_BARCODE_INVALID');
    expect(error.details['barcode']).toBe('datamatrix');
    expect(error.message).toMatch(/^Cannot draw a datamatrix barcode: /);
    expect(error.details['reason'] as string).not.toMatch(/^bwipp/);
  });

  it('a symbol with more modules than its size has dots is LABEL_BARCODE_INVALID', async () => {
    const tiny: LabelTemplate = { ...templateFor('qr', '{serial}'), dpi: 203, barcode: { type: 'qr', data: '{serial}', x: 1, y: 1, size: 1 } };
    const error = await refusal(renderLabel(tiny, { serial: 'A'.repeat(200) }, 'zpl'));
    expect(error.code).toBe('LABEL_BARCODE_INVALID');
    expect(error.details['reason'] as string).toContain('modules');
  });

  it('an expiry that is not a date is refused naming the field', async () => {
    const error = await refusal(renderLabel(gs1Product, { ...GS1_RECORD, expiry: '31/03/2027' }, 'png'));
    expect(error.code).toBe('VALUE_INVALID');
    expect(error.details['field']).toBe('expiry');
  });
});
