import { checkJsonText, checkText, problem, SerialtraceError, type Problem } from '@serialtrace/core';

export const MAX_REFERENCE_LENGTH = 100;

/**
 * An optional reference (work order, part number, station): trimmed, empty meaning none, no
 * control characters, bounded length. Problems are collected, not thrown.
 */
export function optionalReference(value: unknown, field: string, problems: Problem[]): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') {
    problems.push(problem('VALUE_INVALID', { field, reason: 'it must be text' }));
    return null;
  }
  const text = value.trim();
  if (text === '') return null;
  if (text.length > MAX_REFERENCE_LENGTH) {
    problems.push(problem('VALUE_INVALID', { field, reason: `it is longer than ${MAX_REFERENCE_LENGTH} characters` }));
  }
  checkText(text, 'line', field, problems);
  return text;
}

export const MAX_METADATA_BYTES = 16 * 1024;

/** Free metadata: a JSON object (not an array or a scalar) of bounded size, or nothing. */
export function optionalMetadata(value: unknown, problems: Problem[], field = 'metadata'): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems.push(problem('METADATA_INVALID', { field, reason: 'it must be a JSON object' }));
    return null;
  }
  // Its text first (values may span lines, keys may not), which also bounds its depth before
  // anything recurses into it.
  const before = problems.length;
  checkJsonText(value, () => 'multiline', problems, field);
  if (problems.length > before) return null;
  const size = jsonBytes(value);
  if (size > MAX_METADATA_BYTES) {
    problems.push(problem('METADATA_TOO_LARGE', { field, reason: `it is ${size} bytes; at most ${MAX_METADATA_BYTES} are allowed per record`, bytes: size, limit: MAX_METADATA_BYTES }));
  }
  return value as Record<string, unknown>;
}

/** The size of a value as stored: its JSON text in UTF-8. */
export function jsonBytes(value: unknown): number {
  return value === null || value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** Parses metadata given as JSON text (CLI flags); malformed text is METADATA_INVALID. */
export function parseMetadataText(text: string, field = 'metadata'): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new SerialtraceError('METADATA_INVALID', { field, reason: `it is not valid JSON (${(error as Error).message})` });
  }
}
