import { AI_TABLE } from './ai-table.generated.js';

/**
 * Character sets of AI values: N digits, X the 82 characters of GS1 CSET 82, Y the 39 of
 * CSET 39, Z the 64 of base64url (CSET 64, with `=` padding).
 */
export type Gs1CharSet = 'N' | 'X' | 'Y' | 'Z';

/**
 * One part of an AI's value, as the syntax dictionary writes it (`N6,yymmd0` is six digits
 * checked by the `yymmd0` linter). Only the last component may vary in length.
 */
export interface AiComponent {
  readonly charSet: Gs1CharSet;
  readonly min: number;
  readonly max: number;
  /** Optional components (`[N3]`) may be left out once the value is used up. */
  readonly optional: boolean;
  /** Names of GS1 syntax tests ("linters") the component must pass: csum, yymmd0, iso3166, ... */
  readonly linters: readonly string[];
}

/**
 * One application identifier of the GS1 Barcode Syntax Dictionary.
 *
 * @example
 * { ai: '17', title: 'USE BY or EXPIRY', predefinedLength: true, dlDataAttribute: true,
 *   components: [{ charSet: 'N', min: 6, max: 6, optional: false, linters: ['yymmd0'] }],
 *   requires: [[['01'], ['02'], ['03'], ['255'], ['8006'], ['8026']]], excludes: [],
 *   dlPrimaryKey: false, dlQualifiers: [] }
 */
export interface AiEntry {
  readonly ai: string;
  readonly title: string;
  /** Flag `*`: the AI's length is predefined, so no FNC1 separator follows its value. */
  readonly predefinedLength: boolean;
  /** Flag `?`: the AI may be a data attribute (query parameter) of a GS1 Digital Link URI. */
  readonly dlDataAttribute: boolean;
  readonly components: readonly AiComponent[];
  /**
   * Each `req=` of the dictionary: one of its alternatives must be present, an alternative
   * being AIs that must all be present (`01+21`). Patterns such as `31nn` match any digit at `n`.
   */
  readonly requires: readonly (readonly (readonly string[])[])[];
  /** AIs or patterns (`310n`) that must not appear with this one (`ex=`). */
  readonly excludes: readonly string[];
  /** `dlpkey`: a GS1 Digital Link primary key. */
  readonly dlPrimaryKey: boolean;
  /** Alternative ordered sequences of key qualifiers (`dlpkey=22,10,21|235`); empty when none. */
  readonly dlQualifiers: readonly (readonly string[])[];
}

/**
 * The characters each set allows, per the GS1 General Specifications: CSET 82 (figure 7.11-1),
 * CSET 39 (7.11-2) and CSET 64, the file-safe base64 alphabet with `=` for padding (7.11-3).
 */
export const GS1_CHARSETS: Readonly<Record<Gs1CharSet, string>> = {
  N: '0123456789',
  X: '!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz',
  Y: '#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  Z: '-0123456789=ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz',
};

/** The first character of `text` outside `charSet`, with its index, or undefined when all fit. */
export function firstCharOutside(text: string, charSet: Gs1CharSet): { char: string; index: number } | undefined {
  const allowed = GS1_CHARSETS[charSet];
  for (let index = 0; index < text.length; index++) {
    const char = text.charAt(index);
    if (!allowed.includes(char)) return { char, index };
  }
  return undefined;
}

const BY_AI: ReadonlyMap<string, AiEntry> = new Map(AI_TABLE.map((entry) => [entry.ai, entry]));

/** The dictionary entry of `ai`, or undefined for an AI the dictionary does not define. */
export function aiEntry(ai: string): AiEntry | undefined {
  return BY_AI.get(ai);
}

/** Every AI of the dictionary, in lexical order. */
export function aiEntries(): readonly AiEntry[] {
  return AI_TABLE;
}

/** The value length of an AI whose components are all of fixed length, or undefined. */
export function aiFixedLength(entry: AiEntry): number | undefined {
  let length = 0;
  for (const component of entry.components) {
    if (component.optional || component.min !== component.max) return undefined;
    length += component.max;
  }
  return length;
}

/** Whether `ai` matches a dictionary pattern such as `31nn` (`n` stands for any digit). */
export function aiMatchesPattern(ai: string, pattern: string): boolean {
  if (ai.length !== pattern.length) return false;
  for (let i = 0; i < ai.length; i++) {
    if (pattern[i] !== 'n' && pattern[i] !== ai[i]) return false;
  }
  return true;
}
