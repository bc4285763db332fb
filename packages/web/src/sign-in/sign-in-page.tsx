import { useState, type FormEvent } from 'react';
import { client } from '../api';
import { ErrorNotice } from '../ui/error-notice';
import { Field } from '../ui/field';

/** Sign-in with a user of the server (API keys are for machines, not for this page). */
export function SignInPage(props: { readonly reason: string | null; readonly onSignedIn: (mustChangePassword: boolean) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [company, setCompany] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await client.call('login', { body: { username, password, ...(company.trim() === '' ? {} : { company: company.trim() }) } });
      props.onSignedIn(result.mustChangePassword);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={(event) => void submit(event)} aria-labelledby="sign-in-title">
        <p className="brand">serialtrace</p>
        <h1 id="sign-in-title">Sign in</h1>
        {props.reason !== null && (
          <p className="notice" role="status">
            {props.reason}
          </p>
        )}
        <Field label="Username">
          {({ id, describedBy }) => (
            <input id={id} aria-describedby={describedBy} name="username" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
          )}
        </Field>
        <Field label="Password">
          {({ id, describedBy }) => (
            <input
              id={id}
              aria-describedby={describedBy}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          )}
        </Field>
        <Field label="Company (optional)" hint="Needed only when your administrator tells you to name it.">
          {({ id, describedBy }) => (
            <input id={id} aria-describedby={describedBy} name="company" autoComplete="organization" value={company} onChange={(e) => setCompany(e.target.value)} />
          )}
        </Field>
        <ErrorNotice error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
