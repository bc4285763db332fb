import { describe, expect, it } from 'vitest';
import { SerialtraceError } from '@serialtrace/core';
import {
  BUILT_IN_TEMPLATES,
  DEFAULT_TEMPLATE_NAME,
  builtInTemplate,
  defaultTemplateFor,
  fillFieldTemplate,
  parseFieldTemplate,
  resolveLabelTemplate,
} from '@serialtrace/labels';
import { GS1_RECORD, PLAIN_RECORD } from './fixtures.ts';

function refusal(input: unknown): SerialtraceError {
  try {
    resolveLabelTemplate(input);
  } catch (error) {
    if (error instanceof SerialtraceError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('resolveLabelTemplate', () => {
  it.each(BUILT_IN_TEMPLATES.map((t) => [t.name, t] as const))('accepts the built-in template %s unchanged', (_, template) => {
    expect(resolveLabelTemplate(JSON.parse(JSON.stringify(template)))).toEqual(template);
  });

  it('has the default among the built-ins', () => {
    expect(builtInTemplate(DEFAULT_TEMPLATE_NAME)?.name).toBe('gs1-product');
    expect(BUILT_IN_TEMPLATES.map((t) => t.name)).toEqual(['gs1-product', 'sscc-logistic', 'serial', 'digital-link']);
    expect(Object.isFrozen(BUILT_IN_TEMPLATES)).toBe(true);
    expect(Object.isFrozen(BUILT_IN_TEMPLATES[0]?.lines[0])).toBe(true);
  });

  it('reports every problem at once, each naming its field', () => {
    const error = refusal({
      name: '',
      description: 7,
      width: '50',
      height: 400,
      dpi: 250,
      colour: 'red',
      barcode: { type: 'ean13', data: 'GTIN {gtn}', x: 1, y: 1, size: 0 },
      lines: [
        { text: 'ok {serial}', x: 1, y: 1, size: 3 },
        { text: 'SN', x: -1, y: 1, size: 3, bold: 'yes' },
        { text: 'x {nope} {{literal}} {fields.extra}', x: 1, y: 1, size: 3, optional: true },
        'not a line',
      ],
    });
    expect(error.code).toBe('LABEL_TEMPLATE_INVALID');
    expect(error.problems.every((p) => p.code === 'LABEL_TEMPLATE_INVALID')).toBe(true);
    expect(error.problems.map((p) => p.field)).toEqual([
      'colour',
      'name',
      'description',
      'width',
      'height',
      'dpi',
      'barcode.type',
      'barcode.data',
      'barcode.size',
      'lines.1.x',
      'lines.1.bold',
      'lines.2.text',
      'lines.3',
    ]);
    expect(error.problems.find((p) => p.field === 'barcode.data')?.message).toContain('{gtn}');
    expect(error.problems.find((p) => p.field === 'lines.2.text')?.message).toContain('{nope}');
    expect(error.problems.find((p) => p.field === 'lines.2.text')?.position).toBe(2);
    expect(error.message).toContain('(and 12 more problems)');
  });

  it('refuses elements outside the label', () => {
    const error = refusal({
      name: 'small',
      description: '',
      width: 40,
      height: 20,
      dpi: 203,
      barcode: { type: 'datamatrix', data: '{serial}', x: 30, y: 5, size: 16 },
      lines: [
        { text: '{serial}', x: 41, y: 2, size: 3 },
        { text: '{serial}', x: 2, y: 18, size: 3 },
      ],
    });
    expect(error.problems.map((p) => p.field)).toEqual(['barcode.x', 'barcode.y', 'lines.0.x', 'lines.1.y']);
  });

  it('lets a linear barcode run to the right (its width follows from the data)', () => {
    const template = { ...BUILT_IN_TEMPLATES[1], name: 'copy' };
    expect(resolveLabelTemplate(template).barcode.type).toBe('gs1-128');
  });

  it('refuses what is not an object', () => {
    expect(refusal(null).problems.map((p) => p.field)).toEqual(['template']);
    expect(refusal([]).code).toBe('LABEL_TEMPLATE_INVALID');
  });

  it('defaults description and lines', () => {
    const template = resolveLabelTemplate({ name: 'bare', width: 30, height: 30, dpi: 600, barcode: { type: 'qr', data: '{serial}', x: 1, y: 1, size: 20 } });
    expect(template.description).toBe('');
    expect(template.lines).toEqual([]);
  });
});

describe('field templates', () => {
  it('parses fields, escapes and derived fields', () => {
    const { nodes, faults } = parseFieldTemplate('{{x}} EXP {expiryYYMMDD} / {expiryDisplay} {fields.line}}}');
    expect(faults).toEqual([]);
    expect(fillFieldTemplate(nodes, GS1_RECORD, 't')).toBe('{x} EXP 270331 / 2027-03-31 L3}');
  });

  it('reports unknown names and unclosed braces with their positions', () => {
    expect(parseFieldTemplate('{serial} {bogus} {lot').faults.map((f) => f.position)).toEqual([9, 17]);
  });

  it('refuses a known field without a value when filling', () => {
    expect(() => fillFieldTemplate(parseFieldTemplate('LOT {lot}').nodes, PLAIN_RECORD, 'mine')).toThrowError(
      expect.objectContaining({ code: 'LABEL_DATA_MISSING', details: { field: 'lot', template: 'mine' } }),
    );
  });
});

describe('defaultTemplateFor', () => {
  it('chooses by the keys a record has', () => {
    expect(defaultTemplateFor(GS1_RECORD)).toBe('gs1-product');
    expect(defaultTemplateFor({ serial: 'S', sscc: '095201234567891235' })).toBe('sscc-logistic');
    expect(defaultTemplateFor(PLAIN_RECORD)).toBe('serial');
  });
});
