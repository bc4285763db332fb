import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import { isSerialtraceError } from '@serialtrace/core';
import { client, isSignedOut } from './api';
import { AuditPage } from './audit/audit-page';
import { Link, navigate, useLocation } from './router';
import { ScriptsPage } from './scripts/scripts-page';
import { makeCan, SessionContext, useSession, type Identity, type ServerInfo, type Session } from './session';
import { ChangePasswordDialog } from './sign-in/change-password-dialog';
import { SignInPage } from './sign-in/sign-in-page';
import { TraceabilityPage } from './traceability/traceability-page';
import { ErrorNotice } from './ui/error-notice';

type State =
  | { readonly kind: 'loading' }
  | { readonly kind: 'signedOut'; readonly reason: string | null }
  /** Signed in with a password someone else set: the server allows nothing but changing it. */
  | { readonly kind: 'mustChangePassword'; readonly identity: Identity }
  | { readonly kind: 'signedIn'; readonly identity: Identity; readonly server: ServerInfo; readonly offsetMs: number }
  | { readonly kind: 'failed'; readonly error: unknown };

async function loadSession(): Promise<State> {
  const identity = await client.call('me');
  if (identity.mustChangePassword) return { kind: 'mustChangePassword', identity };
  const sent = Date.now();
  const server = await client.call('info');
  const received = Date.now();
  // The server read its clock somewhere between sending and receiving: take the middle.
  const offsetMs = Date.parse(server.now) - (sent + received) / 2;
  return { kind: 'signedIn', identity, server, offsetMs };
}

function isPasswordChangeRequired(error: unknown): boolean {
  return isSerialtraceError(error) && error.code === 'PASSWORD_CHANGE_REQUIRED';
}

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const start = useCallback(() => {
    loadSession().then(setState, (error: unknown) => {
      setState(isSignedOut(error) ? { kind: 'signedOut', reason: null } : { kind: 'failed', error });
    });
  }, []);
  useEffect(() => start(), [start]);
  const signOut = useCallback(async () => {
    await client.call('logout').catch(() => undefined);
    setState({ kind: 'signedOut', reason: 'You signed out.' });
  }, []);

  const session = useMemo<Session | null>(() => {
    if (state.kind !== 'signedIn') return null;
    return {
      identity: state.identity,
      server: state.server,
      serverNow: () => new Date(Date.now() + state.offsetMs),
      can: makeCan(state.identity),
      signOut,
      onError: (error) => {
        if (isSignedOut(error)) setState({ kind: 'signedOut', reason: 'Your session has ended. Sign in again to go on.' });
        else if (isPasswordChangeRequired(error)) start();
      },
    };
  }, [state, signOut, start]);

  switch (state.kind) {
    case 'loading':
      return (
        <p className="page-loading" role="status">
          Loading serialtrace…
        </p>
      );
    case 'failed':
      return (
        <main className="page-centered">
          <h1>serialtrace</h1>
          <ErrorNotice error={state.error} />
          <button type="button" onClick={() => start()}>
            Try again
          </button>
        </main>
      );
    case 'signedOut':
      return <SignInPage reason={state.reason} onSignedIn={() => start()} />;
    case 'mustChangePassword':
      return (
        <main className="page-centered">
          <p className="brand">serialtrace</p>
          <p>Signed in as {state.identity.name} · {state.identity.company}</p>
          <ChangePasswordDialog
            required
            onClose={() => void signOut()}
            onSignOut={() => void signOut()}
            onError={(error) => {
              if (isSignedOut(error)) setState({ kind: 'signedOut', reason: 'Your session has ended. Sign in again to go on.' });
            }}
            onChanged={() => start()}
          />
        </main>
      );
    case 'signedIn':
      return (
        <SessionContext.Provider value={session}>
          <Shell />
        </SessionContext.Provider>
      );
  }
}

function Shell() {
  const { path } = useLocation();
  const session = useSession();
  const [changingPassword, setChangingPassword] = useState(false);
  const page = pageFor(path, session);
  useEffect(() => {
    document.title = `${page.title} · serialtrace`;
  }, [page.title]);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">serialtrace</span>
        <nav aria-label="Main">
          <ul>
            <li>
              <Link href="/" aria-current={page.key === 'traceability' ? 'page' : undefined}>
                Traceability
              </Link>
            </li>
            {session.can('scripts.read') && (
              <li>
                <Link href="/scripts" aria-current={page.key === 'scripts' ? 'page' : undefined}>
                  Scripts
                </Link>
              </li>
            )}
            {session.can('audit.read') && (
              <li>
                <Link href="/audit" aria-current={page.key === 'audit' ? 'page' : undefined}>
                  Audit
                </Link>
              </li>
            )}
          </ul>
        </nav>
        <div className="topbar-user">
          <span>
            {session.identity.name} <span className="muted">· {session.identity.role} · {session.identity.company}</span>
          </span>
          <button type="button" className="secondary" onClick={() => setChangingPassword(true)}>
            Change password
          </button>
          <button type="button" className="secondary" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" className="page">
        {page.element}
      </main>
      {changingPassword && (
        <ChangePasswordDialog
          required={false}
          onClose={() => setChangingPassword(false)}
          onSignOut={() => void session.signOut()}
          onError={session.onError}
          onChanged={() => setChangingPassword(false)}
        />
      )}
    </div>
  );
}

function pageFor(path: string, session: Session): { key: string; title: string; element: ReactNode } {
  if (path === '/' || path === '/traceability') return { key: 'traceability', title: 'Traceability', element: <TraceabilityPage /> };
  if (path === '/audit') {
    if (!session.can('audit.read')) return { key: 'forbidden', title: 'Not allowed', element: <NotAllowed /> };
    return { key: 'audit', title: 'Audit trail', element: <AuditPage /> };
  }
  if (path === '/scripts') {
    if (!session.can('scripts.read')) return { key: 'forbidden', title: 'Not allowed', element: <NotAllowed /> };
    return { key: 'scripts', title: 'Scripts', element: <ScriptsPage /> };
  }
  return { key: 'missing', title: 'Page not found', element: <NotFound /> };
}

function NotAllowed() {
  return (
    <section className="page-centered">
      <h1>Not allowed</h1>
      <p>Your role does not allow this page.</p>
      <button type="button" onClick={() => navigate('/')}>
        Back to traceability
      </button>
    </section>
  );
}

function NotFound() {
  return (
    <section className="page-centered">
      <h1>Page not found</h1>
      <p>There is nothing at this address.</p>
      <button type="button" onClick={() => navigate('/')}>
        Back to traceability
      </button>
    </section>
  );
}
