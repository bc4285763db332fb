import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createSerialtrace, fixedClock, type Serialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GenerateDialog } from '../src/series/generate-dialog';
import type { SeriesView } from '../src/series/series-form-values';
import { installDialogPolyfill, json, overTheWire, renderWithSession, testSession } from './series-support';

const NOW = '2025-06-15T10:00:00Z';
let app: Serialtrace;
let lineSeries: SeriesView;
let shiftSeries: SeriesView;

beforeAll(async () => {
  installDialogPolyfill();
  app = createSerialtrace({ store: SqliteStore.open({ path: ':memory:' }), clock: fixedClock(new Date(NOW)), defaultTimeZone: 'UTC' });
  const caller = { companyId: 1, actor: 'user:qe' };
  lineSeries = overTheWire<SeriesView>(await app.series.create(caller, { name: 'Line serials', format: '{LINE}{PLANT}-{PART}-{####}' }));
  shiftSeries = overTheWire<SeriesView>(await app.series.create(caller, { name: 'Shifted', format: '{YY}{JJJ}{SHIFT}{####}', reset: 'shift' }));
});
afterAll(async () => {
  await app.store.close();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const answer = { series: 'Line serials', serials: ['L1P9-PN-7-0001', 'L1P9-PN-7-0002'], period: '*', skipped: 1, replayed: false };

describe('generate dialog', () => {
  it('asks for the context tokens the format needs, by their names, and not for calendar shifts', () => {
    renderWithSession(<GenerateDialog series={lineSeries} onClose={() => undefined} onGenerated={() => undefined} />);
    expect(screen.getByRole('dialog', { name: 'Generate serials for Line serials' })).toBeTruthy();
    for (const label of ['Work order', 'Part number', 'LINE', 'PLANT', 'Quantity']) expect(screen.getByLabelText(label)).toBeTruthy();
    // {PART} is the part number; it has no field of its own.
    expect(screen.queryByLabelText('PART')).toBeNull();
    cleanup();
    renderWithSession(<GenerateDialog series={shiftSeries} onClose={() => undefined} onGenerated={() => undefined} />);
    expect(screen.queryByLabelText('SHIFT')).toBeNull();
    expect(screen.getByText(/comes from the series’ shift calendar/)).toBeTruthy();
  });

  it('refuses a quantity outside 1 to 100 and missing tokens with clear messages, without calling the server', async () => {
    const user = userEvent.setup();
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    renderWithSession(<GenerateDialog series={lineSeries} onClose={() => undefined} onGenerated={() => undefined} />);
    const quantity = screen.getByLabelText('Quantity');
    await user.clear(quantity);
    await user.type(quantity, '101');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(screen.getByText('Enter a whole number from 1 to 100.')).toBeTruthy();
    expect(screen.getByText('Enter the LINE value: the format prints {LINE}.')).toBeTruthy();
    expect(screen.getByText('Enter the part number: the format prints it as {PART}.')).toBeTruthy();
    expect(quantity.getAttribute('aria-invalid')).toBe('true');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('retries with the same idempotency key after a network error, then shows the serials to copy and download', async () => {
    const user = userEvent.setup();
    let calls = 0;
    const fetch = vi.fn(async () => {
      calls += 1;
      if (calls === 1) throw new TypeError('Failed to fetch');
      return json(answer, 201);
    });
    vi.stubGlobal('fetch', fetch);
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    const onGenerated = vi.fn();
    renderWithSession(<GenerateDialog series={lineSeries} onClose={() => undefined} onGenerated={onGenerated} />);
    await user.type(screen.getByLabelText('Work order'), 'WO-1');
    await user.type(screen.getByLabelText('Part number'), 'PN-7');
    await user.type(screen.getByLabelText('LINE'), 'L1');
    await user.type(screen.getByLabelText('PLANT'), 'P9');
    const quantity = screen.getByLabelText('Quantity');
    await user.clear(quantity);
    await user.type(quantity, '2');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The server cannot be reached');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    const list = await screen.findByRole('list', { name: 'Generated serials' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual(answer.serials);

    const first = fetch.mock.calls[0] as unknown as [string, RequestInit];
    const second = fetch.mock.calls[1] as unknown as [string, RequestInit];
    const key = (init: RequestInit) => (init.headers as Record<string, string>)['idempotency-key'];
    expect(key(first[1])).toMatch(/.{16,}/);
    expect(key(second[1])).toBe(key(first[1]));
    expect(first[0]).toBe('/api/v1/series/Line%20serials/serials');
    expect(JSON.parse(second[1].body as string)).toEqual({ quantity: 2, workOrder: 'WO-1', partNumber: 'PN-7', context: { LINE: 'L1', PLANT: 'P9' } });
    expect(onGenerated).toHaveBeenCalledTimes(1);
    expect(screen.getByText(/1 value was skipped/)).toBeTruthy();

    await user.click(screen.getByRole('button', { name: 'Copy serials' }));
    expect(writeText).toHaveBeenCalledWith('L1P9-PN-7-0001\nL1P9-PN-7-0002');
    expect(screen.getByText(/^Copied 2 serials/)).toBeTruthy();

    const createObjectURL = vi.fn((_blob: Blob) => 'blob:serials');
    URL.createObjectURL = createObjectURL;
    URL.revokeObjectURL = vi.fn();
    // jsdom cannot follow a download link; that the page clicks it is what matters.
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => undefined);
    await user.click(screen.getByRole('button', { name: 'Download CSV' }));
    const blob = createObjectURL.mock.calls[0]![0];
    const csv = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.readAsText(blob);
    });
    expect(clicked).toHaveBeenCalled();
    expect(csv).toBe('serial,series,work order,part number,period\r\nL1P9-PN-7-0001,Line serials,WO-1,PN-7,*\r\nL1P9-PN-7-0002,Line serials,WO-1,PN-7,*\r\n');

    // Another batch is another request, with a key of its own.
    await user.click(screen.getByRole('button', { name: 'Generate more' }));
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await screen.findByRole('list', { name: 'Generated serials' });
    const third = fetch.mock.calls[2] as unknown as [string, RequestInit];
    expect(key(third[1])).not.toBe(key(first[1]));
    // One button closes the dialog by its × (Close), one ends the task (Done): never two alike.
    expect(screen.getAllByRole('button', { name: 'Close' })).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Done' })).toBeTruthy();
  });

  it('says so when the clipboard is not available', async () => {
    const user = userEvent.setup();
    vi.stubGlobal('fetch', vi.fn(async () => json({ ...answer, skipped: 0 }, 201)));
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined });
    renderWithSession(<GenerateDialog series={lineSeries} onClose={() => undefined} onGenerated={() => undefined} />, testSession());
    await user.type(screen.getByLabelText('Part number'), 'PN-7');
    await user.type(screen.getByLabelText('LINE'), 'L1');
    await user.type(screen.getByLabelText('PLANT'), 'P9');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await user.click(await screen.findByRole('button', { name: 'Copy serials' }));
    expect(screen.getByText(/does not allow copying from this page/)).toBeTruthy();
    expect(screen.queryByText(/skipped/)).toBeNull();
  });

  it('shows a refusal of the server in words and keeps what was typed', async () => {
    const user = userEvent.setup();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => json({ status: 409, code: 'SERIES_EXHAUSTED', detail: 'Series "Line serials" cannot issue 2 more serial(s) in period *: 1 left of 9999' }, 409)),
    );
    renderWithSession(<GenerateDialog series={lineSeries} onClose={() => undefined} onGenerated={() => undefined} />);
    await user.type(screen.getByLabelText('Part number'), 'PN-7');
    await user.type(screen.getByLabelText('LINE'), 'L1');
    await user.type(screen.getByLabelText('PLANT'), 'P9');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('cannot issue 2 more serial(s)'));
    expect(screen.getByLabelText<HTMLInputElement>('LINE').value).toBe('L1');
  });
});
