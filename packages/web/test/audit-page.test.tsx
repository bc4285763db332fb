import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { EVENT_ENTITY_TYPES, EVENT_TYPE_NAMES, EVENT_TYPES } from '@serialtrace/core';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AuditPage, auditExportName } from '../src/audit/audit-page';
import { AuditVerification, describeBreak, type VerifyResult } from '../src/audit/audit-verification';
import { auditEntry, installDomShims, json, makeSession, renderSignedIn, stubFetch } from './records-fixtures';

beforeAll(installDomShims);
beforeEach(() => window.history.replaceState(null, '', '/audit'));
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const entries = (from: number, n: number) => Array.from({ length: n }, (_, i) => auditEntry(from - i));

describe('AuditPage', () => {
  it('lists entries newest first and loads older ones through the cursor', async () => {
    const { calls } = stubFetch(({ url }) => json(url.searchParams.get('cursor') === null ? { entries: entries(150, 100), nextCursor: 'older' } : { entries: entries(50, 50), nextCursor: null }));
    const user = userEvent.setup();
    renderSignedIn(<AuditPage />);
    expect(screen.getByRole('heading', { level: 1, name: 'Audit trail' })).toBeTruthy();
    const region = await screen.findByRole('region', { name: 'Audit entries' });
    expect(within(region).getAllByRole('row')).toHaveLength(101);
    expect(screen.getByText(/100 entries shown · older entries remain/)).toBeTruthy();
    // An entry that concerns a record links to its details.
    expect(within(region).getByRole('link', { name: 'SN-150' }).getAttribute('href')).toBe('/?record=SN-150&recordSeries=Widgets');
    await user.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(within(region).getAllByRole('row')).toHaveLength(151));
    expect(calls[1]!.url.searchParams.get('cursor')).toBe('older');
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(screen.getByText(/150 entries shown · that is all/)).toBeTruthy();
  });

  it('filters by action and entity from the address bar', async () => {
    window.history.replaceState(null, '', '/audit?entityType=record&entityId=7');
    const { calls } = stubFetch(() => json({ entries: [auditEntry(3, { entityId: '7' })], nextCursor: null }));
    const user = userEvent.setup();
    renderSignedIn(<AuditPage />);
    await screen.findByRole('region', { name: 'Audit entries' });
    expect(calls[0]!.url.searchParams.get('entityType')).toBe('record');
    expect(calls[0]!.url.searchParams.get('entityId')).toBe('7');
    expect((screen.getByRole<HTMLSelectElement>('combobox', { name: 'Entity type' })).value).toBe('record');
    expect((screen.getByRole<HTMLInputElement>('textbox', { name: 'Entity ID' })).value).toBe('7');
    await user.type(screen.getByRole('combobox', { name: 'Action' }), 'record.status_changed');
    await waitFor(() => expect(new URLSearchParams(window.location.search).get('action')).toBe('record.status_changed'));
    await waitFor(() => expect(calls.at(-1)!.url.searchParams.get('action')).toBe('record.status_changed'));
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(window.location.search).toBe('');
  });

  it('offers every action and entity type of the event catalog as a filter, in words', async () => {
    stubFetch(() => json({ entries: [auditEntry(1)], nextCursor: null }));
    renderSignedIn(<AuditPage />);
    await screen.findByRole('region', { name: 'Audit entries' });
    const types = within(screen.getByRole('combobox', { name: 'Entity type' })).getAllByRole<HTMLOptionElement>('option');
    expect(types.map((o) => o.value)).toEqual(['', ...Object.keys(EVENT_ENTITY_TYPES)]);
    expect(types.find((o) => o.value === 'label_template')?.textContent).toBe('Label template');
    const input = screen.getByRole('combobox', { name: 'Action' });
    const actions = [...document.getElementById(input.getAttribute('list')!)!.querySelectorAll('option')];
    expect(actions.map((o) => o.value)).toEqual(EVENT_TYPE_NAMES);
    expect(actions.map((o) => o.textContent)).toEqual(EVENT_TYPE_NAMES.map((type) => EVENT_TYPES[type].label));
  });

  it('verifies the chain and says it is intact, with the count and the head', async () => {
    stubFetch(({ url }) =>
      url.pathname === '/api/v1/audit/verify'
        ? json(verified({ valid: true, checked: 1234, head: { seq: 1234, hash: 'c'.repeat(64) }, recordsChecked: 5000 }))
        : json({ entries: [auditEntry(1)], nextCursor: null }),
    );
    const user = userEvent.setup();
    renderSignedIn(<AuditPage />);
    await user.click(screen.getByRole('button', { name: 'Verify chain' }));
    const status = await screen.findByText(/The audit chain is intact/);
    expect(status.textContent).toContain('1,234 entries verified');
    const region = status.closest('[role="status"]')!;
    expect(region.textContent).toContain('c'.repeat(64));
    expect(region.textContent).toContain('5,000 records and 0 status changes match the entries that made them');
    expect(region.textContent).toContain('Verified at');
  });

  it('hides verification and export from a role without audit.export', async () => {
    stubFetch(() => json({ entries: [], nextCursor: null }));
    renderSignedIn(<AuditPage />, makeSession('viewer'));
    expect(await screen.findByText('No audit entries yet')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Verify chain' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Export CSV' })).toBeNull();
  });

  it('exports the trail as a CSV file named by the day', async () => {
    const { calls } = stubFetch(({ url }) =>
      url.pathname === '/api/v1/audit/export' ? new Response('seq,at\r\n1,x\r\n', { headers: { 'content-type': 'text/csv' } }) : json({ entries: [], nextCursor: null }),
    );
    const created = vi.fn((_blob: Blob) => 'blob:audit');
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL: created, revokeObjectURL: vi.fn() }));
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    const user = userEvent.setup();
    renderSignedIn(<AuditPage />);
    await user.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(names).toHaveLength(1));
    expect(calls.find((c) => c.url.pathname === '/api/v1/audit/export')!.url.searchParams.get('format')).toBe('csv');
    expect(names[0]).toMatch(/^serialtrace-audit-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(auditExportName(new Date(2025, 5, 15))).toBe('serialtrace-audit-2025-06-15.csv');
  });
});

