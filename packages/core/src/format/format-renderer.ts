import { encodeSequence, type Base } from '../encoding/base-encoding.js';
import { dayOfYear, isoWeek, pad } from '../time/civil-date.js';
import type { LocalDateTime } from '../time/zoned-time.js';
import type { ContextToken, DateToken, ParsedFormat, SequenceNode } from './format-node.js';

/** Width a sequence node pads to: `{SEQUENCE}` the minimum length, `{###}` the larger of both. */
export function sequenceWidth(node: SequenceNode, minLength: number): number {
  return Math.max(node.hashes, minLength);
}

export function renderDateToken(token: DateToken, local: LocalDateTime): string {
  switch (token) {
    case 'YYYY':
      return pad(local.year, 4);
    case 'YY':
      return pad(((local.year % 100) + 100) % 100, 2);
    case 'MM':
      return pad(local.month, 2);
    case 'DD':
      return pad(local.day, 2);
    case 'JJJ':
      return pad(dayOfYear(local), 3);
    case 'WW':
      return pad(isoWeek(local).week, 2);
    case 'GGGG':
      return pad(isoWeek(local).weekYear, 4);
    case 'GG':
      return pad(((isoWeek(local).weekYear % 100) + 100) % 100, 2);
    case 'HH':
      return pad(local.hour, 2);
    case 'NN':
      return pad(local.minute, 2);
    case 'SS':
      return pad(local.second, 2);
  }
}

/** What stays the same for every serial of one request. */
export interface RenderFrame {
  readonly local: LocalDateTime;
  /** Context token values, already resolved (see `resolveContext`). */
  readonly context: Readonly<Partial<Record<ContextToken, string>>>;
  readonly base: Base;
  readonly minLength: number;
  /** How to show a context token with no value: an error is raised before rendering, so only previews use this. */
  readonly missing?: (token: ContextToken) => string;
}

/**
 * Turns a parsed format and the parts fixed for one request into a function of the sequence
 * value alone: date and context tokens are rendered once, so a batch of 10,000 costs one
 * encoding and one concatenation per serial.
 *
 * @example compileRenderer(parseFormat('LOT-{YY}{MM}-{####}'), frame)(42n) === 'LOT-2506-0042'
 */
export function compileRenderer(format: ParsedFormat, frame: RenderFrame): (value: bigint) => string {
  // Alternating fixed text and sequence widths: fixed[0] w[0] fixed[1] w[1] ... fixed[n].
  const fixed: string[] = [''];
  const widths: number[] = [];
  const append = (text: string) => {
    fixed[fixed.length - 1] += text;
  };
  for (const node of format.nodes) {
    switch (node.kind) {
      case 'literal':
        append(node.text);
        break;
      case 'date':
        append(renderDateToken(node.token, frame.local));
        break;
      case 'context': {
        const value = frame.context[node.token];
        append(value ?? frame.missing?.(node.token) ?? `{${node.token}}`);
        break;
      }
      case 'sequence':
        widths.push(sequenceWidth(node, frame.minLength));
        fixed.push('');
        break;
    }
  }
  const { base } = frame;
  if (widths.length === 1) {
    const [head, tail] = fixed as [string, string];
    const width = widths[0]!;
    return (value) => head + encodeSequence(value, base, width) + tail;
  }
  return (value) => {
    let out = fixed[0]!;
    for (let i = 0; i < widths.length; i++) out += encodeSequence(value, base, widths[i]!) + fixed[i + 1]!;
    return out;
  };
}
