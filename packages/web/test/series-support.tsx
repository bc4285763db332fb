import { render, type RenderResult } from '@testing-library/react';
import { can, type Role } from '@serialtrace/core';
import type { ReactElement } from 'react';
import { vi, type Mock } from 'vitest';
import { SessionContext, type Session } from '../src/session';

/** jsdom has `<dialog>` but not its modal methods; enough of them for the components under test. */
export function installDialogPolyfill(): void {
  const proto = HTMLDialogElement.prototype;
  if (typeof proto.showModal === 'function') return;
  proto.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  proto.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open');
  };
}

export interface TestSessionOptions {
  readonly role?: Role;
  readonly now?: string;
  readonly timeZone?: string;
}

export function testSession(options: TestSessionOptions = {}): Session & { onError: Mock<(error: unknown) => void> } {
  const role = options.role ?? 'admin';
  const now = options.now ?? '2025-06-15T10:00:00Z';
  return {
    identity: { kind: 'user', id: '1', name: 'Quality Engineer', role, companyId: 1, company: 'Acme', systemAdmin: false, actor: 'user:qe', mustChangePassword: false },
    server: { version: 'test', now, timeZone: options.timeZone ?? 'UTC' },
    serverNow: () => new Date(now),
    can: (permission) => can(role, permission),
    signOut: async () => undefined,
    onError: vi.fn<(error: unknown) => void>(),
  };
}

export function renderWithSession(ui: ReactElement, session: Session = testSession()): RenderResult {
  return render(<SessionContext.Provider value={session}>{ui}</SessionContext.Provider>);
}

/** A service view as the API sends it: JSON, read-only arrays and all. */
export function overTheWire<T>(view: unknown): T {
  return JSON.parse(JSON.stringify(view)) as T;
}

/** A JSON answer as the server would send it. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': status < 400 ? 'application/json' : 'application/problem+json' } });
}
