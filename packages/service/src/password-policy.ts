import { readFileSync } from 'node:fs';
import { problem, type Problem } from '@serialtrace/core';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1000;
/** Fewer different characters than this is a pattern, not a password (`aaaaaaaaaa`, `abababababab`). */
const MIN_DIFFERENT_CHARACTERS = 5;
/** What a password that holds the username must have besides it, digits and symbols at its ends aside. */
const MIN_BESIDES_USERNAME = 6;

let common: ReadonlySet<string> | undefined;

/**
 * The 10,000 most common passwords, lowercased (data/common-passwords.txt, written by
 * scripts/common-passwords.mjs), read on the first check.
 */
function commonPasswords(): ReadonlySet<string> {
  if (common === undefined) {
    const text = readFileSync(new URL('../data/common-passwords.txt', import.meta.url), 'utf8');
    common = new Set(text.split('\n').filter((line) => line !== '' && !line.startsWith('#')));
  }
  return common;
}

/** The letters in the middle: `Password2024!` → `password`, the word people pad to pass a length rule. */
function core(lowercased: string): string {
  return lowercased.replace(/^[\d\W_]+|[\d\W_]+$/gu, '');
}

function isCommon(lowercased: string): boolean {
  const list = commonPasswords();
  return list.has(lowercased) || list.has(core(lowercased));
}

/**
 * Why a password is too weak to set, or undefined when it will do. Besides its length, a
 * password is refused when it is one of the most common ones (also with digits or symbols only
 * added before or after, as in `Password2024!`), when it repeats too few different characters,
 * and when it is little more than the username (NIST SP 800-63B, 5.1.1.2).
 */
export function passwordWeakness(password: string, username?: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `a password has at most ${MAX_PASSWORD_LENGTH} characters`;
  if (new Set(password).size < MIN_DIFFERENT_CHARACTERS) return `it uses fewer than ${MIN_DIFFERENT_CHARACTERS} different characters`;
  const lowercased = password.toLowerCase();
  if (isCommon(lowercased)) return 'it is one of the most commonly used passwords; choose words of your own';
  const name = username?.toLowerCase() ?? '';
  if (name.length >= 3 && lowercased.includes(name)) {
    const rest = lowercased.split(name).join('');
    if (core(rest).length < MIN_BESIDES_USERNAME || isCommon(rest)) return 'it is little more than the username';
  }
  return undefined;
}

/**
 * Checks a password someone chooses or is given, for the user named `username` when known; a
 * refusal is a VALUE_INVALID problem on `field` whose reason says what to change.
 */
export function checkPassword(password: unknown, problems: Problem[], field = 'password', username?: string): string {
  const reason = typeof password === 'string' ? passwordWeakness(password, username) : `a password needs at least ${MIN_PASSWORD_LENGTH} characters`;
  if (reason !== undefined) {
    problems.push(problem('VALUE_INVALID', { field, reason }));
    return '';
  }
  return password as string;
}
