import { SerialtraceError } from '@serialtrace/core';

/**
 * The values one label prints, all as text; a field that is absent is not available for this
 * record (a serial of a series without GS1 has no `gtin`).
 *
 * @example { serial: 'SN-0001', gtin: '09520123456788', lot: 'L42', expiry: '2027-03-31' }
 */
export interface LabelData {
  readonly serial: string;
  readonly series?: string;
  readonly workOrder?: string;
  readonly partNumber?: string;
  readonly status?: string;
  readonly gtin?: string;
  readonly lot?: string;
  /** YYYY-MM-DD. */
  readonly expiry?: string;
  readonly sscc?: string;
  /** GS1 bracketed form, `(01)...(21)...`. */
  readonly bracketed?: string;
  /** GS1 element string with ASCII 29 separators and no symbology identifier. */
  readonly elementString?: string;
  readonly digitalLink?: string;
  readonly epcUrn?: string;
  readonly generatedAt?: string;
  /** Extra values, printed as `{fields.NAME}`. */
  readonly fields?: Readonly<Record<string, string>>;
}

/** Fields a template may name besides `fields.NAME`. */
export const LABEL_FIELD_NAMES = [
  'serial',
  'series',
  'workOrder',
  'partNumber',
  'status',
  'gtin',
  'lot',
  'expiry',
  'sscc',
  'bracketed',
  'elementString',
  'digitalLink',
  'epcUrn',
  'generatedAt',
  'expiryYYMMDD',
  'expiryDisplay',
] as const;
export type LabelFieldName = (typeof LABEL_FIELD_NAMES)[number];

/** A field template parsed once: literal text and named fields, in order. */
export type FieldTemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly name: string; readonly position: number };

/** Why a field template cannot be read, with the offset of the fault. */
export interface FieldTemplateFault {
  readonly position: number;
  readonly reason: string;
}

const EXTRA_FIELD = /^fields\.[A-Za-z0-9_-]{1,64}$/;

export function isLabelFieldName(name: string): boolean {
  return (LABEL_FIELD_NAMES as readonly string[]).includes(name) || EXTRA_FIELD.test(name);
}

/**
 * Parses `text` into nodes: `{name}` is a field, `{{` a literal `{`, `}}` a literal `}` (a lone
 * `}` stays as written). Every fault is returned, so validation can report them all.
 *
 * @example parseFieldTemplate('SN {serial}').nodes // [{ kind: 'text', text: 'SN ' }, { kind: 'field', name: 'serial', position: 3 }]
 */
export function parseFieldTemplate(text: string): { nodes: FieldTemplateNode[]; faults: FieldTemplateFault[] } {
  const nodes: FieldTemplateNode[] = [];
  const faults: FieldTemplateFault[] = [];
  let literal = '';
  let at = 0;
  while (at < text.length) {
    const char = text[at];
    if (char === '{' && text[at + 1] === '{') {
      literal += '{';
      at += 2;
    } else if (char === '}' && text[at + 1] === '}') {
      literal += '}';
      at += 2;
    } else if (char === '{') {
      const end = text.indexOf('}', at);
      if (end < 0) {
        faults.push({ position: at, reason: `"{" at position ${at} is not closed; write "{{" for a literal "{"` });
        literal += text.slice(at);
        break;
      }
      const name = text.slice(at + 1, end);
      if (!isLabelFieldName(name)) {
        faults.push({ position: at, reason: `unknown field {${name}} at position ${at}; known: ${LABEL_FIELD_NAMES.join(', ')}, fields.NAME` });
      }
      if (literal !== '') nodes.push({ kind: 'text', text: literal });
      literal = '';
      nodes.push({ kind: 'field', name, position: at });
      at = end + 1;
    } else {
      literal += char;
      at++;
    }
  }
  if (literal !== '') nodes.push({ kind: 'text', text: literal });
  return { nodes, faults };
}

/** The value of field `name` for `data`, or undefined when this record has none. */
export function fieldValue(data: LabelData, name: string): string | undefined {
  if (name.startsWith('fields.')) return data.fields?.[name.slice('fields.'.length)];
  switch (name as LabelFieldName) {
    case 'expiryYYMMDD':
      return data.expiry === undefined ? undefined : `${expiryParts(data.expiry).join('').slice(2)}`;
    case 'expiryDisplay':
      return data.expiry === undefined ? undefined : expiryParts(data.expiry).join('-');
    case 'serial':
    case 'series':
    case 'workOrder':
    case 'partNumber':
    case 'status':
    case 'gtin':
    case 'lot':
    case 'expiry':
    case 'sscc':
    case 'bracketed':
    case 'elementString':
    case 'digitalLink':
    case 'epcUrn':
    case 'generatedAt': {
      const value: unknown = data[name as keyof LabelData];
      return typeof value === 'string' ? value : undefined;
    }
    default:
      return undefined;
  }
}

function expiryParts(expiry: string): [string, string, string] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(expiry);
  if (match === null) throw new SerialtraceError('VALUE_INVALID', { field: 'expiry', reason: `"${expiry}" is not a date YYYY-MM-DD` });
  return [match[1] ?? '', match[2] ?? '', match[3] ?? ''];
}

/**
 * The fields of `nodes` that `data` has no value for, in order of appearance, each once.
 */
export function missingFields(nodes: readonly FieldTemplateNode[], data: LabelData): string[] {
  const missing: string[] = [];
  for (const node of nodes) {
    if (node.kind === 'field' && fieldValue(data, node.name) === undefined && !missing.includes(node.name)) missing.push(node.name);
  }
  return missing;
}

/**
 * The text of `nodes` for `data`; refuses with LABEL_DATA_MISSING naming the first field
 * without a value.
 */
export function fillFieldTemplate(nodes: readonly FieldTemplateNode[], data: LabelData, template: string): string {
  let text = '';
  for (const node of nodes) {
    switch (node.kind) {
      case 'text':
        text += node.text;
        break;
      case 'field': {
        const value = fieldValue(data, node.name);
        if (value === undefined) throw new SerialtraceError('LABEL_DATA_MISSING', { field: node.name, template });
        text += value;
        break;
      }
    }
  }
  return text;
}
