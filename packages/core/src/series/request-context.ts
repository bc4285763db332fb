import { problem, SerialtraceError, type Problem } from '../errors/serialtrace-error.js';
import { CONTEXT_TOKENS, type ContextToken } from '../format/format-node.js';
import { shiftAt } from '../time/shift-calendar.js';
import type { LocalDateTime } from '../time/zoned-time.js';
import type { SeriesPlan } from './series-settings.js';
import { textProblem } from '../text/text-policy.js';

export const MAX_CONTEXT_VALUE_LENGTH = 64;
export const MAX_CONTEXT_KEYS = 32;

/**
 * Validates a request's context: keys are upper-cased (`line` and `LINE` are one key), values are
 * non-empty text without control characters. Keys beyond the five tokens are kept as data.
 */
export function normalizeContext(context: unknown): Record<string, string> {
  if (context === undefined || context === null) return {};
  if (typeof context !== 'object' || Array.isArray(context)) {
    throw new SerialtraceError('CONTEXT_INVALID', { field: 'context', reason: 'it must be an object of names and values' });
  }
  const problems: Problem[] = [];
  const out: Record<string, string> = {};
  const entries = Object.entries(context as Record<string, unknown>);
  if (entries.length > MAX_CONTEXT_KEYS) {
    problems.push(problem('CONTEXT_INVALID', { field: 'context', reason: `at most ${MAX_CONTEXT_KEYS} entries` }));
  }
  for (const [rawKey, rawValue] of entries) {
    const key = rawKey.trim().toUpperCase();
    const field = `context.${key}`;
    if (!/^[A-Z][A-Z0-9_]{0,31}$/.test(key)) {
      problems.push(problem('CONTEXT_INVALID', { field: `context.${rawKey}`, reason: 'names are letters, digits and _ starting with a letter' }));
      continue;
    }
    if (key in out) {
      problems.push(problem('CONTEXT_INVALID', { field, reason: 'given twice' }));
      continue;
    }
    const value = typeof rawValue === 'number' && Number.isFinite(rawValue) ? String(rawValue) : rawValue;
    if (typeof value !== 'string') {
      problems.push(problem('CONTEXT_INVALID', { field, reason: 'the value must be text' }));
      continue;
    }
    if (value === '') problems.push(problem('CONTEXT_INVALID', { field, reason: 'the value is empty' }));
    else if (value.length > MAX_CONTEXT_VALUE_LENGTH) {
      problems.push(problem('CONTEXT_INVALID', { field, reason: `the value is longer than ${MAX_CONTEXT_VALUE_LENGTH} characters` }));
    } else {
      const bad = textProblem(value, 'line');
      if (bad === undefined) out[key] = value;
      else problems.push(problem('CONTEXT_INVALID', { field, reason: `the value: ${bad}` }));
    }
  }
  if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
  return out;
}

/**
 * The values the format's context tokens print for one request. `{PART}` falls back to the
 * request's part number; `{SHIFT}` comes from the shift calendar when the series has one, and a
 * request that names a different shift is refused rather than silently overridden. Every missing
 * token is named at once, and nothing has been consumed when this throws.
 *
 * @param placeholders leave missing tokens out instead of refusing (previews)
 */
export function resolveContext(
  plan: SeriesPlan,
  local: LocalDateTime,
  request: { readonly context: Readonly<Record<string, string>>; readonly partNumber?: string | null | undefined },
  placeholders = false,
): Partial<Record<ContextToken, string>> {
  const values: Partial<Record<ContextToken, string>> = {};
  for (const token of CONTEXT_TOKENS) {
    const given = request.context[token];
    if (given !== undefined) values[token] = given;
  }
  if (values.PART === undefined && request.partNumber) values.PART = request.partNumber;
  if (plan.shiftFromCalendar) {
    const label = shiftAt(plan.calendar, local).shift.label;
    if (values.SHIFT !== undefined && values.SHIFT !== label && !placeholders) {
      throw new SerialtraceError('CONTEXT_INVALID', {
        field: 'context.SHIFT',
        reason: `the series' shift calendar says shift ${label} is running, not ${values.SHIFT}`,
      });
    }
    values.SHIFT = label;
  }
  const missing = plan.contextTokens.filter((token) => values[token] === undefined);
  if (missing.length > 0 && !placeholders) {
    const first = plan.format.nodes.find((n) => n.kind === 'context' && n.token === missing[0])!;
    throw new SerialtraceError('CONTEXT_MISSING', {
      field: `context.${missing[0]!}`,
      tokens: missing.map((t) => `{${t}}`),
      them: missing.length === 1 ? 'it' : 'them',
      missing,
      position: first.position,
    });
  }
  return values;
}
