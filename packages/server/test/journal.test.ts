import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APP_ENGINES, expectProblem, openApp, type Credentials, type TestApp } from './helper.js';

/**
 * GET /api/v1/journal: a company's committed changes as typed events, in commit order, after a
 * position the reader keeps; permissioned like the audit trail.
 */
describe.each(APP_ENGINES)('the journal on %s', (engine) => {
  let t: TestApp;
  let operator: Credentials;
  beforeEach(async () => {
    t = await openApp({ engine });
    operator = await t.key('operator');
    expect((await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Widgets', format: 'W-{####}' } })).status).toBe(201);
    expect((await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity: 2, workOrder: 'WO-1' } })).status).toBe(201);
  });
  afterEach(async () => {
    await t.close();
  });

  const read = async (query: Record<string, string> = {}, as: Credentials = t.admin) => t.call('GET', '/api/v1/journal', { as, query });

  it('answers typed events after a position, with the position to go on from', async () => {
    const all = await read();
    expect(all.status, all.body).toBe(200);
    const types = all.json.events.map((e: { type: string }) => e.type);
    expect(types).toContain('series.created');
    expect(types.at(-1)).toBe('serials.generated');
    const positions = all.json.events.map((e: { position: number }) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(new Set(positions).size).toBe(positions.length);
    expect(all.json.next).toBe(positions.at(-1));
    const created = all.json.events.find((e: { type: string }) => e.type === 'series.created');
    expect(created).toEqual({ position: expect.any(Number), type: 'series.created', at: expect.any(String), entity: { type: 'series', id: expect.any(String) }, data: expect.anything() });
    const generated = all.json.events.at(-1);
    expect(generated.data).toMatchObject({ serials: ['W-0001', 'W-0002'] });

    // Nothing new: an empty page, and the same position to go on from.
    expect((await read({ after: String(all.json.next) })).json).toEqual({ events: [], next: all.json.next });
    // A new change is the next event, whoever reads.
    expect((await t.call('POST', '/api/v1/records/W-0001/status', { as: t.admin, body: { status: 'voided', reason: 'dropped' } })).status).toBe(200);
    const after = (await read({ after: String(all.json.next) })).json;
    expect(after.events.map((e: { type: string }) => e.type)).toEqual(['record.status_changed']);
    expect(after.events[0].position).toBeGreaterThan(all.json.next);
    expect(after.next).toBe(after.events[0].position);
  });

  it('pages with limit, and the pages join up without a gap', async () => {
    const all = (await read({ limit: '1000' })).json.events;
    const paged: unknown[] = [];
    let after = 0;
    for (;;) {
      const page = (await read({ after: String(after), limit: '1' })).json;
      if (page.events.length === 0) break;
      expect(page.events).toHaveLength(1);
      paged.push(...page.events);
      after = page.next;
    }
    expect(paged).toEqual(all);
  });

  it('refuses a bad position or limit, and callers without the audit permission', async () => {
    expectProblem(await read({ after: '-1' }), 400, 'REQUEST_INVALID');
    expectProblem(await read({ after: 'x' }), 400, 'REQUEST_INVALID');
    expectProblem(await read({ limit: '0' }), 400, 'REQUEST_INVALID');
    expectProblem(await read({ limit: '1001' }), 400, 'REQUEST_INVALID');
    expectProblem(await read({ since: '1' }), 400, 'REQUEST_INVALID');
    expectProblem(await read({}, operator), 403, 'FORBIDDEN');
    const auditor = await t.key('auditor');
    expect((await read({}, auditor)).status).toBe(200);
  });

  it('shows a company its own events only', async () => {
    const created = await t.call('POST', '/api/v1/companies', {
      as: t.admin,
      body: { name: 'Acme', adminUsername: 'acme-admin', adminPassword: 'acme-password-1' },
    });
    expect(created.status, created.body).toBe(201);
    const login = await t.call('POST', '/api/v1/auth/login', { body: { username: 'acme-admin', password: 'acme-password-1' } });
    const acme: Credentials = { label: 'acme admin', headers: { cookie: String(login.headers['set-cookie']).split(';')[0]! } };
    expect((await t.call('POST', '/api/v1/auth/password', { as: acme, body: { currentPassword: 'acme-password-1', newPassword: 'acme-own-password-1' } })).status).toBe(204);

    const theirs = (await read({}, acme)).json.events as { type: string; entity: { type: string } }[];
    expect(theirs.map((e) => e.type)).toContain('user.password_changed');
    expect(theirs.filter((e) => e.entity.type === 'series' || e.entity.type === 'record')).toEqual([]);
    const mine = (await read()).json.events as { type: string }[];
    expect(mine.map((e) => e.type)).not.toContain('user.password_changed');
  });
});
