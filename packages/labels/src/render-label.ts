import type { EncodedBarcode } from './barcode-symbol.js';
import type { LabelData } from './field-template.js';
import { layoutLabel } from './label-layout.js';
import type { LabelTemplate } from './label-template.js';
import { renderPdf } from './render-pdf.js';
import { renderPng } from './render-png.js';
import { renderZpl } from './render-zpl.js';

export const LABEL_FORMATS = ['png', 'pdf', 'zpl'] as const;
export type LabelFormat = (typeof LABEL_FORMATS)[number];

/**
 * Media types of the formats. ZPL has no registered type; `application/zpl` says which printer
 * language the bytes hold (text/plain would not), and the data declare UTF-8 themselves (`^CI28`).
 */
export const LABEL_CONTENT_TYPES = {
  png: 'image/png',
  pdf: 'application/pdf',
  zpl: 'application/zpl',
} as const satisfies Record<LabelFormat, string>;
export type LabelContentType = (typeof LABEL_CONTENT_TYPES)[LabelFormat];

/**
 * One rendered label. `encoded` is what the barcode carries, for display and for checking a
 * scan against the record.
 *
 * @example { format: 'zpl', contentType: 'application/zpl', bytes: ..., encoded: { type: 'datamatrix', text: 'SN-0001' } }
 */
export interface LabelDocument {
  readonly format: LabelFormat;
  readonly contentType: LabelContentType;
  readonly bytes: Uint8Array;
  readonly encoded: EncodedBarcode;
}

/**
 * Renders `template` for one record. Refuses with LABEL_DATA_MISSING (a printed field has no
 * value), core's GS1_* codes (GS1 data break a rule), or LABEL_BARCODE_INVALID (the symbology
 * cannot carry the data, or the symbol does not fit). The template must come from
 * `resolveLabelTemplate` or `BUILT_IN_TEMPLATES`.
 */
export async function renderLabel(template: LabelTemplate, data: LabelData, format: LabelFormat): Promise<LabelDocument> {
  const layout = layoutLabel(template, data);
  const encoded = layout.barcode.content.encoded;
  switch (format) {
    case 'png':
      return { format, contentType: LABEL_CONTENT_TYPES.png, bytes: renderPng(layout), encoded };
    case 'pdf':
      return { format, contentType: LABEL_CONTENT_TYPES.pdf, bytes: await renderPdf(layout), encoded };
    case 'zpl':
      return { format, contentType: LABEL_CONTENT_TYPES.zpl, bytes: new TextEncoder().encode(renderZpl(layout)), encoded };
  }
}
