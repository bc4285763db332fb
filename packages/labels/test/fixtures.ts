import { buildDigitalLink, buildElementString, buildBracketed, type AiValue } from '@serialtrace/core';
import type { BarcodeType, LabelData, LabelTemplate } from '@serialtrace/labels';

const AIS: AiValue[] = [
  { ai: '01', value: '09520123456788' },
  { ai: '17', value: '270331' },
  { ai: '10', value: 'L42' },
  { ai: '21', value: 'SN-0001' },
];

/** A GS1 record as the service would hand it over. */
export const GS1_RECORD: LabelData = {
  serial: 'SN-0001',
  series: 'Widgets',
  gtin: '09520123456788',
  lot: 'L42',
  expiry: '2027-03-31',
  sscc: '095201234567891235',
  bracketed: buildBracketed(AIS),
  elementString: buildElementString(AIS),
  digitalLink: buildDigitalLink(AIS),
  fields: { line: 'L3' },
};

/** A record of a series without GS1. */
export const PLAIN_RECORD: LabelData = { serial: 'WX-2026-000417', partNumber: 'P-100' };

/** A one-barcode template of `type` for tests. */
export function templateFor(type: BarcodeType, data: string, overrides: Partial<LabelTemplate> = {}): LabelTemplate {
  const linear = type === 'gs1-128' || type === 'code128';
  return {
    name: `test-${type}`,
    description: '',
    width: linear ? 100 : 50,
    height: 30,
    dpi: 300,
    barcode: { type, data, x: 4, y: 3, size: linear ? 15 : 22 },
    lines: [{ text: 'SN {serial}', x: linear ? 4 : 28, y: linear ? 22 : 10, size: 3 }],
    ...overrides,
  };
}
