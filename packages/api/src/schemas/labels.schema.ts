import Type from 'typebox';
import { Instant, Nullable, MULTILINE } from './common.schema.js';

const BARCODE_TYPES = ['gs1-datamatrix', 'gs1-128', 'gs1-qr', 'digital-link-qr', 'qr', 'datamatrix', 'code128'] as const;
const LABEL_FORMATS = ['png', 'pdf', 'zpl'] as const;

const Millimetres = Type.Number({ description: 'Millimetres.' });

export const LabelBarcode = Type.Object({
  type: Type.Enum(BARCODE_TYPES),
  data: Type.String({ description: 'A field template: text with {fields}, e.g. {elementString}, {digitalLink}, {serial}.' }),
  x: Millimetres,
  y: Millimetres,
  size: Type.Number({ description: 'Millimetres: the side of a 2D symbol, the bar height of a linear one.' }),
});

export const LabelLine = Type.Object({
  text: Type.String({ description: 'A field template, e.g. "LOT {lot}".' }),
  x: Millimetres,
  y: Millimetres,
  size: Type.Number({ description: 'Text height in millimetres.' }),
  bold: Type.Optional(Type.Boolean()),
  optional: Type.Optional(Type.Boolean({ description: 'Leave the line out when a field it prints has no value, instead of refusing.' })),
});

export const LabelTemplate = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    width: Millimetres,
    height: Millimetres,
    dpi: Type.Integer({ description: '203, 300 or 600.' }),
    barcode: LabelBarcode,
    lines: Type.Array(LabelLine),
  },
  { $id: 'LabelTemplate' },
);

/** What a caller sends to save a template: the name comes from the path; the service checks every value. */
export const LabelTemplateInput = Type.Object(
  {
    name: Type.Optional(Type.String()),
    description: Type.Optional(Type.String(MULTILINE)),
    width: Type.Unknown(),
    height: Type.Unknown(),
    dpi: Type.Unknown(),
    barcode: Type.Unknown(),
    lines: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const LabelTemplateView = Type.Object({
  name: Type.String(),
  builtIn: Type.Boolean({ description: 'Comes with serialtrace; cannot be replaced or deleted.' }),
  version: Type.Integer({ description: 'Saves of a company template; 0 for built-ins.' }),
  updatedAt: Nullable(Instant),
  updatedBy: Nullable(Type.String()),
  template: LabelTemplate,
});

export const LabelTemplateList = Type.Object({ templates: Type.Array(LabelTemplateView) });
export const LabelTemplateParams = Type.Object({ name: Type.String() });

const LabelFormat = Type.Enum(LABEL_FORMATS, { description: 'png, pdf, or zpl (Zebra printers).' });

const LabelValues = Type.Object(
  {
    serial: Type.Optional(Type.String()),
    series: Type.Optional(Type.String()),
    workOrder: Type.Optional(Type.String()),
    partNumber: Type.Optional(Type.String()),
    status: Type.Optional(Type.String()),
    gtin: Type.Optional(Type.String()),
    lot: Type.Optional(Type.String()),
    expiry: Type.Optional(Type.String()),
    sscc: Type.Optional(Type.String()),
    bracketed: Type.Optional(Type.String()),
    elementString: Type.Optional(Type.String()),
    digitalLink: Type.Optional(Type.String()),
    epcUrn: Type.Optional(Type.String()),
    generatedAt: Type.Optional(Type.String()),
    fields: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false, description: 'Values for the template\'s fields; over the record\'s when a serial is named.' },
);

export const DocumentRequest = Type.Object(
  {
    template: Type.Optional(Type.String({ description: 'Template name; the record\'s default when omitted (gs1-product, sscc-logistic or serial).' })),
    format: Type.Optional(LabelFormat),
    serial: Type.Optional(Type.String({ description: 'A record whose fields fill the label.' })),
    series: Type.Optional(Type.String({ description: 'Needed when two non-global series issued the same serial.' })),
    values: Type.Optional(LabelValues),
  },
  { additionalProperties: false },
);

export const PrintRequest = Type.Object(
  {
    template: Type.Optional(Type.String({ description: 'Template name; the record\'s default when omitted.' })),
    format: Type.Optional(LabelFormat),
    series: Type.Optional(Type.String({ description: 'Needed when two non-global series issued the same serial.' })),
  },
  { additionalProperties: false },
);

/** Documents are binary; the schema documents the body as a string of bytes. */
export const LabelBytes = Type.String({ description: 'The document: PNG, PDF or ZPL bytes.' });

export const LABEL_MEDIA_TYPES = ['image/png', 'application/pdf', 'application/zpl'] as const;
