import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, openApp, USER_PASSWORD, type Credentials, type TestApp } from './helper.js';

/**
 * Companies are tenants: nothing of one is visible to, or changeable by, another; names and
 * global uniqueness are per company. Only a system administrator adds companies.
 */

let t: TestApp;
let operator: Credentials & { id: string };
let c1User: string;
/** The first admin of the second company, signed in over HTTP. */
let acme: Credentials;

beforeAll(async () => {
  t = await openApp();
  operator = await t.key('operator');
  c1User = (await t.user('viewer', { username: 'c1-viewer' })).username;
  for (const body of [
    { name: 'Widgets', format: 'W-{####}' },
    { name: 'Global', format: 'X-{####}', global: true },
  ]) {
    expect((await t.call('POST', '/api/v1/series', { as: t.admin, body })).status).toBe(201);
  }
  expect((await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity: 2, workOrder: 'WO-1' } })).json.serials).toEqual(['W-0001', 'W-0002']);
  expect((await t.call('POST', '/api/v1/series/Global/serials', { as: operator, body: {} })).json.serials).toEqual(['X-0001']);

  const created = await t.call('POST', '/api/v1/companies', {
    as: t.admin,
    body: { name: 'Acme', adminUsername: 'acme-admin', adminPassword: 'acme-password-1' },
    headers: { 'serialtrace-reason': 'new customer' },
  });
  expect(created.status, created.body).toBe(201);
  expect(created.json).toMatchObject({
    company: { id: 2, name: 'Acme' },
    admin: { username: 'acme-admin', role: 'admin', systemAdmin: false, mustChangePassword: true, createdBy: 'user:admin' },
    initialPassword: null,
  });
  const login = await t.call('POST', '/api/v1/auth/login', { body: { username: 'acme-admin', password: 'acme-password-1' } });
  expect(login.json.identity).toMatchObject({ companyId: 2, company: 'Acme', role: 'admin', systemAdmin: false });
  acme = { label: 'acme admin', headers: { cookie: String(login.headers['set-cookie']).split(';')[0]! } };
  // The first admin's password was set by the system administrator: Acme's admin chooses their own.
  expect(login.json.mustChangePassword).toBe(true);
  expect((await t.call('POST', '/api/v1/auth/password', { as: acme, body: { currentPassword: 'acme-password-1', newPassword: 'acme-own-password-1' } })).status).toBe(204);
});
afterAll(async () => {
  await t.close();
});

describe('companies', () => {
  it('a system administrator lists and adds companies; a generated first password is shown once and works', async () => {
    const created = await t.call('POST', '/api/v1/companies', { as: t.admin, body: { name: 'Beta', adminUsername: 'beta-admin' } });
    expect(created.status).toBe(201);
    const password = created.json.initialPassword as string;
    expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
    expect((await t.call('POST', '/api/v1/auth/login', { body: { username: 'beta-admin', password } })).json).toMatchObject({
      identity: { company: 'Beta' },
      mustChangePassword: true,
    });
    expect((await t.call('GET', '/api/v1/companies', { as: t.admin })).json.companies.map((c: { name: string }) => c.name)).toEqual(['default', 'Acme', 'Beta']);
    expect(expectProblem(await t.call('POST', '/api/v1/companies', { as: t.admin, body: { name: 'Acme', adminUsername: 'other-admin' } }), 409, 'COMPANY_NAME_TAKEN')).toMatchObject({ company: 'Acme' });
    expect((await t.call('GET', '/api/v1/companies', { as: t.admin })).json.companies).toHaveLength(3);
  });

  it('a company\'s admin is no system administrator', async () => {
    expectProblem(await t.call('GET', '/api/v1/companies', { as: acme }), 403, 'FORBIDDEN');
    expectProblem(await t.call('POST', '/api/v1/companies', { as: acme, body: { name: 'Mine', adminUsername: 'mine-admin' } }), 403, 'FORBIDDEN');
  });

  it('the new company\'s audit chain starts with its creation; the creator\'s chain records it too', async () => {
    const own = (await t.call('GET', '/api/v1/audit/export', { as: acme })).json;
    expect(own.slice(0, 2)).toMatchObject([
      { seq: 1, companyId: 2, action: 'company.created', actor: 'user:admin', reason: 'new customer', data: { name: 'Acme', admin: 'acme-admin' } },
      { seq: 2, companyId: 2, action: 'user.created', data: { username: 'acme-admin', role: 'admin' } },
    ]);
    const creator = (await t.call('GET', '/api/v1/audit', { as: t.admin, query: { action: 'company.created' } })).json.entries;
    expect(creator.map((e: { data: { name: string }; companyId: number }) => [e.companyId, e.data.name])).toEqual([
      [1, 'Beta'],
      [1, 'Acme'],
    ]);
  });
});

