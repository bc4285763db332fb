import { SerialtraceError } from '@serialtrace/core';
import { ACCOUNT_RULE, LoginThrottle } from '@serialtrace/service';
import { describe, expect, it } from 'vitest';

function waitOf(attempt: () => unknown): number | undefined {
  try {
    attempt();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(SerialtraceError);
    expect((error as SerialtraceError).code).toBe('RATE_LIMITED');
    return (error as SerialtraceError).details['retryAfterSeconds'] as number;
  }
}

describe('LoginThrottle', () => {
  it('lets an account fail five times, then doubles its wait up to a minute, and forgets after 15 minutes', () => {
    let ms = 0;
    const throttle = new LoginThrottle({ monotonicMs: () => ms });
    const fail = () => throttle.begin({ username: 'alice' }).end(true);
    for (let i = 0; i < 5; i++) fail();
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      const wait = waitOf(() => throttle.begin({ username: 'alice' }))!;
      waits.push(wait);
      ms += wait * 1000;
      fail();
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60, 60]);
    // Another account, and the same name in a named company, are apart.
    expect(waitOf(() => throttle.begin({ username: 'bob' }).end(false))).toBeUndefined();
    expect(waitOf(() => throttle.begin({ username: 'alice', company: 'Acme' }).end(false))).toBeUndefined();
    // A refused attempt does not make the wait longer; the owner waits at most a minute.
    expect(waitOf(() => throttle.begin({ username: 'alice' }))).toBe(60);
    ms += 59_000;
    expect(waitOf(() => throttle.begin({ username: 'alice' }))).toBe(1);
    ms += 1000;
    throttle.begin({ username: 'alice' }).end(false);
    ms += ACCOUNT_RULE.forgetAfterMs + 1;
    for (let i = 0; i < 5; i++) fail();
    expect(waitOf(() => throttle.begin({ username: 'alice' }))).toBe(1);
  });

  it('counts attempts still being checked, so parallel guesses cannot pass the free ones', () => {
    const throttle = new LoginThrottle({ monotonicMs: () => 0 });
    const started = Array.from({ length: 5 }, () => throttle.begin({ username: 'carol', address: '192.0.2.1' }));
    expect(waitOf(() => throttle.begin({ username: 'carol', address: '192.0.2.1' }))).toBe(1);
    for (const attempt of started) attempt.end(false);
    expect(waitOf(() => throttle.begin({ username: 'carol', address: '192.0.2.1' }).end(false))).toBeUndefined();
  });

  it('slows an address after 30 failures over any accounts, and other addresses not', () => {
    const throttle = new LoginThrottle({ monotonicMs: () => 0 });
    for (let i = 0; i < 30; i++) throttle.begin({ username: `user-${i}`, address: '198.51.100.1' }).end(true);
    expect(waitOf(() => throttle.begin({ username: 'dora', address: '198.51.100.1' }))).toBe(1);
    expect(waitOf(() => throttle.begin({ username: 'dora', address: '198.51.100.2' }).end(false))).toBeUndefined();
  });
});
