import { describe, expect, it } from 'vitest';
import { SerialtraceError } from '@serialtrace/core';
import type { HostApi } from '@serialtrace/scripting';
import { errorOf, resultOf, runner, useEngine } from './engine-fixture.ts';

const run = runner(useEngine());

function recordingHost() {
  const calls: unknown[][] = [];
  const host: HostApi = {
    manufacturing: {
      generateSerial: async (...args: unknown[]) => {
        calls.push(args);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return { serial: 'SN-0001', at: { lot: 7, tags: ['a', null, true] } };
      },
      exhausted: () => {
        throw new SerialtraceError('SERIES_EXHAUSTED', { series: 'S1', period: '2026-11', capacity: 10 });
      },
      buggy: () => {
        throw new Error('connection string postgres://secret@db');
      },
      nothing: () => undefined,
    },
    documents: { echo: (...args: unknown[]) => args },
  };
  return { host, calls };
}

describe('host API', () => {
  it('calls host functions synchronously from the script with JSON values both ways', async () => {
    const { host, calls } = recordingHost();
    const outcome = await run('function main(ctx) { const r = manufacturing.generateSerial(ctx.series, { n: 1, skip: undefined }, [1, "2"]); return { r, nothing: manufacturing.nothing() } }', {
      context: { series: 'S1' },
      host,
    });
    expect(resultOf(outcome)).toEqual({ r: { serial: 'SN-0001', at: { lot: 7, tags: ['a', null, true] } } });
    expect(calls).toEqual([['S1', { n: 1 }, [1, '2']]]);
    expect(outcome.apiCalls).toBe(2);
  });

  it('lets async main call the host after awaiting', async () => {
    const { host } = recordingHost();
    const source = 'async function main() { await null; const a = manufacturing.generateSerial(); await Promise.resolve(); return [a.serial, documents.echo(a.serial)] }';
    expect(resultOf(await run(source, { host }))).toEqual(['SN-0001', ['SN-0001']]);
  });

  it('gives the host plain JSON even for objects with getters, toJSON or odd prototypes', async () => {
    const { host } = recordingHost();
    const source = `function main() {
      let reads = 0;
      const tricky = { get lot() { reads++; return 'L' + reads }, nested: Object.create({ inherited: 1 }, { own: { value: 2, enumerable: true } }) };
      return documents.echo(tricky, new Date(0), [undefined, () => 1])
    }`;
    expect(resultOf(await run(source, { host }))).toEqual([{ lot: 'L1', nested: { own: 2 } }, '1970-01-01T00:00:00.000Z', [null, null]]);
  });

  it('raises a host SerialtraceError in the script, which can branch on its code', async () => {
    const { host } = recordingHost();
    const source = `function main() {
      try { manufacturing.exhausted() } catch (e) {
        return { isError: e instanceof Error, name: e.name, code: e.code, details: e.details, message: e.message }
      }
    }`;
    expect(resultOf(await run(source, { host }))).toEqual({
      isError: true,
      name: 'SerialtraceError',
      code: 'SERIES_EXHAUSTED',
      details: { series: 'S1', period: '2026-11', capacity: 10 },
      message: new SerialtraceError('SERIES_EXHAUSTED', { series: 'S1', period: '2026-11', capacity: 10 }).message,
    });
  });

  it('ends the run with the host error itself when the script does not catch it', async () => {
    const { host } = recordingHost();
    const error = errorOf(await run('function main() { manufacturing.exhausted() }', { host }));
    expect(error).toBeInstanceOf(SerialtraceError);
    expect(error.code).toBe('SERIES_EXHAUSTED');
    expect(error.details).toEqual({ series: 'S1', period: '2026-11', capacity: 10 });
  });

  it('does not let a script forge a host error', async () => {
    const source = 'function main() { const e = new Error("x"); e.name = "SerialtraceError"; e.code = "SERIES_EXHAUSTED"; throw e }';
    expect(errorOf(await run(source)).code).toBe('SCRIPT_FAILED');
  });

  it('ends the run with an internal error on a host bug, telling the script nothing of it', async () => {
    const { host } = recordingHost();
    const outcome = await run('function main() { try { manufacturing.buggy() } catch (e) { console.log(e.message, e.stack); return "swallowed" } }', { host });
    const error = errorOf(outcome);
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(JSON.stringify(outcome.logs)).not.toContain('secret');
    expect((error as Error & { cause?: unknown }).cause).toBeInstanceOf(Error);
  });

  it('stops at the API call limit, even when the script catches the refusal', async () => {
    const { host } = recordingHost();
    const uncaught = await run('function main() { for (let i = 0; i < 100; i++) documents.echo(i) }', { host, limits: { apiCalls: 5 } });
    expect(errorOf(uncaught).code).toBe('SCRIPT_API_LIMIT');
    expect(errorOf(uncaught).details).toMatchObject({ limit: 5 });

    const caughtAndReturned = await run('function main() { let ok = 0; for (let i = 0; i < 100; i++) { try { documents.echo(i); ok++ } catch {} } return ok }', { host, limits: { apiCalls: 5 } });
    expect(errorOf(caughtAndReturned).code).toBe('SCRIPT_API_LIMIT');
    expect(caughtAndReturned.apiCalls).toBe(6);

    const caughtAndLooping = await run('function main() { for (;;) { try { documents.echo(1) } catch {} } }', { host, limits: { apiCalls: 5, timeMs: 2_000 } });
    expect(errorOf(caughtAndLooping).code).toBe('SCRIPT_API_LIMIT');
    expect(caughtAndLooping.durationMs).toBeLessThan(1_000);
  });

  it('times out when the host is what is slow', async () => {
    const host: HostApi = { slow: { wait: () => new Promise((resolve) => setTimeout(() => resolve(1), 60)), never: () => new Promise(() => {}) } };
    const started = Date.now();
    const loop = await run('function main() { for (;;) { try { slow.wait() } catch {} } }', { host, limits: { timeMs: 200 } });
    expect(errorOf(loop).code).toBe('SCRIPT_TIMEOUT');
    const hung = await run('function main() { return slow.never() }', { host, limits: { timeMs: 200 } });
    expect(errorOf(hung).code).toBe('SCRIPT_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