describe('isolation', () => {
  it('another company\'s admin sees none of its series, records, audit entries, users or keys', async () => {
    expect((await t.call('GET', '/api/v1/series', { as: acme })).json.series).toEqual([]);
    expectProblem(await t.call('GET', '/api/v1/series/Widgets', { as: acme }), 404, 'SERIES_NOT_FOUND');
    expectProblem(await t.call('GET', '/api/v1/series/Widgets/versions', { as: acme }), 404, 'SERIES_NOT_FOUND');
    expectProblem(await t.call('POST', '/api/v1/series/Widgets/serials', { as: acme, body: {} }), 404, 'SERIES_NOT_FOUND');
    expect((await t.call('GET', '/api/v1/records', { as: acme })).json).toEqual({ records: [], nextCursor: null });
    expect((await t.call('GET', '/api/v1/records', { as: acme, query: { q: 'W-0001' } })).json.records).toEqual([]);
    expectProblem(await t.call('GET', '/api/v1/records/W-0001', { as: acme }), 404, 'RECORD_NOT_FOUND');
    expect((await t.call('GET', '/api/v1/work-orders/WO-1/records', { as: acme })).json.records).toEqual([]);
    const audit = (await t.call('GET', '/api/v1/audit', { as: acme })).json.entries;
    expect(audit.every((e: { companyId: number }) => e.companyId === 2)).toBe(true);
    expect(audit.map((e: { action: string }) => e.action)).not.toContain('serials.generated');
    expect((await t.call('GET', '/api/v1/audit/verify', { as: acme })).json).toMatchObject({ valid: true, checked: audit.length });
    expect((await t.call('GET', '/api/v1/users', { as: acme })).json.users.map((u: { username: string }) => u.username)).toEqual(['acme-admin']);
    expect((await t.call('GET', '/api/v1/api-keys', { as: acme })).json.apiKeys).toEqual([]);
  });

  it('another company\'s admin changes none of its records, users or keys', async () => {
    expectProblem(await t.call('POST', '/api/v1/records/W-0001/status', { as: acme, body: { status: 'voided' } }), 404, 'RECORD_NOT_FOUND');
    expectProblem(await t.call('PATCH', '/api/v1/series/Widgets', { as: acme, body: { description: 'mine now' } }), 404, 'SERIES_NOT_FOUND');
    expectProblem(await t.call('PATCH', `/api/v1/users/${c1User}`, { as: acme, body: { disabled: true } }), 404, 'USER_NOT_FOUND');
    expectProblem(await t.call('DELETE', `/api/v1/api-keys/${operator.id}`, { as: acme }), 404, 'API_KEY_NOT_FOUND');
    expect((await t.call('GET', '/api/v1/records/W-0001', { as: t.admin })).json.status).toBe('generated');
    expect((await t.call('GET', '/api/v1/auth/me', { as: operator })).status).toBe(200);
    expect((await t.call('POST', '/api/v1/auth/login', { body: { username: c1User, password: USER_PASSWORD } })).status).toBe(200);
  });

  it('each company has its own names, its own global uniqueness, and keys that act only in it', async () => {
    const key = await t.call('POST', '/api/v1/api-keys', { as: acme, body: { name: 'Acme line', role: 'admin' } });
    expect(key.status).toBe(201);
    const acmeKey: Credentials = { label: 'acme key', headers: { authorization: `Bearer ${key.json.key}` } };
    expect((await t.call('GET', '/api/v1/auth/me', { as: acmeKey })).json).toMatchObject({ companyId: 2, company: 'Acme', systemAdmin: false });
    // An admin key of a company is no system administrator either.
    expectProblem(await t.call('GET', '/api/v1/companies', { as: acmeKey }), 403, 'FORBIDDEN');

    for (const body of [
      { name: 'Widgets', format: 'W-{####}' },
      { name: 'Global', format: 'X-{####}', global: true },
    ]) {
      expect((await t.call('POST', '/api/v1/series', { as: acmeKey, body })).status).toBe(201);
    }
    expect((await t.call('POST', '/api/v1/series/Global/serials', { as: acmeKey, body: {} })).json.serials).toEqual(['X-0001']);
    expect((await t.call('POST', '/api/v1/series/Widgets/serials', { as: acmeKey, body: {} })).json.serials).toEqual(['W-0001']);
    expect((await t.call('POST', '/api/v1/series/Global/serials', { as: operator, body: {} })).json.serials).toEqual(['X-0002']);

    const c1 = (await t.call('GET', '/api/v1/records/X-0001', { as: t.admin })).json;
    const c2 = (await t.call('GET', '/api/v1/records/X-0001', { as: acmeKey })).json;
    expect(c1.id).not.toBe(c2.id);
    expect(c2.generatedBy).toBe(`key:Acme line#${key.json.id}`);
    expect((await t.call('GET', '/api/v1/records', { as: acmeKey })).json.records.map((r: { serial: string }) => r.serial).sort()).toEqual(['W-0001', 'X-0001']);
    expect((await t.call('GET', '/api/v1/api-keys', { as: t.admin })).json.apiKeys.map((k: { id: string }) => k.id)).not.toContain(key.json.id);
    expect((await t.call('GET', '/api/v1/users', { as: t.admin })).json.users.map((u: { username: string }) => u.username)).not.toContain('acme-admin');
    const c1Audit = (await t.call('GET', '/api/v1/audit/export', { as: t.admin })).json;
    expect(c1Audit.every((e: { companyId: number; actor: string }) => e.companyId === 1 && !e.actor.includes('Acme line'))).toBe(true);
    expect((await t.call('GET', '/api/v1/audit/verify', { as: t.admin })).json.valid).toBe(true);
  });

  it('usernames are per company: an admin learns nothing of the names other companies use, and sign-in finds the right user', async () => {
    // c1User is a viewer of the default company; Acme may have a user of the same name.
    const created = await t.call('POST', '/api/v1/users', { as: acme, body: { username: c1User, password: 'acme-operator-pass-1', role: 'operator' } });
    expect(created.status, created.body).toBe(201);
    expectProblem(await t.call('POST', '/api/v1/users', { as: acme, body: { username: c1User, password: USER_PASSWORD, role: 'viewer' } }), 409, 'USERNAME_TAKEN');
    const login = (body: Record<string, string>) => t.call('POST', '/api/v1/auth/login', { body });

    // Without a company, the password decides which of the two signs in.
    expect((await login({ username: c1User, password: 'acme-operator-pass-1' })).json.identity).toMatchObject({ companyId: 2, company: 'Acme', role: 'operator' });
    expect((await login({ username: c1User, password: USER_PASSWORD })).json.identity).toMatchObject({ companyId: 1, role: 'viewer' });
    // With a company, only that company's user.
    expect((await login({ username: c1User, password: USER_PASSWORD, company: 'default' })).json.identity).toMatchObject({ companyId: 1 });
    expectProblem(await login({ username: c1User, password: USER_PASSWORD, company: 'Acme' }), 401, 'CREDENTIALS_INVALID');
    expectProblem(await login({ username: c1User, password: USER_PASSWORD, company: 'Nobody Inc' }), 401, 'CREDENTIALS_INVALID');
    // A wrong password is refused alike whether one company or several have the name.
    const several = expectProblem(await login({ username: c1User, password: 'wrong-password-1' }), 401, 'CREDENTIALS_INVALID');
    const one = expectProblem(await login({ username: 'acme-admin', password: 'wrong-password-1' }), 401, 'CREDENTIALS_INVALID');
    expect(several.detail).toBe(one.detail);

    // Each admin reaches only their own company's user of that name.
    expect((await t.call('PATCH', `/api/v1/users/${c1User}`, { as: acme, body: { role: 'auditor' } })).json).toMatchObject({ id: created.json.id, role: 'auditor' });
    const defaults = await t.call('GET', '/api/v1/users', { as: t.admin });
    expect(defaults.json.users.find((u: { username: string }) => u.username === c1User)).toMatchObject({ role: 'viewer' });
  });
});
