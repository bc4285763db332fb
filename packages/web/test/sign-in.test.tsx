import { cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../src/app';
import { SignInPage } from '../src/sign-in/sign-in-page';
import { installDomShims, json, problem, stubFetch } from './records-fixtures';

beforeAll(installDomShims);
beforeEach(() => window.history.replaceState(null, '', '/'));
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const identity = { kind: 'user', id: '2', name: 'alice', role: 'operator', companyId: 2, company: 'Acme', systemAdmin: false, actor: 'user:alice' };

describe('SignInPage', () => {
  it('sends the company only when one is given, since usernames are unique per company', async () => {
    const { calls } = stubFetch(() => json({ identity, expiresAt: '2025-06-15T22:00:00.000Z', mustChangePassword: false }));
    const signedIn = vi.fn();
    const user = userEvent.setup();
    render(<SignInPage reason={null} onSignedIn={signedIn} />);
    await user.type(screen.getByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'alice-password-1');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(signedIn).toHaveBeenCalledWith(false));
    expect(calls[0]!.body).toEqual({ username: 'alice', password: 'alice-password-1' });

    cleanup();
    render(<SignInPage reason={null} onSignedIn={signedIn} />);
    await user.type(screen.getByLabelText('Username'), 'alice');
    await user.type(screen.getByLabelText('Password'), 'alice-password-1');
    await user.type(screen.getByLabelText('Company (optional)'), ' Acme ');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1]!.body).toEqual({ username: 'alice', password: 'alice-password-1', company: 'Acme' });
  });
});

describe('App with a password someone else set', () => {
  it('asks for a new password first, shows nothing the server would refuse, and opens the app once it is changed', async () => {
    let changed = false;
    const { calls } = stubFetch(({ method, url, body }) => {
      if (url.pathname === '/api/v1/auth/me') return json({ ...identity, mustChangePassword: !changed });
      if (url.pathname === '/api/v1/auth/password' && method === 'POST') {
        expect(body).toEqual({ currentPassword: 'given-by-admin-1', newPassword: 'my-own-choice-1' });
        changed = true;
        return new Response(null, { status: 204 });
      }
      if (changed && url.pathname === '/api/v1/info') return json({ version: 'test', now: '2025-06-15T10:00:00.000Z', timeZone: 'UTC' });
      if (changed) return json({ series: [], records: [], nextCursor: null });
      return problem('PASSWORD_CHANGE_REQUIRED', 'Choose your own password first', 403);
    });
    const user = userEvent.setup();
    render(<App />);
    const dialog = await screen.findByRole('dialog', { name: 'Choose a new password' });
    expect(screen.queryByRole('navigation', { name: 'Main' })).toBeNull();
    // Nothing but "who am I" was asked while the password must change.
    expect(calls.map((c) => c.url.pathname)).toEqual(['/api/v1/auth/me']);
    await user.type(within(dialog).getByLabelText('Current password'), 'given-by-admin-1');
    await user.type(within(dialog).getByLabelText('New password'), 'my-own-choice-1');
    await user.type(within(dialog).getByLabelText('New password again'), 'my-own-choice-1');
    await user.click(within(dialog).getByRole('button', { name: 'Change password' }));
    await screen.findByRole('navigation', { name: 'Main' });
    expect(screen.queryByRole('dialog', { name: 'Choose a new password' })).toBeNull();
    expect(calls.some((c) => c.url.pathname === '/api/v1/auth/password')).toBe(true);
  });
});
