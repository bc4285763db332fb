import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, expectProblem, openApp, USER_PASSWORD, type Credentials, type TestApp } from './helper.js';

/** Signing in and out, passwords, users and API keys over HTTP. */

let t: TestApp;
beforeAll(async () => {
  t = await openApp();
});
afterAll(async () => {
  await t.close();
});

const cookieOf = (answer: { headers: Record<string, unknown> }): string => {
  const header = answer.headers['set-cookie'];
  return String(Array.isArray(header) ? header[0] : header);
};
const sessionHeaders = (setCookie: string): Credentials => ({ label: 'cookie', headers: { cookie: setCookie.split(';')[0]! } });

describe('sessions', () => {
  it('login sets an HttpOnly, SameSite=Strict cookie lasting the session, and the cookie authenticates', async () => {
    const answer = await t.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      identity: { kind: 'user', id: '1', name: 'admin', role: 'admin', companyId: 1, company: 'default', systemAdmin: true, actor: 'user:admin' },
      expiresAt: '2025-06-15T22:00:00.000Z',
      mustChangePassword: false,
    });
    const cookie = cookieOf(answer);
    expect(cookie).toMatch(/^serialtrace_session=[A-Za-z0-9_-]{43}; /);
    const attributes = cookie.split('; ').slice(1);
    expect(attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/', 'Max-Age=43200']));
    expect(attributes).not.toContain('Secure');
    // The token is only in the cookie, never in the body a script could read.
    expect(answer.body).not.toContain(cookie.split(';')[0]!.split('=')[1]);

    const me = await t.call('GET', '/api/v1/auth/me', { as: sessionHeaders(cookie) });
    expect(me.json).toMatchObject({ kind: 'user', name: 'admin', actor: 'user:admin' });
  });

  it('marks the cookie Secure when the server is configured for HTTPS', async () => {
    const https = await t.variant({ config: { secureCookies: true } });
    const answer = await https.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(cookieOf(answer).split('; ')).toContain('Secure');
  });

  it('refuses a wrong password and an unknown user alike with 401 CREDENTIALS_INVALID, and sets no cookie', async () => {
    const wrong = await t.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'not-the-password' } });
    const unknown = await t.call('POST', '/api/v1/auth/login', { body: { username: 'mallory', password: 'not-the-password' } });
    expectProblem(wrong, 401, 'CREDENTIALS_INVALID');
    expectProblem(unknown, 401, 'CREDENTIALS_INVALID');
    expect(wrong.json.detail).toBe(unknown.json.detail);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('logout ends the session: the cookie is cleared and the old token refused', async () => {
    const session = await t.session('admin', ADMIN_PASSWORD);
    const answer = await t.call('POST', '/api/v1/auth/logout', { as: session });
    expect(answer.status).toBe(204);
    expect(answer.body).toBe('');
    expect(cookieOf(answer)).toMatch(/^serialtrace_session=; .*Max-Age=0/);
    expectProblem(await t.call('GET', '/api/v1/auth/me', { as: session }), 401, 'UNAUTHENTICATED');
  });

  it('a session expires after its length', async () => {
    const session = await t.session('admin', ADMIN_PASSWORD);
    try {
      t.clock.advance(12 * 3_600_000 - 1000);
      expect((await t.call('GET', '/api/v1/auth/me', { as: session })).status).toBe(200);
      t.clock.advance(1000);
      expect(expectProblem(await t.call('GET', '/api/v1/auth/me', { as: session }), 401, 'UNAUTHENTICATED').detail).toContain('expired');
    } finally {
      t.clock.set('2025-06-15T10:00:00Z');
    }
  });

  it('changes the signed-in user\'s password', async () => {
    const user = await t.user('viewer', { username: 'pat' });
    const change = (currentPassword: string, newPassword: string, as: Credentials = user) =>
      t.call('POST', '/api/v1/auth/password', { as, body: { currentPassword, newPassword } });
    // A wrong current password is a bad value, not a lost sign-in: the session still works after it.
    expect(expectProblem(await change('wrong-password', 'another-password-1'), 422, 'VALUE_INVALID')).toMatchObject({ field: 'currentPassword' });
    expect((await t.call('GET', '/api/v1/auth/me', { as: user })).status).toBe(200);
    expect(expectProblem(await change(USER_PASSWORD, 'short'), 422, 'VALUE_INVALID')).toMatchObject({ field: 'newPassword' });
    expect((await change(USER_PASSWORD, 'another-password-1')).status).toBe(204);
    expect((await t.call('POST', '/api/v1/auth/login', { body: { username: 'pat', password: 'another-password-1' } })).json.mustChangePassword).toBe(false);
    expectProblem(await t.call('POST', '/api/v1/auth/login', { body: { username: 'pat', password: USER_PASSWORD } }), 401, 'CREDENTIALS_INVALID');
    // An API key has no password to change.
    expectProblem(await change('x', 'another-password-2', await t.key('viewer')), 422, 'VALUE_INVALID');
  });
});

