import { ACCESS_VERSION_MAX_AGE_MS, ApiKeyService, MAX_SIGN_IN_CANDIDATES, SignInService, sha256Hex, type Caller, type Identity } from '@serialtrace/service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '@serialtrace/store';
import { openHarness, refused, type Harness } from './harness.js';

/**
 * Companies, users, sessions and API keys. scrypt makes every password hash or check cost tens of
 * milliseconds, so each test signs in only as often as it must.
 */

const PASSWORD = 'correct-horse-1';

let h: Harness;
beforeEach(() => {
  h = openHarness();
});
afterEach(async () => {
  await h.close();
});

const auditOf = async (companyId = 1) => {
  const entries = [];
  for await (const e of h.app.audit.entries({ companyId, actor: 'test' })) entries.push(e);
  return entries;
};
const latestAudit = async (companyId = 1) => (await auditOf(companyId)).at(-1)!;
const count = (table: string, where = '1 = 1') => (h.raw().prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;

describe('bootstrap', () => {
  it('creates the system administrator once, with a generated password that signs in and must be changed', async () => {
    const first = await h.app.users.bootstrap();
    expect(first).toMatchObject({ username: 'admin', generated: true });
    expect(first!.password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{20}$/);
    const session = await h.app.signIn.login('admin', first!.password);
    expect(session.identity).toMatchObject({ kind: 'user', name: 'admin', role: 'admin', systemAdmin: true, companyId: 1, actor: 'user:admin' });
    expect(session.mustChangePassword).toBe(true);

    expect(await h.app.users.bootstrap('another-password-1')).toBeNull();
    expect(count('users')).toBe(1);
    expect(await auditOf()).toMatchObject([{ seq: 1, action: 'user.created', actor: 'serialtrace', reason: 'first start', data: { username: 'admin', systemAdmin: true } }]);
  });

  it('takes SERIALTRACE_ADMIN_PASSWORD, and refuses one that is too short before writing anything', async () => {
    const error = await refused(h.app.users.bootstrap('short'), 'VALUE_INVALID');
    expect(error.details).toMatchObject({ field: 'SERIALTRACE_ADMIN_PASSWORD' });
    expect(count('users')).toBe(0);
    expect(count('journal')).toBe(0);
    expect(await h.app.users.bootstrap(PASSWORD)).toEqual({ username: 'admin', password: PASSWORD, generated: false });
    expect((await h.app.signIn.login('admin', PASSWORD)).mustChangePassword).toBe(false);
  });
});

describe('sign-in and sessions', () => {
  beforeEach(async () => {
    await h.app.users.bootstrap(PASSWORD);
  });

  it('refuses a wrong password and an unknown user with the same CREDENTIALS_INVALID, and a disabled user too', async () => {
    const [wrong, unknown] = await Promise.all([
      refused(h.app.signIn.login('admin', 'wrong-password'), 'CREDENTIALS_INVALID'),
      refused(h.app.signIn.login('nobody', 'wrong-password'), 'CREDENTIALS_INVALID'),
      h.app.users.create(h.caller, { username: 'dave', password: PASSWORD, role: 'viewer' }),
    ]);
    expect(unknown.message).toBe(wrong.message);

    await h.app.users.update(h.caller, 'dave', { disabled: true });
    await refused(h.app.signIn.login('dave', PASSWORD), 'CREDENTIALS_INVALID');
    expect(count('sessions')).toBe(0);
  });

  it('keeps only the token\'s hash, lets a session expire after its length, and ends it on logout', async () => {
    const { token, expiresAt } = await h.app.signIn.login('admin', PASSWORD);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(expiresAt).toBe('2025-06-15T22:00:00.000Z');
    expect(h.app.signIn.sessionSeconds).toBe(12 * 3600);
    const rows = h.raw().prepare('SELECT * FROM sessions').all() as { token_hash: string }[];
    expect(rows.map((r) => r.token_hash)).toEqual([sha256Hex(token)]);
    expect(JSON.stringify(rows)).not.toContain(token);

    h.clock.set('2025-06-15T21:59:59.999Z');
    expect((await h.app.signIn.authenticateSession(token))?.name).toBe('admin');
    h.clock.set('2025-06-15T22:00:00.000Z');
    expect(await h.app.signIn.authenticateSession(token)).toBeUndefined();

    const second = await h.app.signIn.login('admin', PASSWORD);
    // Signing in sweeps the expired session away.
    expect(count('sessions')).toBe(1);
    await h.app.signIn.logout(second.token);
    expect(await h.app.signIn.authenticateSession(second.token)).toBeUndefined();
    expect(await h.app.signIn.authenticateSession('not-a-token')).toBeUndefined();
  });

  it('lasts as long as it is configured to', async () => {
    const signIn = new SignInService({ store: h.app.store, clock: h.clock, sessionHours: 1 });
    expect(signIn.sessionSeconds).toBe(3600);
    expect((await signIn.login('admin', PASSWORD)).expiresAt).toBe('2025-06-15T11:00:00.000Z');
  });

  it('changes a password after checking the current one, and audits it', async () => {
    const identity: Identity = { kind: 'user', id: '1', name: 'admin', role: 'admin', companyId: 1, company: 'default', systemAdmin: true, actor: 'user:admin', station: null, mustChangePassword: false };
    const [wrong, short] = await Promise.all([
      refused(h.app.signIn.changePassword(identity, 'wrong-password', 'new-password-1'), 'VALUE_INVALID'),
      refused(h.app.signIn.changePassword(identity, PASSWORD, 'short'), 'VALUE_INVALID'),
    ]);
    expect(wrong.details).toMatchObject({ field: 'currentPassword' });
    expect(short.details).toMatchObject({ field: 'newPassword' });
    await h.app.signIn.changePassword(identity, PASSWORD, 'new-password-1');
    await refused(h.app.signIn.login('admin', PASSWORD), 'CREDENTIALS_INVALID');
    expect(await latestAudit()).toMatchObject({ action: 'user.password_changed', actor: 'user:admin', entityType: 'user', entityId: '1', data: { username: 'admin' } });
    expect(JSON.stringify(await auditOf())).not.toContain('new-password-1');

    const key = await h.app.apiKeys.create(h.caller, { name: 'k', role: 'admin' });
    const keyIdentity = (await h.app.apiKeys.authenticate(key.key))!;
    await refused(h.app.signIn.changePassword(keyIdentity, 'x', 'new-password-2'), 'VALUE_INVALID');
  });
});

describe('users', () => {
  beforeEach(async () => {
    await h.app.users.bootstrap(PASSWORD);
  });

  it('adds users with every problem reported at once, usernames unique within a company, and audits it', async () => {
    const [created, { company }] = await Promise.all([
      h.app.users.create(h.caller, { username: 'alice', password: PASSWORD, role: 'operator' }),
      h.app.companies.create(h.caller, { name: 'Acme', adminUsername: 'acme-admin', adminPassword: PASSWORD }),
    ]);
    expect(created).toMatchObject({ username: 'alice', role: 'operator', systemAdmin: false, disabled: false, mustChangePassword: true, createdBy: 'tester' });
    expect(created).not.toHaveProperty('passwordHash');
    expect((await auditOf()).find((e) => e.action === 'user.created' && e.entityId === String(created.id))).toMatchObject({
      actor: 'tester',
      station: 'ST-1',
      line: 'L1',
      plant: 'P1',
      data: { username: 'alice', role: 'operator' },
    });

    await refused(h.app.users.create(h.caller, { username: 'alice', password: PASSWORD, role: 'viewer' }), 'USERNAME_TAKEN');
    const all = await refused(h.app.users.create(h.caller, { username: 'a b', password: 'short', role: 'chief' }), 'VALUE_INVALID');
    expect(all.problems.map((p) => p.field)).toEqual(['username', 'password', 'role']);

    // Another company may have an alice of its own; each admin reaches only their own.
    const acme: Caller = { companyId: company.id, actor: 'user:acme-admin' };
    await refused(h.app.users.update(acme, 'alice', { role: 'admin' }), 'USER_NOT_FOUND');
    const acmeAlice = await h.app.users.create(acme, { username: 'alice', password: PASSWORD, role: 'viewer' });
    await refused(h.app.users.create(acme, { username: 'alice', password: PASSWORD, role: 'viewer' }), 'USERNAME_TAKEN');
    expect((await h.app.users.list(h.caller)).map((u) => u.username)).toEqual(['admin', 'alice']);
    expect((await h.app.users.list(acme)).map((u) => u.username)).toEqual(['acme-admin', 'alice']);
    expect(await h.app.users.update(acme, 'alice', { role: 'auditor' })).toMatchObject({ id: acmeAlice.id, role: 'auditor' });
    expect((await h.app.users.list(h.caller)).find((u) => u.username === 'alice')).toMatchObject({ id: created.id, role: 'operator' });
  });

  it('changes a role with effect on open sessions, and disabling ends them', async () => {
    await h.app.users.create(h.caller, { username: 'bob', password: PASSWORD, role: 'viewer' });
    const { token } = await h.app.signIn.login('bob', PASSWORD);
    const promoted = await h.app.users.update(h.caller, 'bob', { role: 'engineer' });
    expect(promoted.role).toBe('engineer');
    expect((await h.app.signIn.authenticateSession(token))?.role).toBe('engineer');
    expect(await latestAudit()).toMatchObject({ action: 'user.updated', actor: 'tester', data: { username: 'bob', role: { from: 'viewer', to: 'engineer' } } });

    expect((await h.app.users.update(h.caller, 'bob', { disabled: true })).disabled).toBe(true);
    expect(await h.app.signIn.authenticateSession(token)).toBeUndefined();
    expect(count('sessions')).toBe(0);
    expect((await latestAudit()).data).toEqual({ username: 'bob', disabled: true });
    // Enabling again does not bring the old session back.
    await h.app.users.update(h.caller, 'bob', { disabled: false });
    expect(await h.app.signIn.authenticateSession(token)).toBeUndefined();
    await refused(h.app.users.update(h.caller, 'bob', { disabled: 'yes' }), 'VALUE_INVALID');
  });

  it('keeps the last active admin of a company', async () => {
    const sysadmin: Caller = { ...h.caller, systemAdmin: true };
    await refused(h.app.users.update(sysadmin, 'admin', { role: 'viewer' }), 'LAST_ADMIN');
    await refused(h.app.users.update(sysadmin, 'admin', { disabled: true }), 'LAST_ADMIN');
    await h.app.users.create(h.caller, { username: 'carol', password: PASSWORD, role: 'admin' });
    await h.app.users.update(sysadmin, 'admin', { role: 'auditor' });
    await refused(h.app.users.update(h.caller, 'carol', { disabled: true }), 'LAST_ADMIN');
    // A disabled admin does not count as the company's admin.
    await h.app.users.update(sysadmin, 'admin', { role: 'admin', disabled: true });
    await refused(h.app.users.update(h.caller, 'carol', { role: 'operator' }), 'LAST_ADMIN');
  });

  it('lets only a system administrator change a system administrator', async () => {
    const companyAdmin: Caller = { companyId: 1, actor: 'user:carol' };
    const before = count('journal');
    for (const changes of [{ password: 'taken-over-pass-1' }, { role: 'viewer' }, { disabled: true }, { role: 'admin', disabled: false }]) {
      const error = await refused(h.app.users.update(companyAdmin, 'admin', changes), 'FORBIDDEN');
      expect(error.message).toContain('system administrator');
    }
    expect(count('journal')).toBe(before);
    expect((await h.app.signIn.login('admin', PASSWORD)).identity.systemAdmin).toBe(true);

    const reset = await h.app.users.update({ ...h.caller, systemAdmin: true }, 'admin', { password: 'new-sysadmin-pass-1' });
    expect(reset).toMatchObject({ username: 'admin', systemAdmin: true, mustChangePassword: true });
    expect(await latestAudit()).toMatchObject({ action: 'user.updated', actor: 'tester', data: { username: 'admin', passwordReset: true } });
  });
});

describe('API keys', () => {
  it('are stk_<12 hex>_<43 characters>, and only the secret\'s hash is stored', async () => {
    const created = await h.app.apiKeys.create(h.caller, { name: 'Line 3 marker', role: 'operator', station: 'ST-3' });
    const match = /^stk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/.exec(created.key);
    expect(match).not.toBeNull();
    const [, id, secret] = match!;
    expect(created).toMatchObject({ id, name: 'Line 3 marker', role: 'operator', station: 'ST-3', expiresAt: null, createdBy: 'tester', revokedAt: null });

    const rows = h.raw().prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!['secret_hash']).toBe(sha256Hex(secret!));
    for (const value of Object.values(rows[0]!)) expect(String(value)).not.toContain(secret);
    const everything = JSON.stringify(h.raw().prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((t: any) => h.raw().prepare(`SELECT * FROM "${t.name}"`).all()));
    expect(everything).not.toContain(secret);

    const listed = await h.app.apiKeys.list(h.caller);
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('key');
    expect(await latestAudit()).toMatchObject({ action: 'api_key.created', entityType: 'api_key', entityId: id, data: { name: 'Line 3 marker', role: 'operator', station: 'ST-3', expiresAt: null } });
    expect(JSON.stringify(await auditOf())).not.toContain(secret);
  });

  it('authenticate as themselves, and nothing else does', async () => {
    const { key, id } = await h.app.apiKeys.create(h.caller, { name: 'Packer', role: 'viewer' });
    expect(await h.app.apiKeys.authenticate(key)).toEqual<Identity>({
      kind: 'key',
      id,
      name: 'Packer',
      role: 'viewer',
      companyId: 1,
      company: 'default',
      systemAdmin: false,
      actor: `key:Packer#${id}`,
      station: null,
      mustChangePassword: false,
    });
    const otherSecret = key.slice(0, -2) + (key.endsWith('AA') ? 'BB' : 'AA');
    expect(await h.app.apiKeys.authenticate(otherSecret)).toBeUndefined();
    expect(await h.app.apiKeys.authenticate(`stk_${'0'.repeat(12)}_${key.slice(-43)}`)).toBeUndefined();
    for (const malformed of ['', 'stk_', key.toUpperCase(), `${key}x`, key.replace('stk_', 'sk_')]) {
      expect(await h.app.apiKeys.authenticate(malformed)).toBeUndefined();
    }
  });

  it('are refused at once when revoked here, and within half a second when revoked by another process', async () => {
    const { key, id } = await h.app.apiKeys.create(h.caller, { name: 'Gate', role: 'operator' });
    expect(await h.app.apiKeys.authenticate(key)).toBeDefined();
    await h.app.apiKeys.revoke(h.caller, id);
    expect(await h.app.apiKeys.authenticate(key)).toBeUndefined();
    expect((await h.app.apiKeys.list(h.caller))[0]).toMatchObject({ revokedAt: '2025-06-15T10:00:00.000Z', revokedBy: 'tester' });
    await h.app.apiKeys.revoke(h.caller, id);
    expect((await auditOf()).filter((e) => e.action === 'api_key.revoked')).toHaveLength(1);

    // Another process on the same file, and this one on a clock the test moves.
    const elsewhere = SqliteStore.open({ path: h.path });
    try {
      let ms = 0;
      const here = new ApiKeyService({ store: h.app.store, clock: h.clock, monotonicMs: () => ms });
      const other = await h.app.apiKeys.create(h.caller, { name: 'Gate 2', role: 'operator' });
      expect(await here.authenticate(other.key)).toBeDefined();
      await new ApiKeyService({ store: elsewhere, clock: h.clock }).revoke(h.caller, other.id);
      // Trusted until the next look at the database's access version, which is at most 500 ms old...
      ms = ACCESS_VERSION_MAX_AGE_MS;
      expect(await here.authenticate(other.key)).toBeDefined();
      // ...then the change is seen and the key read again.
      ms += 1;
      expect(await here.authenticate(other.key)).toBeUndefined();
      // A change to another key makes each checked key be read once more, and only once.
      const third = await h.app.apiKeys.create(h.caller, { name: 'Gate 3', role: 'operator' });
      expect(await here.authenticate(third.key)).toBeDefined();
      const fourth = await h.app.apiKeys.create(h.caller, { name: 'Gate 4', role: 'operator' });
      await new ApiKeyService({ store: elsewhere, clock: h.clock }).revoke(h.caller, fourth.id);
      ms += ACCESS_VERSION_MAX_AGE_MS + 1;
      expect(await here.authenticate(third.key)).toBeDefined();
      expect(await here.authenticate(fourth.key)).toBeUndefined();
    } finally {
      await elsewhere.close();
    }
  });

  it('expire, and cannot be made already expired; another company cannot revoke them', async () => {
    const { key, id } = await h.app.apiKeys.create(h.caller, { name: 'Temp', role: 'viewer', expiresAt: '2025-06-15T13:00:00+02:00' });
    expect((await h.app.apiKeys.list(h.caller))[0]!.expiresAt).toBe('2025-06-15T11:00:00.000Z');
    await refused(h.app.apiKeys.create(h.caller, { name: 'Old', role: 'viewer', expiresAt: '2025-06-15T09:59:59Z' }), 'VALUE_INVALID');
    const problems = await refused(h.app.apiKeys.create(h.caller, { name: ' ', role: 'boss', expiresAt: 'tomorrow', station: '\u0007' }), 'VALUE_INVALID');
    expect(problems.problems.map((p) => p.field)).toEqual(['name', 'role', 'station', 'expiresAt']);
    await refused(h.app.apiKeys.revoke({ companyId: 2, actor: 'x' }, id), 'API_KEY_NOT_FOUND');

    h.clock.set('2025-06-15T10:59:59.999Z');
    expect(await h.app.apiKeys.authenticate(key)).toBeDefined();
    h.clock.set('2025-06-15T11:00:00.000Z');
    expect(await h.app.apiKeys.authenticate(key)).toBeUndefined();
  });
});

