import { BarcodeFormat, BinaryBitmap, DecodeHintType, HybridBinarizer, MultiFormatReader, RGBLuminanceSource } from '@zxing/library';
import { PNG } from 'pngjs';

/** Symbologies the tests decode, as zxing names them. */
export const ZXING_FORMATS = {
  'gs1-datamatrix': BarcodeFormat.DATA_MATRIX,
  datamatrix: BarcodeFormat.DATA_MATRIX,
  'gs1-128': BarcodeFormat.CODE_128,
  code128: BarcodeFormat.CODE_128,
  'gs1-qr': BarcodeFormat.QR_CODE,
  'digital-link-qr': BarcodeFormat.QR_CODE,
  qr: BarcodeFormat.QR_CODE,
} as const;

/** Where the barcode is on the label, in millimetres (a linear symbol: from x to the label's right edge). */
export interface MmRegion {
  readonly labelWidth: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** The region of a template's barcode. */
export function barcodeRegion(template: { width: number; barcode: { x: number; y: number; size: number } }, linear: boolean): MmRegion {
  const { x, y, size } = template.barcode;
  return { labelWidth: template.width, x, y, width: linear ? template.width - x - 1 : size, height: size };
}

export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  readonly text: string;
}

/**
 * Decodes the one barcode of a PNG with zxing. GS1 symbols come back as a scanner sends them
 * without the symbology identifier: FNC1 separators as ASCII 29 (zxing adds "]C1" for GS1-128,
 * which is removed here so every type compares with `encoded.text`).
 */
export function decodePng(bytes: Uint8Array, type: keyof typeof ZXING_FORMATS, region?: MmRegion): DecodedPng {
  const png = PNG.sync.read(Buffer.from(bytes));
  // zxing's detectors search outward from the centre of the image, so the label's text would
  // confuse them: decode the part of the image the template gives the barcode, on a white margin.
  const perMm = region === undefined ? 0 : png.width / region.labelWidth;
  const left = region === undefined ? 0 : Math.max(0, Math.floor((region.x - 1) * perMm));
  const top = region === undefined ? 0 : Math.max(0, Math.floor((region.y - 1) * perMm));
  const right = region === undefined ? png.width : Math.min(png.width, Math.ceil((region.x + region.width + 1) * perMm));
  const bottom = region === undefined ? png.height : Math.min(png.height, Math.ceil((region.y + region.height + 1) * perMm));
  const margin = 40;
  const width = right - left + 2 * margin;
  const height = bottom - top + 2 * margin;
  const luminances = new Uint8ClampedArray(width * height).fill(255);
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) luminances[(y - top + margin) * width + x - left + margin] = png.data[(y * png.width + x) * 4] ?? 255;
  }
  const reader = new MultiFormatReader();
  const hints = new Map<DecodeHintType, unknown>([
    [DecodeHintType.POSSIBLE_FORMATS, [ZXING_FORMATS[type]]],
    [DecodeHintType.TRY_HARDER, true],
    [DecodeHintType.ASSUME_GS1, type === 'gs1-128'],
  ]);
  const bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(luminances, width, height)));
  // decode() replaces hints set before with its own argument.
  const result = reader.decode(bitmap, hints);
  let text = result.getText();
  if (type === 'gs1-128' && text.startsWith(']C1')) text = text.slice(3);
  // zxing passes on the FNC1 in first position of GS1 DataMatrix and QR as a GS.
  if ((type === 'gs1-datamatrix' || type === 'gs1-qr') && text.startsWith('\u001d')) text = text.slice(1);
  return { width: png.width, height: png.height, text };
}
