import { useState, type FormEvent } from 'react';
import { client } from '../api';
import { Dialog } from '../ui/dialog';
import { ErrorNotice } from '../ui/error-notice';
import { Field } from '../ui/field';

/**
 * Changes the signed-in user's password; required after an administrator set a temporary one (the
 * server then allows nothing else, so only signing out closes it).
 */
export function ChangePasswordDialog(props: {
  readonly required: boolean;
  readonly onClose: () => void;
  readonly onChanged: () => void;
  readonly onSignOut: () => void;
  readonly onError?: (error: unknown) => void;
}) {
  const [currentPassword, setCurrent] = useState('');
  const [newPassword, setNew] = useState('');
  const [repeated, setRepeated] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const mismatch = repeated !== '' && repeated !== newPassword;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (mismatch) return;
    setBusy(true);
    setError(null);
    try {
      await client.call('changePassword', { body: { currentPassword, newPassword } });
      props.onChanged();
    } catch (caught) {
      props.onError?.(caught);
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <Dialog title={props.required ? 'Choose a new password' : 'Change password'} onClose={props.required ? props.onSignOut : props.onClose}>
      {props.required && <p>Your password was set for you. Choose your own before you go on.</p>}
      <form onSubmit={(event) => void submit(event)}>
        <Field label="Current password">
          {({ id }) => <input id={id} type="password" autoComplete="current-password" required value={currentPassword} onChange={(e) => setCurrent(e.target.value)} />}
        </Field>
        <Field label="New password">
          {({ id }) => <input id={id} type="password" autoComplete="new-password" required value={newPassword} onChange={(e) => setNew(e.target.value)} />}
        </Field>
        <Field label="New password again" error={mismatch ? 'The two new passwords differ.' : undefined}>
          {({ id, describedBy, invalid }) => (
            <input id={id} type="password" autoComplete="new-password" required aria-invalid={invalid} aria-describedby={describedBy} value={repeated} onChange={(e) => setRepeated(e.target.value)} />
          )}
        </Field>
        <ErrorNotice error={error} />
        <div className="actions">
          <button type="button" className="secondary" onClick={props.required ? props.onSignOut : props.onClose}>
            {props.required ? 'Sign out' : 'Cancel'}
          </button>
          <button type="submit" disabled={busy || mismatch}>
            Change password
          </button>
        </div>
      </form>
    </Dialog>
  );
}
