import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createSerialtrace, fixedClock, type Serialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SeriesFormDialog } from '../src/series/series-form-dialog';
import type { SeriesView } from '../src/series/series-form-values';
import { installDialogPolyfill, json, overTheWire, renderWithSession, testSession } from './series-support';

// Half past midnight in Berlin on New Year's Day, still the old year in UTC and New York: the
// instant where a zone mistake would show.
const NOW = '2025-12-31T23:30:00Z';
const ZONE = 'Europe/Berlin';

let app: Serialtrace;
beforeAll(() => {
  installDialogPolyfill();
  app = createSerialtrace({ store: SqliteStore.open({ path: ':memory:' }), clock: fixedClock(new Date(NOW)), defaultTimeZone: ZONE });
});
afterAll(async () => {
  await app.store.close();
});
afterEach(cleanup);

interface Case {
  readonly format: string;
  readonly base?: string;
  readonly reset?: string;
  readonly minLength?: string;
  readonly start?: string;
  readonly increment?: string;
  readonly timeZone?: string;
  readonly shiftStarts?: string;
  readonly allowGrowth?: boolean;
}

const CASES: readonly Case[] = [
  { format: 'SN-{YYYY}{JJJ}-{####}' },
  { format: 'LOT{YY}{MM}{DD}-{SEQUENCE}', base: 'alphanumeric', reset: 'daily', minLength: '3', start: '100', increment: '5' },
  { format: '{LINE}-{GGGG}W{WW}-{######}', base: 'hex', reset: 'weekly', timeZone: 'America/New_York' },
  { format: 'A{YYYY}{MM}{###}', base: 'alpha', reset: 'monthly', start: '17574' },
  { format: '{YY}{JJJ}{SHIFT}{#####}', reset: 'shift', shiftStarts: 'X=00:00,Y=12:00', timeZone: 'Asia/Tokyo' },
  { format: 'Y{YYYY}-{##}', reset: 'yearly', minLength: '2', start: '96', increment: '1' },
  { format: 'G{YYYY}{HH}{NN}{SS}-{##}', minLength: '1', start: '97', allowGrowth: true, base: 'numeric' },
];

async function fill(user: ReturnType<typeof userEvent.setup>, c: Case) {
  const set = async (label: string, value: string | undefined) => {
    if (value === undefined) return;
    const input = screen.getByLabelText(label);
    await user.clear(input);
    await user.click(input);
    await user.paste(value);
  };
  await set('Format', c.format);
  if (c.base !== undefined) await user.selectOptions(screen.getByLabelText('Base'), c.base);
  if (c.reset !== undefined) await user.selectOptions(screen.getByLabelText('Reset rule'), c.reset);
  await set('Minimum length', c.minLength);
  await set('Starting value', c.start);
  await set('Increment by', c.increment);
  await set('Time zone', c.timeZone);
  await set('Shift starts', c.shiftStarts);
  if (c.allowGrowth === true) await user.click(screen.getByRole('checkbox', { name: 'Let the sequence grow past its width' }));
}

function shownSerials(): string[] {
  return within(screen.getByRole('list', { name: 'Next serials' }))
    .getAllByRole('listitem')
    .map((li) => li.textContent ?? '');
}

