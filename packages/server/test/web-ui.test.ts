import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, openApp, type AppUnderTest, type TestApp } from './helper.js';

/** A stand-in for packages/web/dist: what Vite writes, small enough to check byte for byte. */
function fakeBuild(): string {
  const root = mkdtempSync(join(tmpdir(), 'serialtrace-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>serialtrace</title><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>');
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log("app");');
  writeFileSync(join(root, 'assets', 'index-abc123.css'), 'body{}');
  return root;
}

let t: TestApp;
let web: AppUnderTest;
const html = { accept: 'text/html,application/xhtml+xml' };

beforeAll(async () => {
  t = await openApp();
  web = await t.variant({ config: { webRoot: fakeBuild() } });
});
afterAll(async () => t.close());

describe('the web UI at /', () => {
  it('answers index.html to anyone, never cached, under a strict Content-Security-Policy', async () => {
    const answer = await web.call('GET', '/', { headers: html });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain('<div id="root">');
    expect(answer.headers['cache-control']).toBe('no-cache');
    const policy = String(answer.headers['content-security-policy']);
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers the app for its own paths, so a bookmark or a reload opens the page', async () => {
    for (const path of ['/audit', '/records?series=Widgets&q=SN-1', '/traceability']) {
      const anonymous = await web.call('GET', path, { headers: html });
      expect(anonymous.status, path).toBe(200);
      expect(anonymous.body, path).toContain('<div id="root">');
      const signedIn = await web.call('GET', path, { as: t.admin, headers: html });
      expect(signedIn.status, path).toBe(200);
    }
  });

  it('serves hashed assets for a year and with their media type', async () => {
    const script = await web.call('GET', '/assets/index-abc123.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.body).toBe('console.log("app");');
    const style = await web.call('GET', '/assets/index-abc123.css');
    expect(style.headers['content-type']).toMatch(/^text\/css/);
  });

  it('does not serve index.html without its headers, nor turn API paths or missing files into the app', async () => {
    await expectProblem(await web.call('GET', '/index.html', { headers: html }), 404, 'ROUTE_NOT_FOUND');
    await expectProblem(await web.call('GET', '/assets/missing-000.js', { as: t.admin }), 404, 'ROUTE_NOT_FOUND');
    // An unknown API path still asks for credentials first, and is a problem document, never HTML.
    await expectProblem(await web.call('GET', '/api/v1/no-such-thing', { headers: html }), 401, 'UNAUTHENTICATED');
    await expectProblem(await web.call('GET', '/api/v1/no-such-thing', { as: t.admin, headers: html }), 404, 'ROUTE_NOT_FOUND');
    // Only reading opens the app: a POST to an app path is not a page.
    await expectProblem(await web.call('POST', '/audit', { as: t.admin, body: {} }), 404, 'ROUTE_NOT_FOUND');
  });

  it('loads while the database is down: its files never ask who calls', async () => {
    const down = await t.variant({ config: { webRoot: fakeBuild() }, ownStore: true });
    await down.services.store.close();
    expect((await down.call('GET', '/', { as: t.admin, headers: html })).status).toBe(200);
    expect((await down.call('GET', '/assets/index-abc123.js', { as: t.admin })).status).toBe(200);
    expect((await down.call('GET', '/records', { as: t.admin, headers: html })).status).toBe(200);
  });

  it('says so, with a way out, when the UI is not built', async () => {
    const bare = await t.variant({ config: { webRoot: join(tmpdir(), 'serialtrace-no-such-build') } });
    const answer = await bare.call('GET', '/', { headers: html });
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('npm run build');
    expect(answer.body).toContain('/api/v1/docs');
  });
});

describe('GET /api/v1/info', () => {
  it('gives a signed-in page the server clock and default time zone', async () => {
    const answer = await t.call('GET', '/api/v1/info', { as: t.admin });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ version: expect.any(String), now: t.clock.now().toISOString(), timeZone: 'UTC' });
  });

  it('is not open to anonymous callers', async () => {
    await expectProblem(await t.call('GET', '/api/v1/info'), 401, 'UNAUTHENTICATED');
  });
});
