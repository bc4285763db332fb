import bwipjs from 'bwip-js';
import { PNG } from 'pngjs';
import { darkRuns, type LabelLayout, type PlacedBarcode, type PlacedLine } from './label-layout.js';

/** Where the baseline of a line sits below its top, as a share of its height (all three writers agree). */
export const BASELINE_RATIO = 0.75;

/** The font bwip-js carries for human-readable text; it has ASCII glyphs only. */
const FONT = 'OCR-B';

/** A greyscale image, one byte per pixel, 0 black to 255 white. */
export interface GreyBitmap {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

/** The whole label at its dpi as an 8-bit greyscale PNG. */
export function renderPng(layout: LabelLayout): Uint8Array {
  const bitmap = labelBitmap(layout);
  const png = new PNG({ width: bitmap.width, height: bitmap.height, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = Buffer.from(bitmap.pixels.buffer, bitmap.pixels.byteOffset, bitmap.pixels.byteLength);
  // The "up" filter only: label rows repeat, so it compresses as well as pngjs's default (trying
  // all five filters on every row) in a quarter of the time.
  return new Uint8Array(PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, filterType: 2 }));
}

/** The label painted into a bitmap: white ground, the barcode in whole dots per module, the lines in OCR-B. */
export function labelBitmap(layout: LabelLayout): GreyBitmap {
  const bitmap: GreyBitmap = { width: layout.width, height: layout.height, pixels: new Uint8Array(layout.width * layout.height).fill(255) };
  paintBarcode(bitmap, layout.barcode);
  for (const line of layout.lines) paintLine(bitmap, line);
  return bitmap;
}

/** The barcode alone with its modules at `moduleDots` (ZPL prints it as a graphic where a printer command cannot carry the data). */
export function barcodeBitmap(barcode: PlacedBarcode): GreyBitmap {
  const bitmap: GreyBitmap = { width: barcode.width, height: barcode.height, pixels: new Uint8Array(barcode.width * barcode.height).fill(255) };
  paintBarcode(bitmap, { ...barcode, x: 0, y: 0 });
  return bitmap;
}

function fillRect(bitmap: GreyBitmap, x: number, y: number, width: number, height: number): void {
  const left = Math.max(0, x);
  const right = Math.min(bitmap.width, x + width);
  for (let row = Math.max(0, y); row < Math.min(bitmap.height, y + height); row++) {
    if (right > left) bitmap.pixels.fill(0, row * bitmap.width + left, row * bitmap.width + right);
  }
}

function paintBarcode(bitmap: GreyBitmap, barcode: PlacedBarcode): void {
  for (const r of darkRuns(barcode)) fillRect(bitmap, r.x, r.y, r.width, r.height);
}

/** Draws `line` with bwip-js glyph bitmaps, as its built-in drawing draws a barcode's text. */
function paintLine(bitmap: GreyBitmap, line: PlacedLine): void {
  const fontId = bwipjs.FontLib.lookup(FONT);
  const baseline = line.y + Math.round(line.size * BASELINE_RATIO);
  // OCR-B has no bold face: a bold line is painted twice, a few per cent of its height apart.
  const offsets = line.bold ? [0, Math.max(1, Math.round(line.size / 16))] : [0];
  for (const offset of offsets) {
    let x = line.x + offset;
    for (const char of line.text) {
      const glyph = bwipjs.FontLib.getglyph(fontId, char.codePointAt(0) ?? 63, line.size, line.size);
      // A space, or a character outside the font (which gets the font's empty glyph), has no bitmap.
      if ((glyph.bytes as Uint8Array | null) === null) {
        x += glyph.advance;
        continue;
      }
      for (let i = 0; i < glyph.width; i++) {
        for (let j = 0; j < glyph.height; j++) {
          const alpha = glyph.bytes[glyph.offset + j * glyph.width + i] ?? 0;
          if (alpha === 0) continue;
          const px = x + glyph.left + i;
          const py = baseline - glyph.top + j;
          if (px < 0 || py < 0 || px >= bitmap.width || py >= bitmap.height) continue;
          const at = py * bitmap.width + px;
          bitmap.pixels[at] = Math.min(bitmap.pixels[at] ?? 255, 255 - alpha);
        }
      }
      x += glyph.advance;
    }
  }
}
