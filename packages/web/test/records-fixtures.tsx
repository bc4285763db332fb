import { can, type Permission } from '@serialtrace/core';
import { render, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { vi } from 'vitest';
import type { AuditEntryView } from '../src/audit/audit-words';
import type { RecordDetails, RecordView } from '../src/records/record-types';
import { SessionContext, type Session } from '../src/session';

/**
 * Shared by the records and audit component tests: canned API answers shaped like the API's
 * schemas, a fetch stub that routes them, a signed-in session, and what jsdom lacks (modal
 * dialogs, layout sizes for the virtualised table).
 */

export function installDomShims(): void {
  if (!HTMLDialogElement.prototype.showModal) {
    HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
      this.setAttribute('open', '');
    };
    HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
      this.removeAttribute('open');
    };
  }
  // The virtualizer sizes its window from the scroller's client box, which jsdom leaves at 0.
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 1200 });
}

export function record(id: number, overrides: Partial<RecordView> = {}): RecordView {
  const serial = overrides.serial ?? `SN-${String(id).padStart(5, '0')}`;
  return {
    id,
    serial,
    series: 'Widgets',
    sequence: String(id),
    period: '*',
    status: 'generated',
    workOrder: 'WO-1',
    partNumber: 'PN-1',
    context: {},
    metadata: null,
    generatedAt: '2025-06-15T08:30:00.000Z',
    generatedBy: 'user:jane',
    station: null,
    updatedAt: '2025-06-15T08:30:00.000Z',
    lot: null,
    expiry: null,
    labelPrints: 0,
    gs1: null,
    ...overrides,
  };
}

export function details(base: RecordView, overrides: Partial<RecordDetails> = {}): RecordDetails {
  return { ...base, history: [{ from: null, to: 'generated', at: base.generatedAt, actor: base.generatedBy, station: null, reason: null, data: null }], prints: [], audit: [], ...overrides };
}

export function auditEntry(seq: number, overrides: Partial<AuditEntryView> = {}): AuditEntryView {
  return {
    seq,
    companyId: 1,
    at: '2025-06-15T08:30:00.000Z',
    actor: 'user:jane',
    station: null,
    line: null,
    plant: null,
    reason: null,
    action: 'record.status_changed',
    entityType: 'record',
    entityId: String(seq),
    data: { series: 'Widgets', serial: `SN-${seq}`, from: 'generated', to: 'printed', data: null },
    prevHash: '0'.repeat(64),
    hash: `${String(seq).padStart(4, '0')}${'ab'.repeat(30)}`,
    ...overrides,
  };
}

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 300 ? 'application/json' : 'application/problem+json' } });
}

export function problem(code: string, detail: string, status = 409): Response {
  return json({ type: `urn:serialtrace:error:${code}`, title: code, status, detail, code }, status);
}

export interface Call {
  readonly method: string;
  readonly url: URL;
  readonly body: unknown;
  readonly signal: AbortSignal | undefined;
}

/**
 * Replaces fetch with `answer`; every request is kept in `calls` for the test to inspect. The
 * explorer's record count (`GET /api/v1/record-count`) is answered by `count` (a failure when
 * absent) and kept apart in `counts`, so tests of the rows see only the searches.
 */
export function stubFetch(
  answer: (call: Call) => Response | Promise<Response>,
  count?: (call: Call) => Response | Promise<Response>,
): { calls: Call[]; counts: Call[] } {
  const calls: Call[] = [];
  const counts: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: RequestInit = {}) => {
      const call: Call = {
        method: init.method ?? 'GET',
        url: new URL(input, 'http://localhost'),
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
        signal: init.signal ?? undefined,
      };
      if (call.url.pathname === '/api/v1/record-count') {
        counts.push(call);
        return count === undefined ? new Response('{"code":"INTERNAL_ERROR"}', { status: 500 }) : count(call);
      }
      calls.push(call);
      return answer(call);
    }),
  );
  return { calls, counts };
}

export function makeSession(role = 'admin', onError: (error: unknown) => void = () => undefined): Session {
  return {
    identity: { name: 'jane', username: 'jane', role, company: 'default' } as unknown as Session['identity'],
    server: {} as Session['server'],
    serverNow: () => new Date('2025-06-15T09:00:00.000Z'),
    can: (permission: Permission) => can(role as Parameters<typeof can>[0], permission),
    signOut: async () => undefined,
    onError,
  };
}

export function renderSignedIn(ui: ReactNode, session: Session = makeSession()): RenderResult {
  return render(<SessionContext.Provider value={session}>{ui}</SessionContext.Provider>);
}

/** A promise with its resolve at hand, to answer requests in an order the test chooses. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
