import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { createSerialtrace, fixedClock, type Serialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SeriesPanel } from '../src/series/series-panel';
import { installDialogPolyfill, json, renderWithSession, testSession } from './series-support';

const NOW = '2025-06-15T10:00:00Z';
let app: Serialtrace;
let views: unknown[];

beforeAll(async () => {
  installDialogPolyfill();
  app = createSerialtrace({ store: SqliteStore.open({ path: ':memory:' }), clock: fixedClock(new Date(NOW)), defaultTimeZone: 'UTC' });
  const caller = { companyId: 1, actor: 'user:qe' };
  await app.series.create(caller, { name: 'Widgets', format: 'W-{YYYY}-{####}', description: 'Finished goods' });
  await app.series.create(caller, { name: 'Almost full', format: 'AF-{##}', minLength: 2, start: 90, global: true });
  await app.series.create(caller, { name: 'Lots', format: 'LOT-{YY}{MM}{DD}-{###}', reset: 'daily', allocation: 'leased', leaseSize: 50 });
  await app.generation.generate(caller, 'Almost full', { quantity: 5 });
  views = await app.series.list(caller);
});
afterAll(async () => {
  await app.store.close();
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function serveList(list: unknown[]) {
  const fetch = vi.fn(async (url: string) => (url === '/api/v1/series' ? json({ series: list }) : json({ code: 'NOT_FOUND', detail: 'no' }, 404)));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

function renderPanel(role: 'admin' | 'engineer' | 'operator' | 'viewer' = 'admin', selected: string | null = null) {
  const onSelect = vi.fn();
  const onRecordsChanged = vi.fn();
  const utils = renderWithSession(<SeriesPanel selected={selected} onSelect={onSelect} refreshKey={0} onRecordsChanged={onRecordsChanged} />, testSession({ role, now: NOW }));
  return { onSelect, onRecordsChanged, ...utils };
}

/** The select buttons of the list, in order: the ones that carry a pressed state. */
const names = () =>
  within(screen.getByRole('list', { name: 'Series list' }))
    .getAllByRole('button')
    .filter((b) => b.hasAttribute('aria-pressed'))
    .map((b) => b.textContent);

describe('series panel', () => {
  it('lists every series with its settings and capacity, and selects by name', async () => {
    const user = userEvent.setup();
    serveList(views);
    const { onSelect } = renderPanel('admin', 'Widgets');
    expect(screen.getByRole('status').textContent).toBe('Loading series…');
    const widgets = await screen.findByRole('button', { name: 'Widgets' });
    expect(widgets.getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'All series' }).getAttribute('aria-pressed')).toBe('false');
    const meter = screen.getByRole('meter', { name: 'Capacity used by Almost full' });
    expect(meter.getAttribute('aria-valuetext')).toBe('55% used');
    expect(screen.getByRole('meter', { name: 'Capacity used by Widgets' }).getAttribute('aria-valuetext')).toBe('0% used');
    const item = widgets.closest('li')!;
    expect(item.textContent).toContain('W-{YYYY}-{####}');
    expect(item.textContent).toContain('Numeric');
    expect(item.textContent).toContain('Never');
    expect(item.textContent).toContain('Gapless');
    expect(screen.getByRole('button', { name: 'Lots' }).closest('li')!.textContent).toContain('Leased blocks of 50');
    expect(screen.getByRole('button', { name: 'Almost full' }).closest('li')!.textContent).toContain('Global');
    await user.click(screen.getByRole('button', { name: 'Lots' }));
    expect(onSelect).toHaveBeenLastCalledWith('Lots');
    await user.click(screen.getByRole('button', { name: 'All series' }));
    expect(onSelect).toHaveBeenLastCalledWith(null);
  });

  it('searches by name, format and description, and sorts by name, change or capacity', async () => {
    const user = userEvent.setup();
    serveList(views);
    renderPanel();
    await screen.findByRole('button', { name: 'Widgets' });
    expect(names()).toEqual(['Almost full', 'Lots', 'Widgets']);
    await user.selectOptions(screen.getByLabelText('Sort series by'), 'Capacity used');
    expect(names()[0]).toBe('Almost full');
    await user.selectOptions(screen.getByLabelText('Sort series by'), 'Recently changed');
    expect(names()).toEqual(['Lots', 'Almost full', 'Widgets'].sort((a, b) => {
      const at = (n: string) => (views as { name: string; updatedAt: string }[]).find((v) => v.name === n)!.updatedAt;
      return at(b).localeCompare(at(a)) || a.localeCompare(b);
    }));
    const search = screen.getByLabelText('Search series');
    await user.type(search, 'finished');
    expect(names()).toEqual(['Widgets']);
    await user.clear(search);
    await user.type(search, '{{YY}');
    expect(names()).toEqual(['Lots']);
    await user.clear(search);
    await user.type(search, 'nothing like it');
    expect(screen.getByText(/No series match/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Clear search' }));
    expect(names()).toHaveLength(3);
  });

  it('offers add, edit and generate only to roles that may use them', async () => {
    serveList(views);
    renderPanel('admin');
    await screen.findByRole('button', { name: 'Widgets' });
    expect(screen.getByRole('button', { name: 'Add series' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Edit Widgets' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Generate serials for Widgets' })).toBeTruthy();
    cleanup();

    renderPanel('operator');
    await screen.findByRole('button', { name: 'Widgets' });
    expect(screen.queryByRole('button', { name: 'Add series' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit Widgets' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Generate serials for Widgets' })).toBeTruthy();
    cleanup();

    renderPanel('engineer');
    await screen.findByRole('button', { name: 'Widgets' });
    expect(screen.getByRole('button', { name: 'Edit Widgets' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Generate serials for Widgets' })).toBeNull();
    cleanup();

    renderPanel('viewer');
    await screen.findByRole('button', { name: 'Widgets' });
    expect(screen.queryByRole('button', { name: /^(Add series|Edit |Generate )/ })).toBeNull();
  });

  it('says when there is no series yet, and how to add one', async () => {
    serveList([]);
    renderPanel('engineer');
    expect(await screen.findByText('No series yet')).toBeTruthy();
    expect(screen.getByText(/Add one with “Add series”/)).toBeTruthy();
    cleanup();
    renderPanel('viewer');
    expect(await screen.findByText('No series yet')).toBeTruthy();
    expect(screen.queryByText(/Add one with/)).toBeNull();
  });

  it('shows a failure in words, passes it to the session, and tries again on request', async () => {
    const user = userEvent.setup();
    const fetch = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    vi.stubGlobal('fetch', fetch);
    const session = testSession({ now: NOW });
    renderWithSession(<SeriesPanel selected={null} onSelect={() => undefined} refreshKey={0} onRecordsChanged={() => undefined} />, session);
    expect((await screen.findByRole('alert')).textContent).toContain('The server cannot be reached');
    expect(session.onError).toHaveBeenCalled();
    serveList(views);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('button', { name: 'Widgets' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('opens the add form, and selects the new series once it is created', async () => {
    const user = userEvent.setup();
    const created = (views as { name: string }[]).find((v) => v.name === 'Widgets');
    const fetch = vi.fn(async (url: string, init: RequestInit) => {
      if (init.method === 'POST') return json({ ...created, name: 'Gadgets' }, 201);
      return json({ series: views });
    });
    vi.stubGlobal('fetch', fetch);
    const { onSelect } = renderPanel('admin');
    await user.click(await screen.findByRole('button', { name: 'Add series' }));
    const dialog = screen.getByRole('dialog', { name: 'Add series' });
    await user.type(within(dialog).getByLabelText('Name'), 'Gadgets');
    await user.click(within(dialog).getByLabelText('Format'));
    await user.paste('G-{####}');
    await user.click(within(dialog).getByRole('button', { name: 'Create series' }));
    await waitFor(() => expect(onSelect).toHaveBeenCalledWith('Gadgets'));
    expect(screen.queryByRole('dialog')).toBeNull();
    // The list is read again.
    expect(fetch.mock.calls.filter(([url, init]) => url === '/api/v1/series' && init.method === 'GET').length).toBe(2);
  });
});