describe('a password someone else set', () => {
  const login = (username: string, password: string) => t.call('POST', '/api/v1/auth/login', { body: { username, password } });
  const signedIn = (answer: { headers: Record<string, unknown> }) => sessionHeaders(cookieOf(answer));

  it('allows only changing it, asking who one is and signing out until it is changed', async () => {
    expect((await t.call('POST', '/api/v1/users', { as: t.admin, body: { username: 'newbie', password: 'given-by-admin-1', role: 'viewer' } })).status).toBe(201);
    const answer = await login('newbie', 'given-by-admin-1');
    expect(answer.json.mustChangePassword).toBe(true);
    const newbie = signedIn(answer);
    for (const [method, url] of [['GET', '/api/v1/series'], ['GET', '/api/v1/users'], ['GET', '/api/v1/info'], ['POST', '/api/v1/api-keys']] as const) {
      const refused = expectProblem(await t.call(method, url, { as: newbie, body: method === 'POST' ? { name: 'mine', role: 'admin' } : undefined }), 403, 'PASSWORD_CHANGE_REQUIRED');
      expect(refused.detail).toMatch(/password/i);
    }
    expect((await t.call('GET', '/api/v1/auth/me', { as: newbie })).json).toMatchObject({ name: 'newbie', mustChangePassword: true });
    const changed = await t.call('POST', '/api/v1/auth/password', { as: newbie, body: { currentPassword: 'given-by-admin-1', newPassword: 'chosen-by-newbie-1' } });
    expect(changed.status, changed.body).toBe(204);
    expect((await t.call('GET', '/api/v1/series', { as: newbie })).status).toBe(200);
    expect((await t.call('GET', '/api/v1/auth/me', { as: newbie })).json).toMatchObject({ mustChangePassword: false });
    // Signing out is allowed before the change too.
    const again = signedIn(await login('newbie', 'chosen-by-newbie-1'));
    expect((await t.call('PATCH', '/api/v1/users/newbie', { as: t.admin, body: { password: 'given-again-1' } })).status).toBe(200);
    const reset = signedIn(await login('newbie', 'given-again-1'));
    expectProblem(await t.call('GET', '/api/v1/series', { as: reset }), 403, 'PASSWORD_CHANGE_REQUIRED');
    expect((await t.call('POST', '/api/v1/auth/logout', { as: reset })).status).toBe(204);
    expectProblem(await t.call('GET', '/api/v1/auth/me', { as: again }), 401, 'UNAUTHENTICATED');
  });

  it('ends the user\'s other sessions when it is changed, and keeps the one that changed it', async () => {
    const here = await t.user('viewer', { username: 'two-tabs' });
    const there = await t.session('two-tabs', USER_PASSWORD);
    const changed = await t.call('POST', '/api/v1/auth/password', { as: here, body: { currentPassword: USER_PASSWORD, newPassword: 'two-tabs-new-pass-1' } });
    expect(changed.status, changed.body).toBe(204);
    expect((await t.call('GET', '/api/v1/auth/me', { as: here })).status).toBe(200);
    expectProblem(await t.call('GET', '/api/v1/auth/me', { as: there }), 401, 'UNAUTHENTICATED');
  });

  it('refuses weak passwords, saying why, wherever a password is set', async () => {
    const user = await t.user('viewer', { username: 'weakling' });
    const change = (newPassword: string) => t.call('POST', '/api/v1/auth/password', { as: user, body: { currentPassword: USER_PASSWORD, newPassword } });
    const reasons: Record<string, RegExp> = {
      'password123': /common/,
      'Password2024!': /common/,
      'qwertyuiop': /common/,
      'weakling2024!!': /username/,
      'WEAKLING-1234567': /username/,
      'aaaaaaaaaaaa': /different characters/,
      'short': /at least 10 characters/,
    };
    for (const [password, reason] of Object.entries(reasons)) {
      const refused = expectProblem(await change(password), 422, 'VALUE_INVALID');
      expect(refused, password).toMatchObject({ field: 'newPassword', reason: expect.stringMatching(reason) });
    }
    expect((await change('weakling-grows-strong-at-last')).status).toBe(204);

    const created = expectProblem(await t.call('POST', '/api/v1/users', { as: t.admin, body: { username: 'temp', password: 'iloveyou123', role: 'viewer' } }), 422, 'VALUE_INVALID');
    expect(created).toMatchObject({ field: 'password', reason: expect.stringMatching(/common/) });
    expect(expectProblem(await t.call('PATCH', '/api/v1/users/weakling', { as: t.admin, body: { password: 'weakling123456' } }), 422, 'VALUE_INVALID')).toMatchObject({ field: 'password' });
    expect(expectProblem(await t.call('POST', '/api/v1/companies', { as: t.admin, body: { name: 'Weak', adminUsername: 'weak-admin', adminPassword: 'football1234' } }), 422, 'VALUE_INVALID')).toMatchObject({ field: 'adminPassword' });
  });
});

