import { PDFDocument, rgb, StandardFonts, type PDFFont } from 'pdf-lib';
import { darkRuns, type LabelLayout, type PlacedBarcode } from './label-layout.js';
import { BASELINE_RATIO } from './render-png.js';

/** PDF points per millimetre. */
export const POINTS_PER_MM = 72 / 25.4;

/**
 * One page of exactly the label's size. The barcode is vector: one filled path whose
 * rectangles are the runs of dark modules bwip-js drew, placed on the same dot grid as the PNG
 * and ZPL; the text is Helvetica (bold lines in Helvetica-Bold). No dates are written, so the
 * same label gives the same bytes.
 */
export async function renderPdf(layout: LabelLayout): Promise<Uint8Array> {
  const { template } = layout;
  const pointsPerDot = 72 / template.dpi;
  const document = await PDFDocument.create({ updateMetadata: false });
  document.setTitle(layout.data.serial);
  document.setProducer('serialtrace');
  document.setCreator('serialtrace');
  const pageWidth = template.width * POINTS_PER_MM;
  const pageHeight = template.height * POINTS_PER_MM;
  const page = document.addPage([pageWidth, pageHeight]);

  page.drawSvgPath(barcodePath(layout.barcode), { x: 0, y: pageHeight, scale: pointsPerDot, color: rgb(0, 0, 0) });

  const fonts = new Map<boolean, { font: PDFFont; characters: Set<number> }>();
  for (const line of layout.lines) {
    let entry = fonts.get(line.bold);
    if (entry === undefined) {
      const font = await document.embedFont(line.bold ? StandardFonts.HelveticaBold : StandardFonts.Helvetica);
      entry = { font, characters: new Set(font.getCharacterSet()) };
      fonts.set(line.bold, entry);
    }
    const { font, characters } = entry;
    // The standard fonts speak WinAnsi only; anything else prints as "?" instead of failing.
    const text = [...line.text].map((char) => (characters.has(char.codePointAt(0) ?? 0) ? char : '?')).join('');
    const baseline = line.y + Math.round(line.size * BASELINE_RATIO);
    page.drawText(text, { x: line.x * pointsPerDot, y: pageHeight - baseline * pointsPerDot, size: line.size * pointsPerDot, font, color: rgb(0, 0, 0) });
  }
  return document.save();
}

/** SVG path data, in dots from the label's top-left corner, of the runs of dark modules. */
function barcodePath(barcode: PlacedBarcode): string {
  return darkRuns(barcode)
    .map((r) => `M${r.x} ${r.y}h${r.width}v${r.height}h${-r.width}Z`)
    .join('');
}
