import { describe, expect, it } from 'vitest';
import { passwordWeakness } from '../src/password-policy.js';

describe('passwordWeakness', () => {
  it('accepts passwords of words of one\'s own, the username among them', () => {
    for (const [password, username] of [
      ['correct-horse-battery', 'alice'],
      ['alice-loves-her-garden', 'alice'],
      ['Tr0ub4dor&3x', 'bob'],
      ['kühlschrank-mit-eis', 'jo'],
    ] as const) {
      expect(passwordWeakness(password, username), password).toBeUndefined();
    }
  });

  it('refuses the most common passwords, also padded with digits or symbols', () => {
    for (const password of ['1234567890', 'password123', 'Password2024!', '!!sunshine!!', 'QWERTYUIOP', 'iloveyou12345']) {
      expect(passwordWeakness(password), password).toMatch(/commonly used/);
    }
  });

  it('refuses what is little more than the username, in any case', () => {
    for (const [password, username] of [
      ['jdoe.ops2024!!', 'jdoe.ops'],
      ['ALICE.SMITH.1980', 'alice.smith'],
      ['operator-password', 'operator'],
    ] as const) {
      expect(passwordWeakness(password, username), password).toMatch(/username/);
    }
  });

  it('refuses short, overlong and repetitive passwords', () => {
    expect(passwordWeakness('short-1')).toMatch(/at least 10/);
    expect(passwordWeakness('x'.repeat(999) + 'yz')).toMatch(/at most 1000/);
    expect(passwordWeakness('abababababab')).toMatch(/different characters/);
  });
});