describe('users', () => {
  it('an admin adds, lists, changes and disables users; changes apply to open sessions at once', async () => {
    const created = await t.call('POST', '/api/v1/users', { as: t.admin, body: { username: 'alice', password: USER_PASSWORD, role: 'operator' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ username: 'alice', role: 'operator', systemAdmin: false, disabled: false, mustChangePassword: true, createdBy: 'user:admin' });
    expectProblem(await t.call('POST', '/api/v1/users', { as: t.admin, body: { username: 'alice', password: USER_PASSWORD, role: 'viewer' } }), 409, 'USERNAME_TAKEN');
    const invalid = expectProblem(await t.call('POST', '/api/v1/users', { as: t.admin, body: { username: 'bob smith', password: 'short', role: 'boss' } }), 422, 'VALUE_INVALID');
    expect(invalid.problems.map((p: { field: string }) => p.field).sort()).toEqual(['password', 'role', 'username']);

    const list = await t.call('GET', '/api/v1/users', { as: t.admin });
    expect(list.json.users.map((u: { username: string }) => u.username)).toContain('alice');
    expect(list.body).not.toContain('scrypt');

    const alice = await t.session('alice', USER_PASSWORD);
    // Her first act is to choose her own password; the session goes on.
    expect((await t.call('POST', '/api/v1/auth/password', { as: alice, body: { currentPassword: USER_PASSWORD, newPassword: 'alice-own-choice-1' } })).status).toBe(204);
    expect((await t.call('POST', '/api/v1/series/None/serials', { as: alice, body: {} })).status).toBe(404);
    const demoted = await t.call('PATCH', '/api/v1/users/alice', { as: t.admin, body: { role: 'viewer' } });
    expect(demoted.json).toMatchObject({ username: 'alice', role: 'viewer' });
    expect(expectProblem(await t.call('POST', '/api/v1/series/None/serials', { as: alice, body: {} }), 403, 'FORBIDDEN')).toMatchObject({ role: 'viewer' });

    expect((await t.call('PATCH', '/api/v1/users/alice', { as: t.admin, body: { disabled: true } })).json.disabled).toBe(true);
    expectProblem(await t.call('GET', '/api/v1/auth/me', { as: alice }), 401, 'UNAUTHENTICATED');
    expectProblem(await t.call('POST', '/api/v1/auth/login', { body: { username: 'alice', password: 'alice-own-choice-1' } }), 401, 'CREDENTIALS_INVALID');
  });

  it('a password reset by an admin ends the user\'s sessions and makes them choose a new one', async () => {
    const user = await t.user('viewer', { username: 'reset-me' });
    expect((await t.call('PATCH', '/api/v1/users/reset-me', { as: t.admin, body: { password: 'temporary-pass-1' } })).json.mustChangePassword).toBe(true);
    expectProblem(await t.call('GET', '/api/v1/auth/me', { as: user }), 401, 'UNAUTHENTICATED');
  });

  it('keeps the company\'s last active admin', async () => {
    expect(expectProblem(await t.call('PATCH', '/api/v1/users/admin', { as: t.admin, body: { role: 'engineer' } }), 409, 'LAST_ADMIN')).toMatchObject({ username: 'admin' });
    expectProblem(await t.call('PATCH', '/api/v1/users/admin', { as: t.admin, body: { disabled: true } }), 409, 'LAST_ADMIN');
    expect((await t.call('GET', '/api/v1/auth/me', { as: t.admin })).json.role).toBe('admin');
  });
});

describe('the system administrator', () => {
  it('is changed by no company admin: not their password, role or disabled, by session or by API key', async () => {
    const carol = await t.user('admin', { username: 'carol' });
    const key = await t.key('admin');
    for (const as of [carol, key]) {
      for (const body of [{ password: 'taken-over-pass-1' }, { role: 'viewer' }, { disabled: true }]) {
        const refused = expectProblem(await t.call('PATCH', '/api/v1/users/admin', { as, body }), 403, 'FORBIDDEN');
        expect(refused.detail).toContain('system administrator');
      }
    }
    expectProblem(await t.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: 'taken-over-pass-1' } }), 401, 'CREDENTIALS_INVALID');
    const admin = await t.call('POST', '/api/v1/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    expect(admin.json).toMatchObject({ identity: { systemAdmin: true }, mustChangePassword: false });
    expect((await t.call('GET', '/api/v1/auth/me', { as: t.admin })).json).toMatchObject({ role: 'admin', systemAdmin: true });
    // No request makes a system administrator: the flag is not a field of a new user or a change.
    for (const [method, url, body] of [
      ['POST', '/api/v1/users', { username: 'second-root', password: 'second-root-pass-1', role: 'admin', systemAdmin: true }],
      ['PATCH', '/api/v1/users/carol', { systemAdmin: true }],
    ] as const) {
      expect((await t.call(method, url, { as: carol, body })).status).toBe(400);
    }
    // The system administrator still manages the company's other admins.
    expect((await t.call('PATCH', '/api/v1/users/carol', { as: t.admin, body: { role: 'engineer' } })).json.role).toBe('engineer');
  });
});

