import { problem, type Problem } from '../errors/serialtrace-error.js';

/**
 * The one text policy of every interface (JSON bodies, headers, query strings, path parameters,
 * command-line arguments): text is well-formed Unicode, and holds control characters only where
 * a line break belongs.
 *
 * - `line`: names, references, reasons, identifiers. No C0 or C1 control character (U+0000 to
 *   U+001F, U+007F to U+009F) and no line or paragraph separator (U+2028, U+2029).
 * - `multiline`: free text (a script's source, a description, free metadata values). TAB, LF
 *   and CR are allowed; every other control character is not.
 * - `gs1`: a scanned GS1 code, one line in which the group separator (GS, U+001D) ends a
 *   variable-length element string.
 *
 * Both refuse lone UTF-16 surrogates (which no storage engine keeps as they are: SQLite writes a
 * replacement character, so a hash taken before storing would no longer match what is stored),
 * NUL (PostgreSQL cannot store it) and the noncharacters U+FFFE and U+FFFF.
 *
 * @example textProblem('Line 3', 'line') // undefined
 * @example textProblem('x \ud800', 'line') // 'it is not well-formed Unicode (a lone surrogate at character 3)'
 */
export type TextKind = 'line' | 'multiline' | 'gs1';

/** How deep a JSON value may nest (objects and arrays), at every interface. */
export const MAX_JSON_DEPTH = 32;

// One scan finds the first character of concern; the reason is worked out only then.
const LINE_BAD = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff\ud800-\udfff]/;
const MULTILINE_BAD = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff\ud800-\udfff]/;
const GS1_BAD = /[\u0000-\u001c\u001e\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff\ud800-\udfff]/;
const BAD: Readonly<Record<TextKind, RegExp>> = { line: LINE_BAD, multiline: MULTILINE_BAD, gs1: GS1_BAD };

/** Why `text` breaks the policy for its kind, or undefined when it does not. */
export function textProblem(text: string, kind: TextKind): string | undefined {
  const bad = BAD[kind];
  if (!bad.test(text)) return undefined;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 1;
        continue;
      }
      return `it is not well-formed Unicode (a lone surrogate at character ${i + 1})`;
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) return `it is not well-formed Unicode (a lone surrogate at character ${i + 1})`;
    const char = text[i]!;
    if (!bad.test(char)) continue;
    const code = `U+${unit.toString(16).toUpperCase().padStart(4, '0')}`;
    if (unit === 0) return `it contains NUL (U+0000) at character ${i + 1}`;
    if (unit === 0xfffe || unit === 0xffff) return `it contains the noncharacter ${code} at character ${i + 1}`;
    if (unit === 0x2028 || unit === 0x2029) return `it contains a line break (${code}) at character ${i + 1}, and it must be one line`;
    if (unit === 0x09 || unit === 0x0a || unit === 0x0d) {
      return `it contains a ${unit === 0x09 ? 'tab' : 'line break'} (${code}) at character ${i + 1}, and it must be one line`;
    }
    return `it contains the control character ${code} at character ${i + 1}`;
  }
  return undefined;
}

/** Adds a VALUE_INVALID problem naming `field` when `text` breaks the policy; answers whether it held. */
export function checkText(text: string, kind: TextKind, field: string, problems: Problem[]): boolean {
  const reason = textProblem(text, kind);
  if (reason === undefined) return true;
  problems.push(problem('VALUE_INVALID', { field, reason }));
  return false;
}

/** Problems one JSON value reports at most: enough to mend a request, not enough to flood an answer. */
export const MAX_TEXT_PROBLEMS = 50;

/**
 * Which kind of text each string of a JSON value is, by its place: `kinds(path)` answers for a
 * value at `path` (keys and indexes from the root). Keys are always `line` text.
 */
export type TextKindAt = (path: readonly (string | number)[]) => TextKind;

/**
 * Checks every string of a parsed JSON value (keys included) and its depth, collecting every
 * problem with its field (`metadata.notes`, `items.3.name`). Iterative, so a value nested
 * thousands deep is refused rather than overflowing the stack. At most {@link MAX_TEXT_PROBLEMS}
 * problems are added. `at` names the value itself when it is a field of something larger.
 *
 * @example
 * const problems: Problem[] = [];
 * checkJsonText({ reason: 'ok', metadata: { note: 'a\nb' } }, () => 'multiline', problems);
 */
export function checkJsonText(value: unknown, kindAt: TextKindAt, problems: Problem[], at = ''): void {
  const stack: { value: unknown; path: (string | number)[]; depth: number }[] = [{ value, path: [], depth: 0 }];
  // Fields are named by their path under `at` (`metadata.notes`), the value itself by `at`.
  const field = (path: readonly (string | number)[]) => [at, ...path].filter((p) => p !== '').join('.') || 'value';
  const limit = problems.length + MAX_TEXT_PROBLEMS;
  while (stack.length > 0 && problems.length < limit) {
    const { value: item, path, depth } = stack.pop()!;
    if (typeof item === 'string') {
      checkText(item, kindAt(path), field(path), problems);
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) {
      problems.push(problem('VALUE_INVALID', { field: field(path), reason: `it nests deeper than ${MAX_JSON_DEPTH} levels of objects and arrays` }));
      continue;
    }
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push({ value: item[i], path: [...path, i], depth: depth + 1 });
      continue;
    }
    const entries = Object.entries(item as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const keyProblem = textProblem(key, 'line');
      if (keyProblem !== undefined) problems.push(problem('VALUE_INVALID', { field: field([...path, key]), reason: `its name: ${keyProblem}` }));
      stack.push({ value: child, path: [...path, key], depth: depth + 1 });
    }
  }
}
