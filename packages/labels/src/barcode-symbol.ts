import bwipjs from 'bwip-js';
import { buildBracketed, buildElementString, parseBracketed, parseDigitalLink, parseElementString, SerialtraceError, type AiValue } from '@serialtrace/core';
import type { BarcodeType } from './label-template.js';

/**
 * What a barcode carries: `text` is exactly the data in the symbol as a scanner returns it
 * without a symbology identifier; for GS1 types the element string, a GS (ASCII 29) after each
 * variable-length value that is not last.
 *
 * @example { type: 'gs1-datamatrix', text: '0109520123456788215678' }
 */
export interface EncodedBarcode {
  readonly type: BarcodeType;
  readonly text: string;
}

/** The data of one barcode, checked, in the forms each output needs. */
export interface BarcodeContent {
  readonly encoded: EncodedBarcode;
  /** The bwip-js symbology and its input text (bracketed form for GS1). */
  readonly bcid: string;
  readonly bwipText: string;
  /** GS1 types only. */
  readonly ais?: readonly AiValue[];
  readonly bracketed?: string;
}

/**
 * The modules of a symbol as bwip-js draws them, without quiet zones: `rows` is 1 for linear
 * symbols, whose bar height the label decides. `dark[row * columns + column]` is 1 for a dark module.
 */
export interface SymbolModules {
  readonly columns: number;
  readonly rows: number;
  readonly linear: boolean;
  readonly dark: Uint8Array;
}

const BCIDS: Readonly<Record<BarcodeType, string>> = {
  'gs1-datamatrix': 'gs1datamatrix',
  'gs1-128': 'gs1-128',
  'gs1-qr': 'gs1qrcode',
  'digital-link-qr': 'qrcode',
  qr: 'qrcode',
  datamatrix: 'datamatrix',
  code128: 'code128',
};

/** QR codes use error correction level Q everywhere, as ZPL's `^FDQA,` does. */
export const QR_ERROR_CORRECTION = 'Q';

/**
 * Checks `text` for a barcode of `type`. GS1 types accept the bracketed form, an element string
 * (with or without a symbology identifier) or a Digital Link URI, and refuse bad data with
 * core's GS1_* codes, which name the AI and the rule; digital-link-qr needs a valid Digital Link.
 *
 * @example barcodeContent('gs1-128', '(00)095201234567891235').encoded.text === '00095201234567891235'
 */
export function barcodeContent(type: BarcodeType, text: string): BarcodeContent {
  if (text.length === 0) throw new SerialtraceError('LABEL_BARCODE_INVALID', { barcode: type, reason: 'there is no data' });
  switch (type) {
    case 'gs1-datamatrix':
    case 'gs1-128':
    case 'gs1-qr': {
      const ais = gs1Ais(text);
      const bracketed = buildBracketed(ais);
      return { encoded: { type, text: buildElementString(ais) }, bcid: BCIDS[type], bwipText: bracketed, ais, bracketed };
    }
    case 'digital-link-qr':
      parseDigitalLink(text);
      return { encoded: { type, text }, bcid: BCIDS[type], bwipText: text };
    case 'qr':
    case 'datamatrix':
    case 'code128':
      return { encoded: { type, text }, bcid: BCIDS[type], bwipText: text };
  }
}

function gs1Ais(text: string): AiValue[] {
  if (text.startsWith('(')) return parseBracketed(text);
  if (/^https?:\/\//i.test(text)) return parseDigitalLink(text);
  return parseElementString(text).ais;
}

/**
 * The modules of the symbol for `content`, drawn by bwip-js at scale 1 into a recording
 * drawing. Any bwip-js refusal (data too long for the symbology, characters it cannot encode)
 * becomes LABEL_BARCODE_INVALID.
 */
export function symbolModules(content: BarcodeContent): SymbolModules {
  const options: bwipjs.RenderOptions & { eclevel?: string } = {
    bcid: content.bcid,
    text: content.bwipText,
    scale: 1,
    padding: 0,
    includetext: false,
    ...(content.bcid === 'qrcode' || content.bcid === 'gs1qrcode' ? { eclevel: QR_ERROR_CORRECTION } : {}),
  };
  let units: UnitBitmap;
  try {
    units = bwipjs.render(options, unitDrawing());
  } catch (error) {
    if (error instanceof SerialtraceError) throw error;
    throw new SerialtraceError('LABEL_BARCODE_INVALID', { barcode: content.encoded.type, reason: bwipReason(error) });
  }
  return units.lines ? linearModules(units) : matrixModules(units, content.encoded.type);
}

/** bwip-js messages start with the BWIPP routine and line, e.g. `bwipp.GS1valueTooShort#3842: AI 01: Too short`. */
function bwipReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^bwipp?\.[A-Za-z0-9]+#\d+:\s*/, '');
}

