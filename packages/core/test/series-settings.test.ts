import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BASE_NAMES,
  BASES,
  compileSeries,
  DEFAULT_SHIFT_CALENDAR,
  MAX_MIN_LENGTH,
  parseShiftCalendar,
  planSeries,
  readWholeNumber,
  RESET_RULES,
  resolveSeriesSettings,
  SERIES_DEFAULTS,
  showValue,
  settingsFromJson,
  settingsToJson,
  type SeriesInput,
  type SeriesSettings,
  type SeriesSettingsJson,
} from '@serialtrace/core';
import { thrown } from './helpers.js';

const DEFAULTS = { timeZone: 'Europe/Berlin' };

function resolve(input: SeriesInput) {
  return resolveSeriesSettings({ name: 'Widgets', format: 'SN-{####}', ...input }, DEFAULTS);
}

function refusal(input: SeriesInput) {
  return thrown(() => resolve(input));
}

describe('resolveSeriesSettings: defaults', () => {
  it('fills in base numeric, start 0, increment 1, minimum length 4, reset never, the default zone', () => {
    const { settings, plan } = resolveSeriesSettings({ name: '  Widgets ', format: 'SN-{####}' }, DEFAULTS);
    expect(settings).toEqual<SeriesSettings>({
      name: 'Widgets',
      description: '',
      format: 'SN-{####}',
      base: 'numeric',
      start: 0n,
      increment: 1n,
      minLength: 4,
      reset: 'never',
      timeZone: 'Europe/Berlin',
      shiftStarts: null,
      global: false,
      allowGrowth: false,
      allocation: 'gapless',
      leaseSize: 100,
      gtin: null,
      sscc: false,
      companyPrefix: null,
      extensionDigit: null,
      randomized: false,
    });
    expect(SERIES_DEFAULTS).toMatchObject({ base: 'numeric', start: 0n, increment: 1n, minLength: 4, reset: 'never', global: false, allowGrowth: false, allocation: 'gapless' });
    expect(plan.settings).toBe(settings);
    expect(plan.base).toBe(BASES.numeric);
    expect(plan.width).toBe(4);
    expect(plan.maxValue).toBe(9999n);
    expect(plan.calendar).toEqual(DEFAULT_SHIFT_CALENDAR);
    expect(plan.shiftFromCalendar).toBe(false);
    expect(plan.warnings).toEqual([]);
    expect(plan.format.nodes.map((n) => n.kind)).toEqual(['literal', 'sequence']);
    expect(plan.contextTokens).toEqual([]);
  });

  it('lists the context tokens the format prints, once each, in order of appearance', () => {
    expect(resolve({ format: '{PLANT}-{LINE}-{PLANT}-{PART}-{####}' }).plan.contextTokens).toEqual(['PLANT', 'LINE', 'PART']);
  });

  it('accepts every field in its loose forms: numbers as strings, booleans as text, null as "default"', () => {
    const { settings } = resolve({
      description: ' Line 4 ',
      base: 'hex',
      start: '18446744073709551616',
      increment: 3,
      minLength: '20',
      reset: 'daily',
      format: '{YYYY}{MM}{DD}-{####}',
      timeZone: 'america/new_york',
      shiftStarts: 'E=06:00,L=14:00',
      global: 'true',
      allowGrowth: true,
    });
    expect(settings).toMatchObject({
      description: 'Line 4',
      base: 'hex',
      start: 2n ** 64n,
      increment: 3n,
      minLength: 20,
      reset: 'daily',
      timeZone: 'America/New_York',
      shiftStarts: parseShiftCalendar('E=06:00,L=14:00'),
      global: true,
      allowGrowth: true,
    });
    expect(resolve({ base: null, start: null, reset: null, timeZone: null, shiftStarts: null, global: null }).settings).toMatchObject({
      base: 'numeric',
      start: 0n,
      reset: 'never',
      timeZone: 'Europe/Berlin',
      shiftStarts: null,
      global: false,
    });
    expect(resolve({ timeZone: '', shiftStarts: '' }).settings).toMatchObject({ timeZone: 'Europe/Berlin', shiftStarts: null });
  });

  it('takes shift starts as a list of strings or of {label, start}', () => {
    expect(resolve({ shiftStarts: ['06:00', '18:00'] }).settings.shiftStarts).toEqual(parseShiftCalendar('06:00,18:00'));
    expect(
      resolve({
        shiftStarts: [
          { label: 'D', start: '07:00' },
          { label: 'N', start: '19:00' },
        ],
      }).settings.shiftStarts,
    ).toEqual(parseShiftCalendar('D=07:00,N=19:00'));
  });

  it('the calendar is in force for {SHIFT} when the series names one or resets per shift', () => {
    expect(resolve({ reset: 'shift', format: '{YY}{JJJ}{SHIFT}-{####}' }).plan).toMatchObject({ shiftFromCalendar: true, calendar: DEFAULT_SHIFT_CALENDAR });
    expect(resolve({ shiftStarts: '06:00,18:00' }).plan).toMatchObject({ shiftFromCalendar: true, calendar: parseShiftCalendar('06:00,18:00') });
    expect(resolve({}).plan.shiftFromCalendar).toBe(false);
  });

  it('the width is that of the narrowest sequence token; growth removes the limit', () => {
    expect(resolve({ format: '{##}-{######}', minLength: 1 }).plan).toMatchObject({ width: 2, maxValue: 99n });
    expect(resolve({ format: '{##}-{######}', minLength: 4 }).plan).toMatchObject({ width: 4, maxValue: 9999n });
    expect(resolve({ format: '{SEQUENCE}', minLength: 13, base: 'alphanumeric' }).plan.maxValue).toBe(36n ** 13n - 1n);
    expect(resolve({ allowGrowth: true }).plan.maxValue).toBeNull();
  });
});

