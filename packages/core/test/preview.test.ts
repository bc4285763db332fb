import { describe, expect, it } from 'vitest';
import { previewSerials } from '@serialtrace/core';
import { ms, planFor, thrown } from './helpers.js';

const JUNE_15 = new Date(ms('2025-06-15T10:00:00Z'));

describe('previewSerials', () => {
  it('shows the first serials of a fresh series', () => {
    expect(previewSerials(planFor({ format: 'SN-{####}' }), { at: JUNE_15, count: 3 })).toEqual({
      serials: ['SN-0001', 'SN-0002', 'SN-0003'],
      period: '*',
      truncated: false,
    });
  });

  it('starts after the series start and steps by its increment, in its base', () => {
    const plan = planFor({ format: 'X{####}', base: 'alpha', start: 25, increment: 2 });
    expect(previewSerials(plan, { at: JUNE_15, count: 3 }).serials).toEqual(['XAABB', 'XAABD', 'XAABF']);
  });

  it('continues from a given counter', () => {
    expect(previewSerials(planFor({ format: 'SN-{####}' }), { at: JUNE_15, count: 2, current: 41n }).serials).toEqual(['SN-0042', 'SN-0043']);
  });

  it('names the period, in the series time zone', () => {
    const plan = planFor({ format: '{YYYY}{MM}{DD}-{####}', reset: 'daily', timeZone: 'Europe/Berlin' });
    expect(previewSerials(plan, { at: new Date(ms('2025-06-15T21:59:59.999Z')), count: 1 })).toEqual({
      serials: ['20250615-0001'],
      period: '2025-06-15',
      truncated: false,
    });
    expect(previewSerials(plan, { at: new Date(ms('2025-06-15T22:00:00.000Z')), count: 1 })).toEqual({
      serials: ['20250616-0001'],
      period: '2025-06-16',
      truncated: false,
    });
  });

  it('is truncated near exhaustion, and empty once exhausted', () => {
    const plan = planFor({ format: 'SN-{####}' });
    expect(previewSerials(plan, { at: JUNE_15, count: 5, current: 9_997n })).toEqual({ serials: ['SN-9998', 'SN-9999'], period: '*', truncated: true });
    expect(previewSerials(plan, { at: JUNE_15, count: 2, current: 9_997n }).truncated).toBe(false);
    expect(previewSerials(plan, { at: JUNE_15, count: 1, current: 9_999n })).toEqual({ serials: [], period: '*', truncated: true });
    const growing = planFor({ format: 'SN-{####}', allowGrowth: true });
    expect(previewSerials(growing, { at: JUNE_15, count: 2, current: 9_999n })).toEqual({ serials: ['SN-10000', 'SN-10001'], period: '*', truncated: false });
  });

  it('uses the request context, the part number and the shift calendar', () => {
    const plan = planFor({ format: '{PLANT}/{LINE}/{PART}/{SHIFT}{YY}{JJJ}-{####}', reset: 'shift' });
    expect(previewSerials(plan, { at: JUNE_15, count: 1, context: { plant: 'P1', line: 'L2' }, partNumber: 'PN9' })).toEqual({
      serials: ['P1/L2/PN9/B25166-0001'],
      period: '2025-06-15/B',
      truncated: false,
    });
  });

  it('refuses a missing context token unless placeholders are asked for', () => {
    const plan = planFor({ format: 'LOT-{LINE}-{PLANT}-{####}' });
    const error = thrown(() => previewSerials(plan, { at: JUNE_15, count: 1 }));
    expect(error.code).toBe('CONTEXT_MISSING');
    expect(error.details).toMatchObject({ missing: ['LINE', 'PLANT'] });
    expect(previewSerials(plan, { at: JUNE_15, count: 2, placeholders: true }).serials).toEqual(['LOT-{LINE}-{PLANT}-0001', 'LOT-{LINE}-{PLANT}-0002']);
    expect(previewSerials(plan, { at: JUNE_15, count: 1, placeholders: true, context: { LINE: 'L1' } }).serials).toEqual(['LOT-L1-{PLANT}-0001']);
  });

  it('refuses an invalid context even in placeholders mode', () => {
    const plan = planFor({ format: 'LOT-{LINE}-{####}' });
    expect(thrown(() => previewSerials(plan, { at: JUNE_15, count: 1, placeholders: true, context: { LINE: '' } })).code).toBe('CONTEXT_INVALID');
  });
});
