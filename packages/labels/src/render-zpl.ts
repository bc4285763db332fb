import { GS } from '@serialtrace/core';
import type { LabelLayout, PlacedBarcode, PlacedLine } from './label-layout.js';
import { barcodeBitmap } from './render-png.js';

/** The largest module ^BY (Code 128) and ^BQ (QR magnification) accept. */
const ZPL_MAX_MODULE = 10;

/**
 * ZPL II for Zebra printers, in dots of the template's dpi: `^PW`/`^LL` the label size, `^CI28`
 * UTF-8, `^FO` for every element. Barcodes use the printer's own symbologies where ZPL can carry
 * the data unambiguously (`^BX` DataMatrix, `^BC` Code 128, `^BQ` QR); otherwise the symbol
 * bwip-js drew is sent as a `^GFA` graphic, dot for dot, so the print always matches the PNG.
 * Text is font 0 (`^A0N`). Field data holding `^`, `~`, `\` or control characters are written
 * with `^FH\` hex escapes.
 */
export function renderZpl(layout: LabelLayout): string {
  const commands = ['^XA', '^CI28', `^PW${layout.width}`, `^LL${layout.height}`, '^LH0,0'];
  commands.push(barcodeCommand(layout.barcode));
  for (const line of layout.lines) commands.push(...lineCommands(line));
  commands.push('^XZ');
  return `${commands.join('\n')}\n`;
}

function barcodeCommand(barcode: PlacedBarcode): string {
  const { content, modules, moduleDots: m, x, y } = barcode;
  const at = `^FO${x},${y}`;
  const text = content.encoded.text;
  switch (content.encoded.type) {
    case 'gs1-datamatrix':
      // `_` is the escape character of ^BX: `_1` is FNC1, first to mark GS1 data, then for each GS.
      if (text.includes('_')) break;
      return `${at}^BXN,${m},200,${modules.columns},${modules.rows},,_${fieldData(`_1${text.replaceAll(GS, '_1')}`)}^FS`;
    case 'gs1-128':
      // Mode D (UCC/EAN) reads the bracketed form and adds FNC1 itself; `>` would start an invocation.
      if (m > ZPL_MAX_MODULE || (content.bracketed ?? '').includes('>')) break;
      return `^BY${m}${at}^BCN,${barcode.height},N,N,N,D${fieldData(content.bracketed ?? '')}^FS`;
    case 'qr':
    case 'digital-link-qr':
      if (m > ZPL_MAX_MODULE) break;
      return `${at}^BQN,2,${m}${fieldData(`QA,${text}`)}^FS`;
    case 'datamatrix':
      // Some firmware treats `_` as ^BX's escape even when none is set; send such data as a graphic.
      if (text.includes('_')) break;
      return `${at}^BXN,${m},200,${modules.columns},${modules.rows}${fieldData(text)}^FS`;
    case 'code128':
      if (m > ZPL_MAX_MODULE) break;
      return `^BY${m}${at}^BCN,${barcode.height},N,N,N,A${fieldData(text.replaceAll('>', '><'))}^FS`;
    case 'gs1-qr':
      // ZPL has no documented way to put FNC1 in first position in ^BQ.
      break;
  }
  return `${at}${graphicField(barcode)}^FS`;
}

function lineCommands(line: PlacedLine): string[] {
  const offsets = line.bold ? [0, Math.max(1, Math.round(line.size / 16))] : [0];
  return offsets.map((offset) => `^FO${line.x + offset},${line.y}^A0N,${line.size},${line.size}${fieldData(line.text)}^FS`);
}

/**
 * `^FD` with `data`, hex-escaped under `^FH\` when it holds a character ZPL would read as a
 * command prefix (`^`, `~`) or that cannot travel as is (control characters); `\` is then
 * escaped as well, being the hex indicator.
 *
 * @example fieldData('A^B') === '^FH\\^FDA\\5EB'
 */
export function fieldData(data: string): string {
  if (!/[\^~\u0000-\u001f\u007f]/.test(data)) return `^FD${data}`;
  const escaped = data.replace(/[\\^~\u0000-\u001f\u007f]/g, (char) => `\\${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return `^FH\\^FD${escaped}`;
}

/** `^GFA` of the barcode as bwip-js drew it, one bit per dot, 1 for black. */
function graphicField(barcode: PlacedBarcode): string {
  const bitmap = barcodeBitmap(barcode);
  const rowBytes = Math.ceil(bitmap.width / 8);
  let hex = '';
  for (let row = 0; row < bitmap.height; row++) {
    for (let byte = 0; byte < rowBytes; byte++) {
      let bits = 0;
      for (let bit = 0; bit < 8; bit++) {
        const column = byte * 8 + bit;
        if (column < bitmap.width && bitmap.pixels[row * bitmap.width + column] === 0) bits |= 0x80 >> bit;
      }
      hex += bits.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  const total = rowBytes * bitmap.height;
  return `^GFA,${total},${total},${rowBytes},${hex}`;
}
