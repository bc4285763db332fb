import { PERMANENT_PERIOD } from '@serialtrace/core';
import { useEffect, useRef, useState } from 'react';
import { downloadFile, formatCount, toCsv } from '../ui/text';
import type { GenerateAnswer } from './generate-dialog';

type CopyState = { readonly kind: 'idle' } | { readonly kind: 'copied' } | { readonly kind: 'failed'; readonly message: string };

/** The serials one request issued, to copy onto a label tool or download as CSV. */
export function GeneratedSerials(props: {
  readonly answer: GenerateAnswer;
  readonly workOrder: string;
  readonly partNumber: string;
  readonly onMore: () => void;
  readonly onClose: () => void;
}) {
  const { answer } = props;
  const [copy, setCopy] = useState<CopyState>({ kind: 'idle' });
  const heading = useRef<HTMLParagraphElement>(null);
  // The form the focus was in is gone; start the reader at the outcome.
  useEffect(() => heading.current?.focus(), []);

  const copySerials = async () => {
    const text = answer.serials.join('\n');
    if (navigator.clipboard === undefined || typeof navigator.clipboard.writeText !== 'function') {
      setCopy({ kind: 'failed', message: 'This browser does not allow copying from this page (it needs HTTPS). Select the serials in the list and copy them with Ctrl+C, or download the CSV.' });
      return;
    }
    try {
      await navigator.clipboard.writeText(text);
      setCopy({ kind: 'copied' });
    } catch {
      setCopy({ kind: 'failed', message: 'The browser refused to copy to the clipboard. Select the serials in the list and copy them with Ctrl+C, or download the CSV.' });
    }
  };

  const download = () => {
    const rows = answer.serials.map((serial) => [serial, answer.series, props.workOrder, props.partNumber, answer.period]);
    const csv = toCsv(['serial', 'series', 'work order', 'part number', 'period'], rows);
    const stem = `${answer.series}-${answer.serials[0] ?? 'serials'}`.replace(/[^A-Za-z0-9._-]+/g, '_');
    downloadFile(`${stem}.csv`, csv, 'text/csv;charset=utf-8');
  };

  const count = answer.serials.length;
  return (
    <div className="generated">
      <p ref={heading} tabIndex={-1} className="notice notice-ok generated-title">
        {answer.replayed
          ? `This repeats an earlier request: the ${count === 1 ? 'serial it issued is' : `${count} serials it issued are`} shown again, and nothing new was issued.`
          : `Issued ${formatCount(count)} serial${count === 1 ? '' : 's'}${answer.period === PERMANENT_PERIOD ? '' : ` in period ${answer.period}`}.`}
      </p>
      {answer.skipped > 0 && (
        <p className="notice notice-warning">
          {formatCount(answer.skipped)} value{answer.skipped === 1 ? ' was' : 's were'} skipped because {answer.skipped === 1 ? 'its serial' : 'their serials'} already
          existed where serials must stay unique; the skip is recorded in the audit trail.
        </p>
      )}
      <ol aria-label="Generated serials" className="serial-list generated-list">
        {answer.serials.map((serial) => (
          <li key={serial}>
            <code>{serial}</code>
          </li>
        ))}
      </ol>
      <div className="generated-tools">
        <button type="button" className="secondary" onClick={() => void copySerials()}>
          Copy serials
        </button>
        <button type="button" className="secondary" onClick={download}>
          Download CSV
        </button>
        <span role="status" className={copy.kind === 'failed' ? 'field-error' : 'generated-copied'}>
          {copy.kind === 'copied' ? `Copied ${count === 1 ? 'the serial' : `${formatCount(count)} serials`}, one per line.` : copy.kind === 'failed' ? copy.message : ''}
        </span>
      </div>
      <div className="actions">
        <button type="button" className="secondary" onClick={props.onMore}>
          Generate more
        </button>
        <button type="button" onClick={props.onClose}>
          Done
        </button>
      </div>
    </div>
  );
}
