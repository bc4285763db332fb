import type { Problem } from '../errors/serialtrace-error.js';

/**
 * Date and time tokens. `GGGG`/`GG` are the ISO week-numbering year, the year that `{WW}`
 * belongs to (2024-12-30 is week 01 of 2025).
 */
export const DATE_TOKENS = ['YYYY', 'YY', 'MM', 'DD', 'JJJ', 'WW', 'GGGG', 'GG', 'HH', 'NN', 'SS'] as const;
export type DateToken = (typeof DATE_TOKENS)[number];

/** Tokens whose value comes with each request (or, for SHIFT, from the shift calendar). */
export const CONTEXT_TOKENS = ['SHIFT', 'LINE', 'PLANT', 'BATCH', 'PART'] as const;
export type ContextToken = (typeof CONTEXT_TOKENS)[number];

export const TOKEN_DESCRIPTIONS: Readonly<Record<DateToken | ContextToken | 'SEQUENCE' | '####', string>> = {
  YYYY: 'Year, 4 digits',
  YY: 'Year, 2 digits',
  MM: 'Month, 01-12',
  DD: 'Day of the month, 01-31',
  JJJ: 'Day of the year, 001-366',
  WW: 'ISO-8601 week, 01-53',
  GGGG: 'ISO week-numbering year, 4 digits (use with {WW})',
  GG: 'ISO week-numbering year, 2 digits (use with {WW})',
  HH: 'Hour, 00-23',
  NN: 'Minute, 00-59',
  SS: 'Second, 00-59',
  SHIFT: 'Shift label, from the shift calendar or the request',
  LINE: 'Production line, from the request',
  PLANT: 'Plant or site code, from the request',
  BATCH: 'Batch identifier, from the request',
  PART: 'Part number, from the request',
  SEQUENCE: 'The sequence, padded to the minimum length',
  '####': 'The sequence, padded to the number of # (or the minimum length, if larger)',
};

interface NodeBase {
  /** Zero-based offset of the node in the format text. */
  readonly position: number;
  /** Characters the node spans in the format text, braces included. */
  readonly length: number;
}

export interface LiteralNode extends NodeBase {
  readonly kind: 'literal';
  readonly text: string;
}

export interface DateNode extends NodeBase {
  readonly kind: 'date';
  readonly token: DateToken;
}

export interface SequenceNode extends NodeBase {
  readonly kind: 'sequence';
  /** Number of `#` in `{###}`; 0 for `{SEQUENCE}`, which pads to the minimum length. */
  readonly hashes: number;
}

export interface ContextNode extends NodeBase {
  readonly kind: 'context';
  readonly token: ContextToken;
}

export type FormatNode = LiteralNode | DateNode | SequenceNode | ContextNode;

/** A format parsed once: its nodes in order, and the syntax problems found on the way. */
export interface ParsedFormat {
  readonly source: string;
  readonly nodes: readonly FormatNode[];
  readonly problems: readonly Problem[];
}

export function dateTokensOf(format: ParsedFormat): ReadonlySet<DateToken> {
  return new Set(format.nodes.flatMap((n) => (n.kind === 'date' ? [n.token] : [])));
}

export function contextTokensOf(format: ParsedFormat): readonly ContextToken[] {
  return [...new Set(format.nodes.flatMap((n) => (n.kind === 'context' ? [n.token] : [])))];
}

export function sequenceNodesOf(format: ParsedFormat): readonly SequenceNode[] {
  return format.nodes.filter((n): n is SequenceNode => n.kind === 'sequence');
}
