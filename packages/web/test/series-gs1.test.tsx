import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createSerialtrace, fixedClock, type Serialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GenerateDialog } from '../src/series/generate-dialog';
import { SeriesFormDialog } from '../src/series/series-form-dialog';
import type { SeriesView } from '../src/series/series-form-values';
import { SeriesPanel } from '../src/series/series-panel';
import { installDialogPolyfill, json, overTheWire, renderWithSession, testSession } from './series-support';

const NOW = '2025-06-15T10:00:00Z';
const MASTER_KEY = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const caller = { companyId: 1, actor: 'user:qe' };
let app: Serialtrace;
let vials: SeriesView;
let plain: SeriesView;

beforeAll(async () => {
  installDialogPolyfill();
  app = createSerialtrace({ store: SqliteStore.open({ path: ':memory:' }), clock: fixedClock(new Date(NOW)), defaultTimeZone: 'UTC', masterKey: MASTER_KEY });
  await app.series.create(caller, { name: 'Vials', format: 'V{######}', gtin: '09520123456788', companyPrefix: '952012' });
  await app.series.create(caller, { name: 'Pallets', sscc: true, companyPrefix: '0952012', extensionDigit: 3 });
  await app.series.create(caller, { name: 'Packs', format: '{########}', gtin: '09520123456788', randomized: true });
  await app.series.create(caller, { name: 'Plain', format: 'P-{####}' });
  await app.generation.generate(caller, 'Vials', { quantity: 2, lot: 'L1' });
  await app.generation.generate(caller, 'Packs', { quantity: 99 });
  vials = overTheWire<SeriesView>(await app.series.get(caller, 'Vials'));
  plain = overTheWire<SeriesView>(await app.series.get(caller, 'Plain'));
});
afterAll(async () => {
  await app.store.close();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function openAddForm() {
  const onSaved = vi.fn();
  const fetch = vi.fn(async (_url: string, init: RequestInit) => json({ ...JSON.parse(init.body as string), id: 1 }, 201));
  vi.stubGlobal('fetch', fetch);
  renderWithSession(<SeriesFormDialog onClose={() => undefined} onSaved={onSaved} />, testSession({ now: NOW }));
  return { onSaved, fetch, format: screen.getByLabelText<HTMLInputElement>('Format') };
}

const shownSerials = () =>
  within(screen.getByRole('list', { name: 'Next serials' }))
    .getAllByRole('listitem')
    .map((li) => li.textContent);

const sentBody = (fetch: ReturnType<typeof vi.fn>) => JSON.parse((fetch.mock.calls[0]![1] as RequestInit).body as string) as Record<string, unknown>;

describe('series form: GS1', () => {
  it('offers None, GTIN serial numbers and SSCCs, and asks only for what the choice needs', async () => {
    const user = userEvent.setup();
    openAddForm();
    const identity = screen.getByRole<HTMLSelectElement>('combobox', { name: 'GS1 identity' });
    expect(within(identity).getAllByRole('option').map((o) => o.textContent)).toEqual(['None', 'Serial numbers of a GTIN', 'SSCCs']);
    expect(identity.value).toBe('none');
    expect(screen.queryByLabelText('GTIN')).toBeNull();
    expect(screen.queryByLabelText('Company prefix')).toBeNull();
    await user.selectOptions(identity, 'gtin');
    expect(screen.getByLabelText('GTIN')).toBeTruthy();
    expect(screen.getByText(/the last being the GS1 check digit/)).toBeTruthy();
    expect(screen.getByText(/gives each record its EPC URN/)).toBeTruthy();
    expect(screen.queryByLabelText('Extension digit')).toBeNull();
    await user.selectOptions(identity, 'sscc');
    expect(screen.queryByLabelText('GTIN')).toBeNull();
    expect(screen.getByLabelText('Extension digit')).toBeTruthy();
    expect(screen.getByRole('checkbox', { name: 'Randomised serials (EU FMD)' })).toBeTruthy();
  });

  it('sends the GTIN and company prefix in the create body', async () => {
    const user = userEvent.setup();
    const { fetch, format, onSaved } = openAddForm();
    await user.type(screen.getByLabelText('Name'), 'Vials 2');
    await user.click(format);
    await user.paste('V{######}');
    await user.selectOptions(screen.getByLabelText('GS1 identity'), 'gtin');
    await user.type(screen.getByLabelText('GTIN'), '09520123456788');
    await user.type(screen.getByLabelText('Company prefix'), '952012');
    await user.click(screen.getByRole('button', { name: 'Create series' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const body = sentBody(fetch);
    expect(body).toMatchObject({ name: 'Vials 2', format: 'V{######}', gtin: '09520123456788', companyPrefix: '952012' });
    expect(body).not.toHaveProperty('sscc');
    expect(body).not.toHaveProperty('randomized');
    expect(body).not.toHaveProperty('extensionDigit');
  });

  it('marks a GTIN whose check digit is wrong at its field, as core says, without sending', async () => {
    const user = userEvent.setup();
    const { fetch } = openAddForm();
    await user.selectOptions(screen.getByLabelText('GS1 identity'), 'gtin');
    const gtin = screen.getByLabelText('GTIN');
    await user.type(gtin, '09520123456789');
    await waitFor(() => expect(gtin.getAttribute('aria-invalid')).toBe('true'));
    const error = document.getElementById(gtin.getAttribute('aria-describedby')!.split(' ').at(-1)!)!;
    expect(error.textContent).toContain('the GS1 mod-10 check digit is 8');
    await user.click(screen.getByRole('button', { name: 'Create series' }));
    expect(fetch).not.toHaveBeenCalled();
  });

  it('creates an SSCC series without a format: the preview shows the derived 18-digit SSCCs', async () => {
    const user = userEvent.setup();
    const { fetch, format, onSaved } = openAddForm();
    await user.type(screen.getByLabelText('Name'), 'Pallets 2');
    await user.selectOptions(screen.getByLabelText('GS1 identity'), 'sscc');
    expect(screen.getByText(/Optional for SSCCs: left empty, it is derived/)).toBeTruthy();
    expect(format.required).toBe(false);
    await user.type(screen.getByLabelText('Company prefix'), '0952012');
    await user.type(screen.getByLabelText('Extension digit'), '3');
    const server = await app.series.previewDefinition({ name: 'x', sscc: true, companyPrefix: '0952012', extensionDigit: 3 }, { count: 5 });
    await waitFor(() => expect(shownSerials()).toEqual(server.serials));
    expect(server.serials[0]).toMatch(/^30952012\d{10}$/);
    await user.click(screen.getByRole('button', { name: 'Create series' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    const body = sentBody(fetch);
    expect(body).toMatchObject({ name: 'Pallets 2', sscc: true, companyPrefix: '0952012', extensionDigit: 3 });
    expect(body).not.toHaveProperty('format');
    expect(body).not.toHaveProperty('gtin');
  });

  it('says under the preview that randomised serials are shown in order, and sends randomized', async () => {
    const user = userEvent.setup();
    const { fetch, format, onSaved } = openAddForm();
    await user.type(screen.getByLabelText('Name'), 'Packs 2');
    await user.click(format);
    await user.paste('{########}');
    expect(screen.queryByText(/Randomised: issued serials are scrambled/)).toBeNull();
    await user.click(screen.getByRole('checkbox', { name: 'Randomised serials (EU FMD)' }));
    expect(screen.getByText(/at most one in 10,000 values of a period is issued/)).toBeTruthy();
    await waitFor(() => expect(screen.getByText('Randomised: issued serials are scrambled; this preview shows them in order.')).toBeTruthy());
    expect(shownSerials()).toEqual(['00000001', '00000002', '00000003', '00000004', '00000005']);
    await user.click(screen.getByRole('button', { name: 'Create series' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalled());
    expect(sentBody(fetch)).toMatchObject({ name: 'Packs 2', format: '{########}', randomized: true });
  });

  it('locks the GS1 settings of a series that has issued, with the reason', async () => {
    renderWithSession(<SeriesFormDialog series={vials} onClose={() => undefined} onSaved={() => undefined} />, testSession({ now: NOW }));
    const identity = screen.getByLabelText<HTMLSelectElement>('GS1 identity');
    expect(identity.value).toBe('gtin');
    expect(identity.disabled).toBe(true);
    const gtin = screen.getByLabelText<HTMLInputElement>('GTIN');
    expect(gtin.value).toBe('09520123456788');
    expect(gtin.readOnly).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>('Company prefix').readOnly).toBe(true);
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: 'Randomised serials (EU FMD)' }).disabled).toBe(true);
    const hint = document.getElementById(gtin.getAttribute('aria-describedby')!.split(' ')[0]!)!;
    expect(hint.textContent).toBe('Fixed: this series has issued serials.');
    expect(screen.getByText(/shift starts and GS1 settings/)).toBeTruthy();
  });
});

describe('generate dialog: lot and expiry', () => {
  it('asks for a lot and an expiry only for a series of a GTIN, and sends them', async () => {
    renderWithSession(<GenerateDialog series={plain} onClose={() => undefined} onGenerated={() => undefined} />);
    expect(screen.queryByLabelText('Lot')).toBeNull();
    expect(screen.queryByLabelText('Expiry')).toBeNull();
    cleanup();

    const user = userEvent.setup();
    const fetch = vi.fn(async () => json({ series: 'Vials', serials: ['V000003'], period: '*', skipped: 0, replayed: false }, 201));
    vi.stubGlobal('fetch', fetch);
    const onGenerated = vi.fn();
    renderWithSession(<GenerateDialog series={vials} onClose={() => undefined} onGenerated={onGenerated} />);
    await user.type(screen.getByLabelText('Lot'), 'L2025-06');
    const expiry = screen.getByLabelText('Expiry');
    await user.type(expiry, '2027-06');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    expect(screen.getByText('Enter the date as YYYY-MM-DD or YYMMDD.')).toBeTruthy();
    expect(expiry.getAttribute('aria-invalid')).toBe('true');
    expect(fetch).not.toHaveBeenCalled();
    await user.type(expiry, '-30');
    await user.click(screen.getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(onGenerated).toHaveBeenCalled());
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/series/Vials/serials');
    expect(JSON.parse(init.body as string)).toEqual({ quantity: 1, workOrder: null, partNumber: null, lot: 'L2025-06', expiry: '2027-06-30' });
  });
});

describe('series panel: GS1 and randomised series', () => {
  it('shows GTIN, SSCC and randomised badges, and the guess chance of a randomised series', async () => {
    const list = overTheWire<SeriesView[]>(await app.series.list(caller));
    vi.stubGlobal('fetch', vi.fn(async (url: string) => (url === '/api/v1/series' ? json({ series: list }) : json({ code: 'NOT_FOUND', detail: 'no' }, 404))));
    renderWithSession(<SeriesPanel selected={null} onSelect={() => undefined} refreshKey={0} onRecordsChanged={() => undefined} />, testSession({ now: NOW }));
    const item = (name: string) => screen.getByRole('button', { name }).closest('li')!;
    await screen.findByRole('button', { name: 'Vials' });
    expect(within(item('Vials')).getByText('GTIN').textContent).toBe('GTIN 09520123456788');
    expect(within(item('Pallets')).getByText('SSCC').textContent).toBe('SSCC 30952012');
    expect(within(item('Packs')).getByText('Randomised')).toBeTruthy();
    expect(within(item('Vials')).queryByText('Randomised')).toBeNull();
    const packs = list.find((s) => s.name === 'Packs')!;
    expect(packs.guess).not.toBeNull();
    // 10^8 values, 99 issued: 1 in 1,010,101; the EU FMD bound is 1 in 10,000.
    expect(within(item('Packs')).getByText('guess chance 1 in 1,010,101 · limit 1 in 10,000')).toBeTruthy();
    expect(within(item('Vials')).queryByText(/guess chance/)).toBeNull();
  });
});
