import { ROUTES, type Access, type RouteSpec } from '@serialtrace/api';
import { ROLE_PERMISSIONS, ROLES, type Role } from '@serialtrace/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, expectProblem, openApp, USER_PASSWORD, type Credentials, type TestApp } from './helper.js';

/**
 * Every route of the API table against every role, as a session and as an API key. The expected
 * answer is derived from the route's `access` and ROLE_PERMISSIONS, so a route or permission
 * added later is covered without editing this file.
 */

interface Principal {
  readonly label: string;
  readonly role: Role;
  readonly systemAdmin: boolean;
  readonly kind: 'session' | 'key';
  /** Resolved in beforeAll. */
  credentials?: Credentials;
  /** A second session, for signing out without ending the one the other routes use. */
  spare?: Credentials;
}

const principals: Principal[] = [
  ...ROLES.flatMap((role): Principal[] => [
    { label: `${role} session`, role, systemAdmin: false, kind: 'session' },
    { label: `${role} key`, role, systemAdmin: false, kind: 'key' },
  ]),
  { label: 'system administrator session', role: 'admin', systemAdmin: true, kind: 'session' },
];

function allowed(access: Access, principal: Principal): boolean {
  if (access === 'public' || access === 'signedIn') return true;
  if (access === 'systemAdmin') return principal.systemAdmin;
  return ROLE_PERMISSIONS[principal.role].includes(access);
}

// Path parameters name nothing that exists, so a permitted call ends in a refusal of its own
// (400, 404) and changes nothing; only the access rule decides between 401/403 and the rest.
const PARAMS: Record<string, string> = { name: 'no-such-series', serial: 'NO-SUCH-SERIAL', username: 'nobody', id: '000000000000', workOrder: 'WO-NONE', captureID: '000000000000', eventID: 'urn:uuid:none', eventType: 'ObjectEvent', epc: 'urn:epc:id:sgtin:0614141.107346.2018', bizStep: 'shipping', bizLocation: 'urn:epc:id:sgln:0614141.00777.0', readPoint: 'urn:epc:id:sgln:0614141.00777.0', disposition: 'in_transit' };

function requestOf(spec: RouteSpec): { method: RouteSpec['method']; url: string; body?: unknown } {
  const url = spec.url.replace(/:(\w+)/g, (_, param: string) => {
    const value = PARAMS[param];
    if (value === undefined) throw new Error(`no test value for the path parameter :${param} of ${spec.url}`);
    return encodeURIComponent(value);
  });
  return { method: spec.method, url, ...(spec.body === undefined ? {} : { body: {} }) };
}

const routes = Object.entries(ROUTES) as [string, RouteSpec][];

let t: TestApp;
beforeAll(async () => {
  t = await openApp();
  // Each user costs scrypt hashes; they run side by side on libuv's threads.
  await Promise.all(
    principals.map(async (principal) => {
      if (principal.kind === 'key') {
        principal.credentials = await t.key(principal.role);
        return;
      }
      const username = principal.systemAdmin ? 'admin' : (await t.user(principal.role)).username;
      const password = principal.systemAdmin ? ADMIN_PASSWORD : USER_PASSWORD;
      [principal.credentials, principal.spare] = await Promise.all([principal.systemAdmin ? t.admin : t.session(username, password), t.session(username, password)]);
    }),
  );
});
afterAll(async () => {
  await t.close();
});

/** The credentials to call a route with; signing out uses a session of its own, so the shared one lives on. */
function credentialsFor(name: string, principal: Principal): Credentials {
  return name === 'logout' && principal.spare !== undefined ? principal.spare : principal.credentials!;
}

describe('the role table behind the matrix matches the issue', () => {
  it('gives each role what the issue names', () => {
    expect(ROLE_PERMISSIONS.admin).toEqual(expect.arrayContaining(['users.manage', 'keys.manage', 'series.write', 'serials.generate', 'audit.export']));
    expect(ROLE_PERMISSIONS.engineer).toContain('series.write');
    expect(ROLE_PERMISSIONS.engineer).not.toContain('serials.generate');
    expect(ROLE_PERMISSIONS.operator).toEqual(expect.arrayContaining(['serials.generate', 'records.status']));
    expect(ROLE_PERMISSIONS.operator).not.toContain('series.write');
    expect(ROLE_PERMISSIONS.auditor).toEqual(expect.arrayContaining(['series.read', 'records.read', 'audit.read', 'audit.export']));
    expect(ROLE_PERMISSIONS.auditor.filter((p) => !p.endsWith('.read') && p !== 'audit.export')).toEqual([]);
    expect([...ROLE_PERMISSIONS.viewer].sort()).toEqual(['epcis.read', 'records.read', 'series.read']);
  });

  it('leaves only health, readiness and sign-in open without a login', () => {
    expect(routes.filter(([, spec]) => spec.access === 'public').map(([name]) => name).sort()).toEqual(['health', 'login', 'ready']);
  });
});

describe.each(routes)('%s', (name, spec) => {
  const { method, url, body } = requestOf(spec);

  if (spec.access !== 'public') {
    it(`${method} ${spec.url} without credentials is 401`, async () => {
      expectProblem(await t.call(method, url, { body }), 401, 'UNAUTHENTICATED');
      // Fastify answers HEAD for every GET route; it is guarded alike.
      if (method === 'GET') expect((await t.call('HEAD', url)).status).toBe(401);
    });
    it(`${method} ${spec.url} with an unknown API key or session is 401`, async () => {
      const key = await t.call(method, url, { body, headers: { authorization: `Bearer stk_000000000000_${'A'.repeat(43)}` } });
      expectProblem(key, 401, 'UNAUTHENTICATED');
      expectProblem(await t.call(method, url, { body, headers: { cookie: 'serialtrace_session=forged' } }), 401, 'UNAUTHENTICATED');
    });
  }

  it.each(principals)(`${method} ${spec.url} as %# $label`, async (principal) => {
    const answer = await t.call(method, url, { body, as: credentialsFor(name, principal) });
    if (allowed(spec.access, principal)) {
      expect(answer.status, `${principal.label} may ${name}: ${answer.body}`).not.toBe(401);
      expect(answer.status, `${principal.label} may ${name}: ${answer.body}`).not.toBe(403);
      expect(answer.status, answer.body).toBeLessThan(500);
    } else {
      const problem = expectProblem(answer, 403, 'FORBIDDEN');
      expect(problem.role).toBe(principal.role);
      expect(problem.detail).toContain(principal.role);
      if (spec.access !== 'systemAdmin') {
        expect(problem.permission).toBe(spec.access);
        expect(problem.detail).toContain(spec.access);
      }
    }
  });
});