describe('series form: live preview', () => {
  it('updates the next serials as the user types', async () => {
    const user = userEvent.setup();
    renderWithSession(<SeriesFormDialog onClose={() => undefined} onSaved={() => undefined} />, testSession({ now: NOW, timeZone: ZONE }));
    expect(screen.getByRole('region', { name: 'Preview' })).toBeTruthy();
    const format = screen.getByLabelText('Format');
    await user.click(format);
    await user.paste('SN-{####}');
    await waitFor(() => expect(shownSerials()).toEqual(['SN-0001', 'SN-0002', 'SN-0003', 'SN-0004', 'SN-0005']));
    await user.click(screen.getByRole('button', { name: '{YYYY}' }));
    await waitFor(() => expect(shownSerials()[0]).toBe('SN-{####}2026'.replace('{####}', '0001')));
    expect(screen.getByRole('region', { name: 'Preview' }).textContent).toContain('9,999 serials in all');
  });

  it.each(CASES)('shows exactly what the server would issue for $format', async (c) => {
    const user = userEvent.setup();
    renderWithSession(<SeriesFormDialog onClose={() => undefined} onSaved={() => undefined} />, testSession({ now: NOW, timeZone: ZONE }));
    await fill(user, c);
    const input = {
      format: c.format,
      ...(c.base === undefined ? {} : { base: c.base }),
      ...(c.reset === undefined ? {} : { reset: c.reset }),
      ...(c.minLength === undefined ? {} : { minLength: Number(c.minLength) }),
      ...(c.start === undefined ? {} : { start: c.start }),
      ...(c.increment === undefined ? {} : { increment: c.increment }),
      ...(c.timeZone === undefined ? {} : { timeZone: c.timeZone }),
      ...(c.shiftStarts === undefined ? {} : { shiftStarts: c.shiftStarts }),
      ...(c.allowGrowth === undefined ? {} : { allowGrowth: c.allowGrowth }),
    };
    const server = await app.series.previewDefinition(input, { placeholders: true });
    expect(server.serials.length).toBeGreaterThan(0);
    // Every condition at once: an intermediate state of the form may print the same serials.
    await waitFor(() => {
      const region = screen.getByRole('region', { name: 'Preview' });
      expect(region.getAttribute('aria-busy')).toBe('false');
      expect(shownSerials()).toEqual(server.serials);
      if (server.period !== '*') expect(region.textContent).toContain(`in period ${server.period}`);
      expect(region.textContent.includes('Only these fit')).toBe(server.truncated);
    });
  });

  it.each([
    { format: 'SN-{YYY}-{####}' },
    { format: 'D{####}', reset: 'daily' },
    { format: '{YYYY}{WW}-{####}', reset: 'weekly' },
    { format: 'S{YY}{JJJ}{SHIFT}{####}', reset: 'shift', shiftStarts: 'E=06:00,L=14:00,N=22:00' },
    { format: 'NOSEQ-{YYYY}' },
  ] as Case[])('refuses $format with the server\'s own words', async (c) => {
    const user = userEvent.setup();
    renderWithSession(<SeriesFormDialog onClose={() => undefined} onSaved={() => undefined} />, testSession({ now: NOW, timeZone: ZONE }));
    await fill(user, c);
    const input = { format: c.format, ...(c.reset === undefined ? {} : { reset: c.reset }), ...(c.shiftStarts === undefined ? {} : { shiftStarts: c.shiftStarts }) };
    const refusal = await app.series.previewDefinition(input, { placeholders: true }).then(
      () => undefined,
      (error: unknown) => error as { asProblems(): readonly { message: string }[] },
    );
    expect(refusal).toBeDefined();
    const format = screen.getByLabelText('Format');
    await waitFor(() => {
      const described = (format.getAttribute('aria-describedby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
      for (const problem of refusal!.asProblems()) expect(described).toContain(problem.message);
    });
    expect(screen.queryByRole('list', { name: 'Next serials' })).toBeNull();
  });
});

describe('series form: editing a series that has issued', () => {
  it('previews from the counter as the server does, and fixes the fields that shape serials', async () => {
    const caller = { companyId: 1, actor: 'user:qe' };
    await app.series.create(caller, { name: 'Boards', format: 'PCB-{YY}{MM}-{#####}', reset: 'monthly', base: 'hex' });
    await app.generation.generate(caller, 'Boards', { quantity: 3 });
    const view = overTheWire<SeriesView>(await app.series.get(caller, 'Boards'));
    const server = await app.series.previewNext(caller, 'Boards', { placeholders: true });
    renderWithSession(<SeriesFormDialog series={view} onClose={() => undefined} onSaved={() => undefined} />, testSession({ now: NOW, timeZone: ZONE }));
    expect(screen.getByRole('dialog', { name: 'Edit series Boards' })).toBeTruthy();
    await waitFor(() => expect(shownSerials()).toEqual(server.serials));
    expect(server.serials[0]).toBe('PCB-2601-00004');
    expect(screen.getByLabelText<HTMLInputElement>('Format').readOnly).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>('Minimum length').readOnly).toBe(true);
    expect(screen.getByLabelText<HTMLSelectElement>('Base').disabled).toBe(true);
    expect(screen.getByLabelText<HTMLSelectElement>('Reset rule').disabled).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>('Time zone').readOnly).toBe(true);
    expect(screen.queryByRole('group', { name: 'Available tokens' })).toBeNull();
    expect(screen.getByText(/has issued serials, so its format, base, minimum length/)).toBeTruthy();
    // What does not shape serials stays editable.
    expect(screen.getByLabelText<HTMLTextAreaElement>('Description').readOnly).toBe(false);
    expect(screen.getByRole('button', { name: 'Save changes' })).toBeTruthy();
  });

  it('sends a reason in any script through its header, as an RFC 8187 value', async () => {
    const user = userEvent.setup();
    const caller = { companyId: 1, actor: 'user:qe' };
    const view = overTheWire<SeriesView>(await app.series.create(caller, { name: 'Labels', format: 'L-{####}' }));
    const fetch = vi.fn(async (_url: string, init: RequestInit) => json({ ...view, ...JSON.parse(init.body as string) }));
    vi.stubGlobal('fetch', fetch);
    try {
      renderWithSession(<SeriesFormDialog series={view} onClose={() => undefined} onSaved={() => undefined} />, testSession({ now: NOW, timeZone: ZONE }));
      await user.type(screen.getByLabelText('Description'), 'Shipping labels');
      await user.type(screen.getByLabelText('Reason'), 'Audit 🚚 Prüfung');
      await user.click(screen.getByRole('button', { name: 'Save changes' }));
      await waitFor(() => expect(fetch).toHaveBeenCalledTimes(1));
      const headers = fetch.mock.calls[0]![1].headers as Record<string, string>;
      expect(headers['serialtrace-reason']).toBe("UTF-8''Audit%20%F0%9F%9A%9A%20Pr%C3%BCfung");
      expect(screen.getByLabelText('Reason').getAttribute('aria-invalid')).not.toBe('true');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