describe('companies', () => {
  beforeEach(async () => {
    await h.app.users.bootstrap(PASSWORD);
  });

  it('adds a company with its first admin, its own audit chain, and its own users and keys', async () => {
    const sysadmin: Caller = { companyId: 1, actor: 'user:admin', reason: 'new customer' };
    const created = await h.app.companies.create(sysadmin, { name: 'Acme', adminUsername: 'acme-admin' });
    expect(created.company).toMatchObject({ id: 2, name: 'Acme' });
    expect(created.admin).toMatchObject({ username: 'acme-admin', role: 'admin', systemAdmin: false, mustChangePassword: true, createdBy: 'user:admin' });
    expect(created.initialPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    const session = await h.app.signIn.login('acme-admin', created.initialPassword!);
    expect(session.identity).toMatchObject({ companyId: 2, company: 'Acme', systemAdmin: false, actor: 'user:acme-admin' });

    await refused(h.app.companies.create(sysadmin, { name: 'Acme', adminUsername: 'someone' }), 'COMPANY_NAME_TAKEN');
    const invalid = await refused(h.app.companies.create(sysadmin, { name: '', adminUsername: 'x y', adminPassword: 'short' }), 'VALUE_INVALID');
    expect(invalid.problems.map((p) => p.field)).toEqual(['name', 'adminUsername', 'adminPassword']);
    expect((await h.app.companies.list()).map((c) => c.name)).toEqual(['default', 'Acme']);

    expect(await auditOf(2)).toMatchObject([
      { seq: 1, action: 'company.created', actor: 'user:admin', reason: 'new customer', data: { companyId: 2, name: 'Acme', admin: 'acme-admin' } },
      { seq: 2, action: 'user.created', data: { username: 'acme-admin', role: 'admin' } },
    ]);
    expect(await latestAudit(1)).toMatchObject({ action: 'company.created', entityId: '2', actor: 'user:admin' });
    expect(await h.app.audit.verify({ companyId: 2, actor: 'x' })).toMatchObject({ valid: true, checked: 2 });
    expect(await h.app.audit.verify({ companyId: 1, actor: 'x' })).toMatchObject({ valid: true, checked: 2 });

    const acme: Caller = { companyId: 2, actor: 'user:acme-admin' };
    const acmeKey = await h.app.apiKeys.create(acme, { name: 'Acme line', role: 'admin' });
    expect((await h.app.apiKeys.authenticate(acmeKey.key))?.companyId).toBe(2);
    expect(await h.app.apiKeys.list(h.caller)).toEqual([]);
    expect((await h.app.apiKeys.list(acme)).map((k) => k.name)).toEqual(['Acme line']);
    expect((await h.app.users.list(h.caller)).map((u) => u.username)).toEqual(['admin']);

    // A name another company uses is free in a new company; signing in with it takes the password's owner.
    const beta = await h.app.companies.create(sysadmin, { name: 'Beta', adminUsername: 'admin', adminPassword: 'beta-admin-pass-1' });
    expect(beta.admin).toMatchObject({ username: 'admin', systemAdmin: false });
    expect((await h.app.signIn.login('admin', 'beta-admin-pass-1')).identity).toMatchObject({ companyId: beta.company.id, systemAdmin: false });
    expect((await h.app.signIn.login('admin', PASSWORD)).identity).toMatchObject({ companyId: 1, systemAdmin: true });
  });

  it('asks for the company when more than 8 companies have a user of the name, instead of hashing for each', async () => {
    const sysadmin: Caller = { companyId: 1, actor: 'user:admin', systemAdmin: true };
    for (let i = 1; i <= MAX_SIGN_IN_CANDIDATES; i++) await h.app.companies.create(sysadmin, { name: `Plant ${i}`, adminUsername: 'shift-lead', adminPassword: `plant-${i}-secret-word` });
    expect((await h.app.signIn.login('shift-lead', 'plant-3-secret-word')).identity.company).toBe('Plant 3');
    await h.app.companies.create(sysadmin, { name: 'Plant 9', adminUsername: 'shift-lead', adminPassword: 'plant-9-secret-word' });
    await refused(h.app.signIn.login('shift-lead', 'plant-3-secret-word'), 'CREDENTIALS_INVALID');
    expect((await h.app.signIn.login('shift-lead', 'plant-3-secret-word', { company: 'Plant 3' })).identity.company).toBe('Plant 3');
  });
});
