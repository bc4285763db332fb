import type { RecordStatus } from '@serialtrace/core';
import { useState, type FormEvent } from 'react';
import { client } from '../api';
import { useSession } from '../session';
import { Dialog } from '../ui/dialog';
import { ErrorNotice } from '../ui/error-notice';
import { Field } from '../ui/field';
import { StatusBadge } from './record-status-select';
import type { RecordDetails } from './record-types';

export interface StatusChangeRequest {
  readonly serial: string;
  readonly series: string;
  readonly from: RecordStatus;
  readonly to: RecordStatus;
}

/** Sends a status change; the series is always named, so a serial two series share is never ambiguous. */
export function changeRecordStatus(request: StatusChangeRequest, reason: string): Promise<RecordDetails> {
  const trimmed = reason.trim();
  return client.call('changeStatus', {
    params: { serial: request.serial },
    body: { status: request.to, series: request.series, ...(trimmed === '' ? {} : { reason: trimmed }) },
  });
}

/**
 * Asks before a status moves: a record cannot move back, so a slip of the select must not
 * void or scrap a unit. The reason goes into the record's history and the audit trail.
 */
export function StatusChangeDialog(props: {
  readonly request: StatusChangeRequest;
  readonly onClose: () => void;
  readonly onChanged: (record: RecordDetails) => void;
}) {
  const session = useSession();
  const { request } = props;
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const final = request.to === 'voided' || request.to === 'scrapped' || request.to === 'completed';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const record = await changeRecordStatus(request, reason);
      props.onChanged(record);
    } catch (caught) {
      session.onError(caught);
      setError(caught);
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Change status of ${request.serial}`} onClose={props.onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <p className="status-change-summary">
          <span className="mono">{request.serial}</span> <span className="muted">({request.series})</span> moves from <StatusBadge status={request.from} /> to{' '}
          <StatusBadge status={request.to} />.
        </p>
        {final && <p className="muted">This is final: the record cannot change status again afterwards.</p>}
        <Field label="Reason" hint="Optional, up to 100 characters. Kept in the record's history and the audit trail.">
          {({ id, describedBy }) => (
            <input id={id} aria-describedby={describedBy} maxLength={100} autoComplete="off" value={reason} onChange={(e) => setReason(e.target.value)} autoFocus />
          )}
        </Field>
        <ErrorNotice error={error} />
        <div className="actions">
          <button type="button" className="secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" className={request.to === 'voided' || request.to === 'scrapped' ? 'danger' : undefined} disabled={busy}>
            Change status
          </button>
        </div>
      </form>
    </Dialog>
  );
}