/** A verification's answer: what a test gives, the rest as an intact, empty one. */
function verified(partial: Partial<VerifyResult> & Pick<VerifyResult, 'valid' | 'checked' | 'head'>): VerifyResult {
  const problems = partial.problems ?? [];
  return {
    companyId: 1,
    storedHead: partial.head,
    firstBreak: problems[0] ?? null,
    problems,
    problemCount: problems.length,
    recordsChecked: 0,
    historyChecked: 0,
    checkpoint: null,
    ...partial,
  };
}

describe('AuditVerification', () => {
  it('says where a broken chain breaks, and why', () => {
    render(
      <AuditVerification
        verification={{
          kind: 'done',
          at: '2025-06-15T09:00:00.000Z',
          result: verified({
            valid: false,
            checked: 90,
            head: { seq: 56, hash: 'a'.repeat(64) },
            problems: [
              { seq: 57, reason: 'hash_mismatch', expectedHash: 'b'.repeat(64) },
              { seq: 80, reason: 'history_mismatch', serial: 'W-0001', field: 'to', expected: '"voided"', actual: '"completed"' },
            ],
          }),
        }}
      />,
    );
    const region = screen.getByRole('status');
    expect(region.textContent).toContain('The audit trail does not verify: 2 problems, the first at entry #57.');
    expect(region.textContent).toContain('changed after it was written');
    expect(region.textContent).toContain('A status change of record W-0001 differs from its entry #80: its to is "completed" where the entry says "voided".');
    expect(region.textContent).toContain('The chain holds from its start up to entry #56');
    expect(region.textContent).toContain('Verified at');
  });

  it('explains every kind of break in words', () => {
    expect(describeBreak({ seq: 9, reason: 'sequence_gap', expectedSeq: 8 })).toContain('entry #8 was expected');
    expect(describeBreak({ seq: 9, reason: 'link_mismatch', expectedPrevHash: 'd'.repeat(64) })).toContain('does not point at the entry before it');
    expect(describeBreak({ seq: 9, reason: 'hash_mismatch', expectedHash: 'e'.repeat(64) })).toContain('no longer matches its own hash');
    expect(describeBreak({ seq: 9, reason: 'head_mismatch', expectedSeq: 12, expectedHash: 'e'.repeat(64) })).toContain('entries were cut off its end');
    expect(describeBreak({ seq: 9, reason: 'head_missing' })).toContain('no longer records where it ends');
    expect(describeBreak({ seq: 9, reason: 'checkpoint_mismatch', expectedHash: 'e'.repeat(64) })).toContain('signed checkpoint');
    expect(describeBreak({ seq: 9, reason: 'record_mismatch', serial: 'W-1', field: 'workOrder', expected: '"A"', actual: '"B"' })).toContain('Record W-1 differs');
  });

  it('says an empty chain has nothing to verify', () => {
    render(<AuditVerification verification={{ kind: 'done', at: '2025-06-15T09:00:00.000Z', result: verified({ valid: true, checked: 0, head: null }) }} />);
    expect(screen.getByRole('status').textContent).toContain('nothing to verify');
  });
});