describe('API keys', () => {
  it('creates a key whose secret is shown once, never listed, and authenticates as Bearer', async () => {
    const created = await t.call('POST', '/api/v1/api-keys', { as: t.admin, body: { name: 'Line 3 marker', role: 'operator', station: 'ST-3' } });
    expect(created.status).toBe(201);
    const { id, key } = created.json;
    expect(key).toMatch(/^stk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key.slice(4, 16)).toBe(id);
    expect(created.json).toMatchObject({ name: 'Line 3 marker', role: 'operator', station: 'ST-3', expiresAt: null, createdBy: 'user:admin', revokedAt: null });

    const list = await t.call('GET', '/api/v1/api-keys', { as: t.admin });
    const listed = list.json.apiKeys.find((k: { id: string }) => k.id === id);
    expect(listed).toMatchObject({ name: 'Line 3 marker', role: 'operator' });
    expect(listed).not.toHaveProperty('key');
    expect(list.body).not.toContain(key.slice(17));

    const me = await t.call('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${key}` } });
    expect(me.json).toMatchObject({ kind: 'key', id, name: 'Line 3 marker', role: 'operator', systemAdmin: false, actor: `key:Line 3 marker#${id}` });
  });

  it('refuses a revoked key at once with 401', async () => {
    const key = await t.key('operator');
    expect((await t.call('GET', '/api/v1/auth/me', { as: key })).status).toBe(200);
    const revoked = await t.call('DELETE', `/api/v1/api-keys/${key.id}`, { as: t.admin });
    expect(revoked.status).toBe(204);
    expect(expectProblem(await t.call('GET', '/api/v1/auth/me', { as: key }), 401, 'UNAUTHENTICATED').detail).toContain('revoked');
    const listed = (await t.call('GET', '/api/v1/api-keys', { as: t.admin })).json.apiKeys.find((k: { id: string }) => k.id === key.id);
    expect(listed).toMatchObject({ revokedAt: '2025-06-15T10:00:00.000Z', revokedBy: 'user:admin' });
    expect((await t.call('DELETE', `/api/v1/api-keys/${key.id}`, { as: t.admin })).status).toBe(204);
  });

  it('refuses an expired key, and a key that would be born expired', async () => {
    const created = await t.call('POST', '/api/v1/api-keys', { as: t.admin, body: { name: 'Temp', role: 'viewer', expiresAt: '2025-06-15T11:00:00Z' } });
    expect(created.json.expiresAt).toBe('2025-06-15T11:00:00.000Z');
    const key: Credentials = { label: 'temp', headers: { authorization: `Bearer ${created.json.key}` } };
    try {
      expect((await t.call('GET', '/api/v1/series', { as: key })).status).toBe(200);
      t.clock.set('2025-06-15T11:00:00Z');
      expectProblem(await t.call('GET', '/api/v1/series', { as: key }), 401, 'UNAUTHENTICATED');
    } finally {
      t.clock.set('2025-06-15T10:00:00Z');
    }
    const past = await t.call('POST', '/api/v1/api-keys', { as: t.admin, body: { name: 'Old', role: 'viewer', expiresAt: '2025-06-15T09:00:00Z' } });
    expect(expectProblem(past, 422, 'VALUE_INVALID')).toMatchObject({ field: 'expiresAt' });
    expectProblem(await t.call('POST', '/api/v1/api-keys', { as: t.admin, body: { name: 'Boss', role: 'root' } }), 422, 'VALUE_INVALID');
  });

  it('refuses an Authorization header that is not a Bearer key, even with a valid cookie beside it', async () => {
    const answer = await t.call('GET', '/api/v1/auth/me', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=', ...t.admin.headers } });
    expect(expectProblem(answer, 401, 'UNAUTHENTICATED').detail).toContain('Bearer');
    const tampered = await t.key('viewer');
    const key = tampered.key.slice(0, -1) + (tampered.key.endsWith('A') ? 'B' : 'A');
    expectProblem(await t.call('GET', '/api/v1/auth/me', { headers: { authorization: `Bearer ${key}` } }), 401, 'UNAUTHENTICATED');
  });
});
