import { problem, SerialtraceError, showValue, type Problem } from '@serialtrace/core';
import { parseFieldTemplate, type LabelData } from './field-template.js';

export const BARCODE_TYPES = ['gs1-datamatrix', 'gs1-128', 'gs1-qr', 'digital-link-qr', 'qr', 'datamatrix', 'code128'] as const;
export type BarcodeType = (typeof BARCODE_TYPES)[number];

/** Two-dimensional symbologies: `size` is the side of the square symbol. */
export const MATRIX_BARCODE_TYPES: readonly BarcodeType[] = ['gs1-datamatrix', 'gs1-qr', 'digital-link-qr', 'qr', 'datamatrix'];

export const LABEL_DPIS = [203, 300, 600] as const;
export type LabelDpi = (typeof LABEL_DPIS)[number];

export const LABEL_LIMITS = { nameLength: 100, descriptionLength: 1000, minMm: 5, maxMm: 300, maxLines: 20, textLength: 500 } as const;

/** The barcode of a label; positions and sizes in millimetres from the top-left corner. */
export interface LabelBarcode {
  readonly type: BarcodeType;
  /** A field template, e.g. `{elementString}`, `(00){sscc}`, `{digitalLink}` or `{serial}`. */
  readonly data: string;
  readonly x: number;
  readonly y: number;
  /** The symbol's height: the side of a 2D symbol, the bar height of a linear one. */
  readonly size: number;
}

/**
 * One human-readable line; `y` is the top of the text, `size` its height in millimetres. A line
 * too long for the space right of `x` is printed smaller, so that it stays on the label.
 */
export interface LabelLine {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly bold?: boolean;
  /** Left out, rather than refused, when a field it prints has no value for the record. */
  readonly optional?: boolean;
}

/**
 * A label layout users store by name; the same template renders to PNG, PDF and ZPL.
 *
 * @example
 * { name: 'serial', description: '', width: 40, height: 20, dpi: 300,
 *   barcode: { type: 'datamatrix', data: '{serial}', x: 2, y: 2, size: 16 },
 *   lines: [{ text: '{serial}', x: 20, y: 8, size: 3 }] }
 */
export interface LabelTemplate {
  readonly name: string;
  readonly description: string;
  /** Millimetres, 5 to 300. */
  readonly width: number;
  readonly height: number;
  /** Print resolution in dots per inch; PNG renders at it, ZPL counts dots at it. */
  readonly dpi: LabelDpi;
  readonly barcode: LabelBarcode;
  readonly lines: readonly LabelLine[];
}

export const DEFAULT_TEMPLATE_NAME = 'gs1-product';

/** Templates every installation has; they cannot be replaced or deleted (LABEL_TEMPLATE_READONLY). */
export const BUILT_IN_TEMPLATES: readonly LabelTemplate[] = deepFreeze([
  {
    name: 'gs1-product',
    description: 'GS1 DataMatrix of the element string with GTIN, serial, lot and expiry beside it.',
    width: 50,
    height: 30,
    dpi: 300,
    barcode: { type: 'gs1-datamatrix', data: '{elementString}', x: 2, y: 5, size: 20 },
    lines: [
      { text: 'GTIN {gtin}', x: 24, y: 6, size: 2.1 },
      { text: 'SN {serial}', x: 24, y: 11, size: 2.1, bold: true },
      { text: 'LOT {lot}', x: 24, y: 16, size: 2.1, optional: true },
      { text: 'EXP {expiryDisplay}', x: 24, y: 21, size: 2.1, optional: true },
    ],
  },
  {
    name: 'sscc-logistic',
    description: 'GS1-128 of the SSCC, AI (00), with the SSCC below it.',
    width: 100,
    height: 50,
    dpi: 203,
    barcode: { type: 'gs1-128', data: '(00){sscc}', x: 6, y: 4, size: 30 },
    lines: [{ text: 'SSCC {sscc}', x: 6, y: 38, size: 5, bold: true }],
  },
  {
    name: 'serial',
    description: 'DataMatrix of the serial with the serial as text, for series without GS1.',
    width: 40,
    height: 20,
    dpi: 300,
    barcode: { type: 'datamatrix', data: '{serial}', x: 2, y: 2, size: 16 },
    lines: [{ text: '{serial}', x: 20, y: 8.5, size: 3 }],
  },
  {
    name: 'digital-link',
    description: 'QR code of the GS1 Digital Link URI with the serial below it.',
    width: 40,
    height: 40,
    dpi: 300,
    barcode: { type: 'digital-link-qr', data: '{digitalLink}', x: 5, y: 2, size: 30 },
    lines: [{ text: 'SN {serial}', x: 5, y: 34, size: 3 }],
  },
] satisfies LabelTemplate[]);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** The built-in template of `name`, or undefined. */
export function builtInTemplate(name: string): LabelTemplate | undefined {
  return BUILT_IN_TEMPLATES.find((template) => template.name === name);
}