describe('resolveSeriesSettings: bad input', () => {
  it.each<[string, SeriesInput, string]>([
    ['name', { name: '' }, 'it must not be empty'],
    ['name', { name: '   ' }, 'it must not be empty'],
    ['name', { name: undefined }, 'it is required'],
    ['name', { name: 42 }, 'it must be text'],
    ['name', { name: 'x'.repeat(101) }, 'it is 101 characters long; at most 100 are allowed'],
    ['name', { name: 'a\u0007b' }, 'it contains the control character U+0007 at character 2'],
    ['description', { description: 'x'.repeat(2001) }, 'it is 2001 characters long; at most 2000 are allowed'],
    ['format', { format: '' }, 'it is required'],
    ['format', { format: 7 }, 'it is required'],
    ['start', { start: -1 }, '"-1" is not a non-negative whole number'],
    ['start', { start: 1.5 }, '"1.5" is not a non-negative whole number'],
    ['start', { start: '12abc' }, '"12abc" is not a non-negative whole number'],
    ['start', { start: 2 ** 53 }, 'is not a non-negative whole number'],
    ['increment', { increment: 0 }, '"0" is not a whole number of at least 1'],
    ['increment', { increment: '-2' }, '"-2" is not a whole number of at least 1'],
    ['increment', { increment: 'one' }, '"one" is not a whole number of at least 1'],
    ['minLength', { minLength: 0 }, '"0" is not a whole number from 1 to 40'],
    ['minLength', { minLength: MAX_MIN_LENGTH + 1 }, '"41" is not a whole number from 1 to 40'],
    ['minLength', { minLength: 2.5 }, '"2.5" is not a whole number from 1 to 40'],
    ['global', { global: 'yes' }, 'it must be true or false'],
    ['allowGrowth', { allowGrowth: 1 }, 'it must be true or false'],
  ])('%s: %j is VALUE_INVALID (%s)', (field, input, reason) => {
    const error = refusal(input);
    expect(error.code).toBe('VALUE_INVALID');
    expect(error.details['field']).toBe(field);
    expect(error.details['reason']).toEqual(expect.stringContaining(reason));
  });

  it('a negative bigint start is VALUE_INVALID too', () => {
    expect(refusal({ start: -1n }).details).toMatchObject({ field: 'start', reason: '"-1" is not a non-negative whole number' });
  });

  it('an unknown base or reset rule is VALUE_INVALID with the allowed values', () => {
    const base = refusal({ base: 'octal' });
    expect(base.code).toBe('VALUE_INVALID');
    expect(base.details).toMatchObject({ field: 'base', allowed: [...BASE_NAMES] });
    expect(base.message).toBe('Invalid base: "octal" is not a base; expected one of numeric, alphanumeric, hex, alpha');
    const reset = refusal({ reset: 'hourly' });
    expect(reset.details).toMatchObject({ field: 'reset', allowed: [...RESET_RULES] });
    expect(refusal({ reset: 3 }).details['field']).toBe('reset');
    expect(refusal({ base: 'Numeric' }).details['field']).toBe('base');
  });

  it('an unknown time zone is TIME_ZONE_UNKNOWN on timeZone', () => {
    for (const timeZone of ['Mars/Base', '+02:00', 42]) {
      const error = refusal({ timeZone });
      expect(error.code).toBe('TIME_ZONE_UNKNOWN');
      expect(error.details['field']).toBe('timeZone');
    }
  });

  it('bad shift starts are SHIFT_CALENDAR_INVALID on shiftStarts, each problem kept', () => {
    const error = refusal({ shiftStarts: '25:00,06:00,06:00' });
    expect(error.code).toBe('SHIFT_CALENDAR_INVALID');
    expect(error.details['field']).toBe('shiftStarts');
    expect(error.problems.map((p) => p.code)).toEqual(['SHIFT_CALENDAR_INVALID', 'SHIFT_CALENDAR_INVALID']);
    expect(refusal({ shiftStarts: 42 }).code).toBe('SHIFT_CALENDAR_INVALID');
    expect(refusal({ shiftStarts: [{ label: 'A' }] }).code).toBe('SHIFT_CALENDAR_INVALID');
  });

  it('reports several problems together, headed by the first field of the form', () => {
    const error = thrown(() =>
      resolveSeriesSettings(
        { name: '', format: '{YYY}-{####}', base: 'oct', start: -1, increment: 0, minLength: 99, reset: 'hourly', timeZone: 'Mars/X', shiftStarts: '25:00', global: 'yes' },
        DEFAULTS,
      ),
    );
    expect(error.problems.map((p) => [p.code, p.field])).toEqual([
      ['VALUE_INVALID', 'name'],
      ['FORMAT_TOKEN_UNKNOWN', 'format'],
      ['VALUE_INVALID', 'base'],
      ['VALUE_INVALID', 'start'],
      ['VALUE_INVALID', 'increment'],
      ['VALUE_INVALID', 'minLength'],
      ['VALUE_INVALID', 'reset'],
      ['TIME_ZONE_UNKNOWN', 'timeZone'],
      ['SHIFT_CALENDAR_INVALID', 'shiftStarts'],
      ['VALUE_INVALID', 'global'],
    ]);
    expect(error.code).toBe('VALUE_INVALID');
    expect(error.details['field']).toBe('name');
    expect(error.message).toBe('Invalid name: it must not be empty (and 9 more problems)');
    // A format problem and a zero increment come back together, the format first.
    const two = refusal({ format: '{seq}', increment: 0 });
    expect(two.code).toBe('FORMAT_TOKEN_UNKNOWN');
    expect(two.problems.map((p) => p.field)).toEqual(['format', 'format', 'increment']);
  });

  it('refuses a start that leaves no room for a single serial', () => {
    expect(resolve({ start: 9998 }).settings.start).toBe(9998n);
    const error = refusal({ start: 9999 });
    expect(error.code).toBe('VALUE_INVALID');
    expect(error.details['field']).toBe('start');
    expect(error.message).toContain('the first serial would carry 10000, which does not fit in 4 numeric characters (at most 9999)');
    expect(refusal({ start: 9990, increment: 10 }).details['field']).toBe('start');
    expect(resolve({ start: 9990, increment: 9 }).settings.start).toBe(9990n);
    expect(refusal({ format: '{##}', minLength: 1, start: 99 }).details['field']).toBe('start');
    expect(refusal({ base: 'alpha', start: 456_975 }).details['field']).toBe('start');
    // Growth lifts the limit.
    expect(resolve({ start: 9999, allowGrowth: true }).settings.start).toBe(9999n);
  });

  it('never throws anything but a SerialtraceError, whatever the input (property)', () => {
    const loose = fc.oneof(fc.string({ maxLength: 12 }), fc.integer({ min: -5, max: 50 }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.constantFrom('hex', 'daily', '06:00', 'UTC', '12'));
    fc.assert(
      fc.property(
        fc.record({ name: loose, format: fc.oneof(loose, fc.constantFrom('{YYYY}{MM}{DD}-{####}', 'SN-{SEQUENCE}')), base: loose, start: loose, increment: loose, minLength: loose, reset: loose, timeZone: loose, shiftStarts: loose, global: loose, allowGrowth: loose }),
        (input) => {
          try {
            const { settings } = resolveSeriesSettings(input, DEFAULTS);
            expect(settings.increment >= 1n).toBe(true);
          } catch (error) {
            expect(thrown(() => { throw error; }).problems.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('resolveSeriesSettings: warnings', () => {
  const ambiguous = (input: SeriesInput) => resolve(input).plan.warnings.filter((w) => w.code === 'FORMAT_AMBIGUOUS');

  it('warns when context tokens stand on both sides of the sequence, pointing at the sequence', () => {
    const [warning] = ambiguous({ format: '{LINE}{####}{PLANT}' });
    expect(warning).toMatchObject({ severity: 'warning', field: 'format', position: 6, length: 6 });
    expect(ambiguous({ format: '{LINE}-{####}-{PLANT}' })).toHaveLength(1);
  });

  it('warns about a context token beside a sequence that may grow', () => {
    expect(ambiguous({ format: '{LINE}{####}', allowGrowth: true })).toHaveLength(1);
    expect(ambiguous({ format: '{LINE}{####}' })).toEqual([]);
    expect(ambiguous({ format: '{LINE}{PLANT}-{####}-{YYYY}' })).toEqual([]);
    expect(ambiguous({ format: '{####}{YYYY}', allowGrowth: true })).toEqual([]);
  });
});

describe('readWholeNumber', () => {
  it('reads bigints, safe integers and digit strings; nothing else', () => {
    expect(readWholeNumber(5n)).toBe(5n);
    expect(readWholeNumber(0)).toBe(0n);
    expect(readWholeNumber(' 42 ')).toBe(42n);
    expect(readWholeNumber('1'.repeat(60))).toBe(BigInt('1'.repeat(60)));
    for (const bad of [-1n, -1, 1.5, Number.NaN, 2 ** 53, '1'.repeat(61), '1e3', '0x10', '', '-3', null, undefined, {}, true]) {
      expect(readWholeNumber(bad), showValue(bad)).toBeUndefined();
    }
  });
});

describe('planSeries and compileSeries', () => {
  it('checks uniqueness when planning new settings, not when compiling stored ones', () => {
    const stored = { ...resolve({}).settings, format: 'D-{####}', reset: 'daily' as const };
    expect(planSeries(stored).problems.map((p) => p.code)).toEqual(['FORMAT_NOT_UNIQUE']);
    expect(planSeries(stored, { uniqueness: false }).problems).toEqual([]);
    expect(compileSeries(stored).format.source).toBe('D-{####}');
  });

  it('compileSeries gives the plan of settings already known to be valid', () => {
    const { settings, plan } = resolve({ format: '{YYYY}{WW}-{####}' });
    const again = compileSeries(settings);
    expect(again.width).toBe(plan.width);
    expect(again.maxValue).toBe(plan.maxValue);
    expect(again.warnings.map((w) => w.code)).toEqual(['FORMAT_WEEK_YEAR_MISMATCH']);
    expect(planSeries(settings).problems.map((p) => p.severity)).toEqual(['warning']);
  });
});

describe('settingsToJson / settingsFromJson', () => {
  it('writes big numbers as strings and the calendar as a list', () => {
    const { settings } = resolve({ start: 2n ** 64n, format: 'SN-{SEQUENCE}', minLength: 30, shiftStarts: '06:00,14:00,22:00' });
    const json = settingsToJson(settings);
    expect(json.start).toBe('18446744073709551616');
    expect(json.increment).toBe('1');
    expect(json.shiftStarts).toEqual([
      { label: 'A', start: '06:00' },
      { label: 'B', start: '14:00' },
      { label: 'C', start: '22:00' },
    ]);
    expect(settingsToJson({ ...settings, shiftStarts: null }).shiftStarts).toBeNull();
  });

  it('round-trips any valid settings, through JSON text too (property)', () => {
    const input = fc.record({
      name: fc.stringMatching(/^[A-Za-z][A-Za-z0-9 -]{0,20}$/),
      description: fc.string({ maxLength: 30 }),
      format: fc.constantFrom('SN-{####}', '{YYYY}{MM}{DD}-{SEQUENCE}', '{GGGG}{WW}/{######}', '{YY}{JJJ}{SHIFT}{HH}-{##}'),
      base: fc.constantFrom(...BASE_NAMES),
      start: fc.bigInt({ min: 0n, max: 10n ** 20n }),
      increment: fc.bigInt({ min: 1n, max: 1000n }),
      minLength: fc.integer({ min: 1, max: 40 }),
      reset: fc.constantFrom(...RESET_RULES),
      timeZone: fc.constantFrom('UTC', 'Europe/Berlin', 'Asia/Kolkata'),
      shiftStarts: fc.constantFrom(null, '06:00,14:00,22:00', 'E=06:00,N=18:00'),
      global: fc.boolean(),
      allowGrowth: fc.constant(true),
    });
    let checked = 0;
    fc.assert(
      fc.property(input, (raw) => {
        let settings: SeriesSettings;
        try {
          settings = resolveSeriesSettings(raw, DEFAULTS).settings;
        } catch {
          return; // refused combinations (e.g. a per-shift reset without a date) have nothing to store
        }
        checked += 1;
        expect(settingsFromJson(settingsToJson(settings))).toEqual(settings);
        const text = JSON.stringify(settingsToJson(settings));
        expect(settingsFromJson(JSON.parse(text) as ReturnType<typeof settingsToJson>)).toEqual(settings);
      }),
      { numRuns: 200 },
    );
    expect(checked).toBeGreaterThan(50);
  });
});

describe('resolveSeriesSettings: allocation', () => {
  it('takes leased allocation with a lease size, and keeps them through JSON', () => {
    const { settings } = resolve({ allocation: 'leased', leaseSize: '500' });
    expect(settings).toMatchObject({ allocation: 'leased', leaseSize: 500 });
    expect(settingsFromJson(settingsToJson(settings))).toEqual(settings);
  });

  it('reads a version stored before allocation existed as gapless', () => {
    const { settings } = resolve({});
    const { allocation: _a, leaseSize: _l, ...older } = settingsToJson(settings);
    expect(settingsFromJson(older as SeriesSettingsJson)).toEqual(settings);
  });

  it('refuses an unknown allocation and a lease size outside 1..100000, naming each field', () => {
    const error = refusal({ allocation: 'fast', leaseSize: 0 });
    expect(error.problems.map((p) => [p.code, p.field])).toEqual([
      ['VALUE_INVALID', 'allocation'],
      ['VALUE_INVALID', 'leaseSize'],
    ]);
    expect(refusal({ leaseSize: 100_001 }).problems[0]?.field).toBe('leaseSize');
  });
});
