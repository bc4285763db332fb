import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ENGINES, expectProblem, openApp, type Credentials, type TestApp } from './helper.js';

/**
 * One text policy at every door: well-formed Unicode only, and control characters only where a
 * line break belongs. A refusal is VALUE_INVALID naming the field, and changes nothing; what is
 * accepted is stored exactly as it was hashed, so the audit trail keeps verifying.
 */

describe.each(APP_ENGINES)('text policy on %s', (engine) => {
  let t: TestApp;
  let operator: Credentials;
  beforeAll(async () => {
    t = await openApp({ engine });
    operator = await t.key('operator');
    expect((await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Widgets', format: 'W-{####}' } })).status).toBe(201);
    expect((await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { quantity: 3 } })).status).toBe(201);
  });
  afterAll(async () => {
    await t.close();
  });

  const auditLength = async () => (await t.call('GET', '/api/v1/audit/verify', { as: t.admin })).json.checked as number;

  it('refuses a lone surrogate in a reason, and the audit trail keeps verifying', async () => {
    const before = await auditLength();
    // JSON text with an escaped lone surrogate, as a careless client sends it.
    const answer = await t.call('POST', '/api/v1/records/W-0001/status', {
      as: t.admin,
      body: '{"status": "voided", "reason": "x \\ud800"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(expectProblem(answer, 422, 'VALUE_INVALID')).toMatchObject({ field: 'reason' });
    expect((await t.call('GET', '/api/v1/records/W-0001', { as: t.admin })).json.status).toBe('generated');
    const verify = await t.call('GET', '/api/v1/audit/verify', { as: t.admin });
    expect(verify.json).toMatchObject({ valid: true, checked: before });
  });

  it('keeps well-formed text of every script exactly, emoji and all, and it verifies', async () => {
    const reason = 'Prüfung 検査 👍 עברית';
    const answer = await t.call('POST', '/api/v1/records/W-0002/status', { as: t.admin, body: { status: 'voided', reason } });
    expect(answer.status, answer.body).toBe(200);
    const history = (await t.call('GET', '/api/v1/records/W-0002', { as: t.admin })).json.history as { reason: string | null }[];
    expect(history.at(-1)?.reason).toBe(reason);
    expect((await t.call('GET', '/api/v1/audit/verify', { as: t.admin })).json.valid).toBe(true);
  });

  it('refuses control characters in the audit headers as the body refuses them: TAB, C1, NUL', async () => {
    for (const value of ['late\tshift', 'a\u0085b', 'x\u009bc']) {
      const answer = await t.call('POST', '/api/v1/series/Widgets/serials', {
        as: operator,
        body: {},
        // Header bytes travel as latin1; a C1 byte arrives as U+0080..U+009F.
        headers: { 'serialtrace-reason': value },
      });
      expect(expectProblem(answer, 422, 'VALUE_INVALID'), JSON.stringify(value)).toMatchObject({ field: 'serialtrace-reason' });
    }
    expect((await t.call('GET', '/api/v1/series/Widgets/capacity', { as: operator })).json.value).toBe('3');
  });

  it('reads UTF-8 and RFC 8187 (UTF-8\'\'...) header values, and refuses bytes that are not UTF-8', async () => {
    const utf8 = Buffer.from('Grüße 検査', 'utf8').toString('latin1');
    const raw = await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: {}, headers: { 'serialtrace-station': utf8 } });
    expect(raw.status, raw.body).toBe(201);
    const encoded = await t.call('POST', '/api/v1/series/Widgets/serials', {
      as: operator,
      body: {},
      headers: { 'serialtrace-station': `UTF-8''${encodeURIComponent('Grüße 検査')}` },
    });
    expect(encoded.status, encoded.body).toBe(201);
    for (const serial of [raw.json.serials[0], encoded.json.serials[0]]) {
      expect((await t.call('GET', `/api/v1/records/${serial}`, { as: t.admin })).json.station).toBe('Grüße 検査');
    }
    const latin1 = await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: {}, headers: { 'serialtrace-station': 'Gr\u00fc\u00dfe' } });
    expect(expectProblem(latin1, 422, 'VALUE_INVALID')).toMatchObject({ field: 'serialtrace-station' });
  });

  it('refuses a series name with U+0085 (NEXT LINE) and creates nothing', async () => {
    const answer = await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Next\u0085Line', format: 'N-{####}' } });
    expect(expectProblem(answer, 422, 'VALUE_INVALID')).toMatchObject({ field: 'name' });
    expect((await t.call('GET', '/api/v1/series', { as: t.admin })).json.series).toHaveLength(1);
  });

  it('refuses NUL in a body, a query string and a path with VALUE_INVALID, never a 500', async () => {
    expect(
      expectProblem(await t.call('POST', '/api/v1/series', { as: t.admin, body: { name: 'Nul\u0000', format: 'N-{####}' } }), 422, 'VALUE_INVALID'),
    ).toMatchObject({ field: 'name' });
    expect(expectProblem(await t.call('GET', '/api/v1/records?workOrder=WO%00', { as: t.admin }), 422, 'VALUE_INVALID')).toMatchObject({ field: 'workOrder' });
    expect(expectProblem(await t.call('GET', '/api/v1/records/W%0001', { as: t.admin }), 422, 'VALUE_INVALID')).toMatchObject({ field: 'serial' });
    expect(
      expectProblem(await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { metadata: { note: 'a\u0000b' } } }), 422, 'VALUE_INVALID'),
    ).toMatchObject({ field: 'metadata.note' });
  });

  it('refuses percent-encoded bytes that are not UTF-8 in a query string', async () => {
    expect(expectProblem(await t.call('GET', '/api/v1/records?workOrder=%ED%A0%80', { as: t.admin }), 422, 'VALUE_INVALID')).toMatchObject({ field: 'workOrder' });
    expect(expectProblem(await t.call('GET', '/api/v1/records?workOrder=%FF', { as: t.admin }), 422, 'VALUE_INVALID')).toMatchObject({ field: 'workOrder' });
  });

  it('takes line breaks where free text belongs (metadata values, a script) and nowhere else', async () => {
    const ok = await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { metadata: { note: 'line one\nline two\tend' } } });
    expect(ok.status, ok.body).toBe(201);
    expect(
      expectProblem(await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { workOrder: 'WO\n1' } }), 422, 'VALUE_INVALID'),
    ).toMatchObject({ field: 'workOrder' });
    expect(
      expectProblem(await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { metadata: { 'bad\nkey': 1 } } }), 422, 'VALUE_INVALID'),
    ).toMatchObject({ field: 'metadata.bad\nkey' });
    const script = await t.call('PUT', '/api/v1/scripts/multi', { as: t.admin, body: { source: 'function main() {\n\treturn 1;\r\n}\n' } });
    expect(script.status, script.body).toBe(200);
  });

  it('refuses metadata nested beyond the limit with 422, and lists every problem of a body at once', async () => {
    // Written out as text: a client's JSON.stringify gives up long before 5,000 levels.
    const deep = `${'{"d":'.repeat(5000)}"x"${'}'.repeat(5000)}`;
    const nested = await t.call('POST', '/api/v1/series/Widgets/serials', {
      as: operator,
      body: `{"metadata":${deep}}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(expectProblem(nested, 422, 'VALUE_INVALID').field).toMatch(/^metadata(\.d)+$/);
    const many = expectProblem(
      await t.call('POST', '/api/v1/series/Widgets/serials', { as: operator, body: { workOrder: 'a\u0001', partNumber: 'b\u0002', metadata: { c: '\ufffe' } } }),
      422,
      'VALUE_INVALID',
    );
    expect((many.problems as { field: string }[]).map((p) => p.field).sort()).toEqual(['metadata.c', 'partNumber', 'workOrder']);
    expect((await t.call('GET', '/api/v1/audit/verify', { as: t.admin })).json.valid).toBe(true);
  });
});