/** A bitmap in bwip-js units at scale 1: one unit per module of a linear symbol, two per module of a 2D one. */
interface UnitBitmap {
  width: number;
  height: number;
  pixels: Uint8Array;
  /** True when bwip-js drew bars (line calls) rather than filled regions. */
  lines: boolean;
}

/**
 * A bwip-js drawing that rasterises into a one-bit bitmap the way its built-in drawing does:
 * bars as integer rectangles, 2D regions as orthogonal polygons filled even-odd along scan
 * lines (bwip-js notes that regions never intersect, so even-odd equals PostScript's non-zero).
 */
function unitDrawing(): bwipjs.DrawingContext<UnitBitmap> {
  const bitmap: UnitBitmap = { width: 0, height: 0, pixels: new Uint8Array(0), lines: false };
  let polygons: Array<Array<[number, number]>> = [];
  const set = (x: number, y: number) => {
    if (x >= 0 && y >= 0 && x < bitmap.width && y < bitmap.height) bitmap.pixels[y * bitmap.width + x] = 1;
  };
  return {
    scale: (sx, sy) => [sx, sy],
    measure: () => ({ width: 0, ascent: 0, descent: 0 }),
    init(width, height) {
      bitmap.width = Math.ceil(width);
      bitmap.height = Math.ceil(height);
      bitmap.pixels = new Uint8Array(bitmap.width * bitmap.height);
    },
    line(x0, y0, x1, y1, lineWidth) {
      bitmap.lines = true;
      // The built-in drawing's convention: a vertical line covers lw pixels ending at x + lw/2.
      const lw = Math.round(lineWidth) || 1;
      const half = Math.floor(lw / 2);
      let [left, right] = [Math.min(x0, x1) | 0, Math.max(x0, x1) | 0];
      let [top, bottom] = [Math.min(y0, y1) | 0, Math.max(y0, y1) | 0];
      if (left === right) {
        left = left - lw + half;
        right = right + half - 1;
      } else {
        top = top - half;
        bottom = bottom + lw - half - 1;
      }
      for (let y = top; y <= bottom; y++) for (let x = left; x <= right; x++) set(x, y);
    },
    polygon(points) {
      polygons.push(points.map(([x, y]) => [Math.round(x), Math.round(y)]));
    },
    hexagon() {
      throw new Error('hexagons (MaxiCode) are not supported');
    },
    ellipse() {
      throw new Error('ellipses (DotCode, MaxiCode) are not supported');
    },
    fill() {
      // Scan each row at its centre: a vertical edge from ya to yb crosses rows ya..yb-1.
      for (let y = 0; y < bitmap.height; y++) {
        const crossings: number[] = [];
        for (const points of polygons) {
          for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
            const [xi, yi] = points[i] as [number, number];
            const [xj, yj] = points[j] as [number, number];
            if (xi === xj && Math.min(yi, yj) <= y && y < Math.max(yi, yj)) crossings.push(xi);
          }
        }
        crossings.sort((a, b) => a - b);
        for (let k = 0; k + 1 < crossings.length; k += 2) {
          for (let x = crossings[k] as number; x < (crossings[k + 1] as number); x++) set(x, y);
        }
      }
      polygons = [];
    },
    text() {
      // includetext is off; nothing to draw.
    },
    end: () => bitmap,
  };
}

function linearModules(units: UnitBitmap): SymbolModules {
  const row = Math.floor(units.height / 2);
  return { columns: units.width, rows: 1, linear: true, dark: units.pixels.slice(row * units.width, (row + 1) * units.width) };
}

function matrixModules(units: UnitBitmap, type: BarcodeType): SymbolModules {
  // BWIPP draws a 2D module as 2 x 2 units at scale 1; sample each module at its centre.
  const unit = 2;
  if (units.width % unit !== 0 || units.height % unit !== 0) {
    throw new SerialtraceError('LABEL_BARCODE_INVALID', { barcode: type, reason: `unexpected symbol geometry ${units.width} x ${units.height}` });
  }
  const columns = units.width / unit;
  const rows = units.height / unit;
  const dark = new Uint8Array(columns * rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) dark[r * columns + c] = units.pixels[(r * unit + 1) * units.width + c * unit + 1] ?? 0;
  }
  return { columns, rows, linear: false, dark };
}