/**
 * The template a record prints with when none is named: gs1-product for a GTIN, sscc-logistic
 * for an SSCC, serial otherwise.
 */
export function defaultTemplateFor(data: LabelData): string {
  if (data.gtin !== undefined) return 'gs1-product';
  if (data.sscc !== undefined) return 'sscc-logistic';
  return 'serial';
}

/**
 * Checks a template as stored (JSON from a user) and returns it typed, or refuses with every
 * problem at once (LABEL_TEMPLATE_INVALID, each naming its `field`: `width`, `barcode.type`,
 * `lines.2.text`, ...). Unknown properties are refused too, so a typo does not pass silently.
 */
export function resolveLabelTemplate(input: unknown): LabelTemplate {
  const problems: Problem[] = [];
  const bad: Report = (field, reason, position) => problems.push(problem('LABEL_TEMPLATE_INVALID', position === undefined ? { field, reason } : { field, reason, position }));
  if (!isRecord(input)) {
    bad('template', `expected an object, got ${showValue(input)}`);
    throw SerialtraceError.fromProblems(problems);
  }
  unknownKeys(input, ['name', 'description', 'width', 'height', 'dpi', 'barcode', 'lines'], '', bad);

  const name = input['name'];
  if (typeof name !== 'string') bad('name', 'expected text');
  else if (name.trim().length === 0 || name.length > LABEL_LIMITS.nameLength) bad('name', `must be 1 to ${LABEL_LIMITS.nameLength} characters and not blank`);
  const description = input['description'] ?? '';
  if (typeof description !== 'string') bad('description', 'expected text');
  else if (description.length > LABEL_LIMITS.descriptionLength) bad('description', `must be at most ${LABEL_LIMITS.descriptionLength} characters`);

  const width = millimetres(input['width'], 'width', LABEL_LIMITS.minMm, LABEL_LIMITS.maxMm, bad);
  const height = millimetres(input['height'], 'height', LABEL_LIMITS.minMm, LABEL_LIMITS.maxMm, bad);
  const dpi = input['dpi'];
  if (!(LABEL_DPIS as readonly unknown[]).includes(dpi)) bad('dpi', `${showValue(dpi)} is not one of ${LABEL_DPIS.join(', ')}`);

  const barcode = input['barcode'];
  if (!isRecord(barcode)) bad('barcode', 'expected an object with type, data, x, y and size');
  else {
    unknownKeys(barcode, ['type', 'data', 'x', 'y', 'size'], 'barcode.', bad);
    const type = barcode['type'];
    if (!(BARCODE_TYPES as readonly unknown[]).includes(type)) bad('barcode.type', `${showValue(type)} is not one of ${BARCODE_TYPES.join(', ')}`);
    fieldTemplate(barcode['data'], 'barcode.data', false, bad);
    const x = millimetres(barcode['x'], 'barcode.x', 0, LABEL_LIMITS.maxMm, bad);
    const y = millimetres(barcode['y'], 'barcode.y', 0, LABEL_LIMITS.maxMm, bad);
    const size = millimetres(barcode['size'], 'barcode.size', 1, LABEL_LIMITS.maxMm, bad);
    if (width !== undefined && height !== undefined && x !== undefined && y !== undefined && size !== undefined) {
      const matrix = (MATRIX_BARCODE_TYPES as readonly unknown[]).includes(type);
      if (x >= width || (matrix && x + size > width)) bad('barcode.x', `the barcode at x ${x} mm${matrix ? ` with side ${size} mm` : ''} does not fit the label width ${width} mm`);
      if (y + size > height) bad('barcode.y', `the barcode at y ${y} mm with height ${size} mm does not fit the label height ${height} mm`);
    }
  }

  const lines = input['lines'] ?? [];
  if (!Array.isArray(lines)) bad('lines', 'expected a list of lines');
  else {
    if (lines.length > LABEL_LIMITS.maxLines) bad('lines', `at most ${LABEL_LIMITS.maxLines} lines; got ${lines.length}`);
    lines.forEach((line: unknown, index) => {
      const at = `lines.${index}`;
      if (!isRecord(line)) {
        bad(at, 'expected an object with text, x, y and size');
        return;
      }
      unknownKeys(line, ['text', 'x', 'y', 'size', 'bold', 'optional'], `${at}.`, bad);
      fieldTemplate(line['text'], `${at}.text`, true, bad);
      const x = millimetres(line['x'], `${at}.x`, 0, LABEL_LIMITS.maxMm, bad);
      const y = millimetres(line['y'], `${at}.y`, 0, LABEL_LIMITS.maxMm, bad);
      const size = millimetres(line['size'], `${at}.size`, 0.5, 100, bad);
      for (const flag of ['bold', 'optional']) {
        if (line[flag] !== undefined && typeof line[flag] !== 'boolean') bad(`${at}.${flag}`, 'expected true or false');
      }
      if (width !== undefined && x !== undefined && x >= width) bad(`${at}.x`, `x ${x} mm is outside the label width ${width} mm`);
      if (height !== undefined && y !== undefined && size !== undefined && y + size > height) {
        bad(`${at}.y`, `the line at y ${y} mm with height ${size} mm does not fit the label height ${height} mm`);
      }
    });
  }

  if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
  const template = input as unknown as LabelTemplate;
  // A fresh object: the caller's input may carry prototype oddities or be changed later.
  return {
    name: template.name,
    description: template.description ?? '',
    width: template.width,
    height: template.height,
    dpi: template.dpi,
    barcode: { type: template.barcode.type, data: template.barcode.data, x: template.barcode.x, y: template.barcode.y, size: template.barcode.size },
    lines: (template.lines ?? []).map((line) => ({
      text: line.text,
      x: line.x,
      y: line.y,
      size: line.size,
      ...(line.bold === undefined ? {} : { bold: line.bold }),
      ...(line.optional === undefined ? {} : { optional: line.optional }),
    })),
  };
}

type Report = (field: string, reason: string, position?: number) => void;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(value: Record<string, unknown>, known: readonly string[], prefix: string, bad: Report): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) bad(`${prefix}${key}`, `unknown property; expected ${known.join(', ')}`);
  }
}

function millimetres(value: unknown, field: string, min: number, max: number, bad: Report): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    bad(field, `expected a number of millimetres, got ${showValue(value)}`);
    return undefined;
  }
  if (value < min || value > max) {
    bad(field, `${value} mm is outside ${min} to ${max} mm`);
    return undefined;
  }
  return value;
}

function fieldTemplate(value: unknown, field: string, emptyAllowed: boolean, bad: Report): void {
  if (typeof value !== 'string') {
    bad(field, 'expected text');
    return;
  }
  if (!emptyAllowed && value.length === 0) bad(field, 'must not be empty');
  if (value.length > LABEL_LIMITS.textLength) bad(field, `must be at most ${LABEL_LIMITS.textLength} characters`);
  for (const fault of parseFieldTemplate(value).faults) bad(field, fault.reason, fault.position);
}
