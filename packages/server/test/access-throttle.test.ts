import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULTS } from '@serialtrace/server';
import { expectProblem, openApp, USER_PASSWORD, type Answer, type TestApp } from './helper.js';

/**
 * Guessing passwords is slowed per account and per client address, by the sign-in itself: one
 * account's failures slow that account, not the colleagues who share its address; an address that
 * fails for many accounts (a spray) is slowed as a whole; behind a trusted proxy the address is the
 * client's. Each test signs in from addresses of its own (TEST-NET, never reached: inject).
 */

let t: TestApp;
beforeAll(async () => {
  t = await openApp();
  for (const name of ['alice', 'bob', 'carol', 'dora', 'erin', 'finn']) await t.user('viewer', { username: name });
});
afterAll(async () => {
  await t.close();
});

async function login(app: FastifyInstance, username: string, password: string, from: { address: string; forwardedFor?: string }): Promise<Answer> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: from.address,
    headers: from.forwardedFor === undefined ? {} : { 'x-forwarded-for': from.forwardedFor },
    payload: { username, password },
  });
  return { status: response.statusCode, headers: response.headers, body: response.body, json: response.json() };
}

describe('login throttling', () => {
  it('slows the account that 30 wrong passwords were tried for, not a colleague at the same address', async () => {
    // The general rate limit as it is in production; it must not be what stops sign-ins.
    const production = await t.variant({ config: { rateLimitPerMinute: DEFAULTS.rateLimitPerMinute }, ownStore: true });
    const office = { address: '192.0.2.10' };
    const codes = new Set<string>();
    for (let i = 0; i < 30; i++) codes.add((await login(production.app, 'alice', `wrong-password-${i}`, office)).json.code);
    expect([...codes].sort()).toEqual(['CREDENTIALS_INVALID', 'RATE_LIMITED']);

    // Alice's account waits, even with the right password...
    const alice = await login(production.app, 'alice', USER_PASSWORD, office);
    const refused = expectProblem(alice, 429, 'RATE_LIMITED');
    expect(Number(alice.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBe(Number(alice.headers['retry-after']));
    // ...her colleague at the same address does not.
    expect((await login(production.app, 'bob', USER_PASSWORD, office)).status).toBe(200);
  });

  it('keeps throttling sign-in when the general rate limit is off', async () => {
    const unlimited = await t.variant({ config: { rateLimitPerMinute: 0 }, ownStore: true });
    const from = { address: '192.0.2.20' };
    // Five failures are free; then the account waits, the right password or not.
    for (let i = 0; i < 5; i++) expectProblem(await login(unlimited.app, 'carol', `wrong-password-${i}`, from), 401, 'CREDENTIALS_INVALID');
    expectProblem(await login(unlimited.app, 'carol', USER_PASSWORD, from), 429, 'RATE_LIMITED');
  });

  it('slows an address that fails for many accounts, and only that address', async () => {
    const app = (await t.variant({ ownStore: true })).app;
    const sprayer = { address: '198.51.100.7' };
    let refused = 0;
    for (let i = 0; i < 32; i++) {
      const answer = await login(app, `guess-${i}`, 'Summer-is-here-1', sprayer);
      if (answer.status === 429) refused += 1;
      else expectProblem(answer, 401, 'CREDENTIALS_INVALID');
    }
    expect(refused).toBeGreaterThan(0);
    expectProblem(await login(app, 'dora', USER_PASSWORD, sprayer), 429, 'RATE_LIMITED');
    expect((await login(app, 'dora', USER_PASSWORD, { address: '198.51.100.8' })).status).toBe(200);
  });

  it('takes the client address from X-Forwarded-For only when the proxy is trusted', async () => {
    const proxy = '10.1.2.3';
    const behind = (client: string) => ({ address: proxy, forwardedFor: client });
    const trusting = (await t.variant({ config: { trustProxy: [proxy] }, ownStore: true })).app;
    for (let i = 0; i < 31; i++) await login(trusting, `spray-${i}`, 'Summer-is-here-1', behind('203.0.113.66'));
    expectProblem(await login(trusting, 'erin', USER_PASSWORD, behind('203.0.113.66')), 429, 'RATE_LIMITED');
    // Another client behind the same proxy is not slowed by the sprayer.
    expect((await login(trusting, 'erin', USER_PASSWORD, behind('203.0.113.67'))).status).toBe(200);
  });

  it('ignores X-Forwarded-For from a proxy not trusted: a sprayer cannot change its address', async () => {
    const untrusting = (await t.variant({ ownStore: true })).app;
    for (let i = 0; i < 31; i++) await login(untrusting, `spray-${i}`, 'Summer-is-here-1', { address: '203.0.113.99', forwardedFor: `203.0.113.${i}` });
    expectProblem(await login(untrusting, 'finn', USER_PASSWORD, { address: '203.0.113.99', forwardedFor: '203.0.113.200' }), 429, 'RATE_LIMITED');
  });
});
