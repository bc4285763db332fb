import { problem, type Problem } from '@serialtrace/core';

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 1000;

/**
 * Checks a password someone chooses or is given; a refusal is a VALUE_INVALID problem on `field`
 * whose reason says what to change.
 */
export function checkPassword(password: unknown, problems: Problem[], field = 'password'): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    problems.push(problem('VALUE_INVALID', { field, reason: `a password needs at least ${MIN_PASSWORD_LENGTH} characters` }));
    return '';
  }
  return password;
}
