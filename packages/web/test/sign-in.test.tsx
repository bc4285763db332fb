import { cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SignInPage } from '../src/sign-in/sign-in-page';
import { installDomShims, json, stubFetch } from './records-fixtures';

beforeAll(installDomShims);
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
