import { useId, type ReactNode } from 'react';

/**
 * A labelled form control with its hint and its error, tied together for screen readers
 * (`aria-describedby`, `aria-invalid`). The control is rendered by `children(id, describedBy)`.
 */
export function Field(props: {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly error?: ReactNode;
  readonly children: (control: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const hasError = props.error !== undefined && props.error !== null && props.error !== false;
  const describedBy = [props.hint === undefined ? null : hintId, hasError ? errorId : null].filter((x) => x !== null).join(' ') || undefined;
  return (
    <div className={hasError ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, describedBy, invalid: hasError })}
      {props.hint !== undefined && (
        <div id={hintId} className="field-hint">
          {props.hint}
        </div>
      )}
      {hasError && (
        <div id={errorId} className="field-error">
          {props.error}
        </div>
      )}
    </div>
  );
}
