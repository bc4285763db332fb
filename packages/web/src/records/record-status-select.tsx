import type { RecordStatus } from '@serialtrace/core';
import { memo } from 'react';
import { nextStatuses, statusLabel } from './record-status-words';

/**
 * A record's status as a badge, or, for someone who may change it, as a select of the moves the
 * lifecycle allows (the current status selected). Choosing one only asks for it: the caller
 * confirms before anything is sent, and the select keeps showing the current status meanwhile.
 */
export const RecordStatusControl = memo(function RecordStatusControl(props: {
  readonly serial: string;
  readonly status: RecordStatus;
  readonly editable: boolean;
  readonly onRequest: (to: RecordStatus) => void;
  readonly tabIndex?: number;
  readonly label?: string;
  readonly id?: string;
}) {
  const moves = props.editable ? nextStatuses(props.status) : [];
  if (moves.length === 0) return <StatusBadge status={props.status} />;
  return (
    <select
      id={props.id}
      className={`status-select status status-${props.status}`}
      aria-label={props.label ?? `Status of ${props.serial}`}
      value={props.status}
      tabIndex={props.tabIndex}
      onChange={(event) => {
        const to = event.target.value as RecordStatus;
        if (to !== props.status) props.onRequest(to);
      }}
    >
      <option value={props.status}>{statusLabel(props.status)}</option>
      {moves.map((to) => (
        <option key={to} value={to}>
          {statusLabel(to)}
        </option>
      ))}
    </select>
  );
});

export function StatusBadge({ status }: { readonly status: string }) {
  return <span className={`status status-${status}`}>{statusLabel(status)}</span>;
}
