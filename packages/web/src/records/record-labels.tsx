import type { RouteResult } from '@serialtrace/client';
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { client } from '../api';
import { useSession } from '../session';
import { ErrorNotice } from '../ui/error-notice';
import { Field } from '../ui/field';
import { downloadFile, formatCount, formatInstant } from '../ui/text';
import type { RecordDetails } from './record-types';

type LabelTemplateView = RouteResult<'listLabelTemplates'>['templates'][number];
export type LabelFormat = 'png' | 'pdf' | 'zpl';

export const LABEL_FORMATS: readonly { readonly value: LabelFormat; readonly label: string; readonly type: string }[] = [
  { value: 'png', label: 'PNG image', type: 'image/png' },
  { value: 'pdf', label: 'PDF', type: 'application/pdf' },
  { value: 'zpl', label: 'ZPL (Zebra printers)', type: 'application/zpl' },
];

/** The ASCII group separator a scanner sends between variable-length GS1 values. */
const GS = '\u001d';

/** `SN-0001-label.png`: the serial made safe as a file name. */
export function labelFileName(serial: string, format: LabelFormat): string {
  return `${serial.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80)}-label.${format}`;
}

/** An element string with each invisible GS shown as a ⟨GS⟩ marker, read out as "group separator". */
export function ElementString({ value }: { readonly value: string }) {
  const parts = value.split(GS);
  return (
    <span className="mono gs1-element-string">
      {parts.map((part, index) => (
        <span key={index}>
          {part}
          {index < parts.length - 1 && (
            <abbr className="gs1-gs" title="Group separator (ASCII 29)" aria-label="group separator">
              ⟨GS⟩
            </abbr>
          )}
        </span>
      ))}
    </span>
  );
}

function item(term: string, children: ReactNode): ReactNode {
  return (
    <div className="record-item" key={term}>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The record's GS1 identity in every notation, with its lot and expiry. */
export function Gs1Block({ record }: { readonly record: RecordDetails }) {
  const gs1 = record.gs1 ?? null;
  if (gs1 === null && (record.lot ?? null) === null && (record.expiry ?? null) === null) return null;
  return (
    <section className="record-gs1">
      <h3>GS1</h3>
      <dl className="record-fields">
        {gs1 !== null && gs1.gtin !== null && item('GTIN', <span className="mono">{gs1.gtin}</span>)}
        {gs1 !== null && gs1.sscc !== null && item('SSCC', <span className="mono">{gs1.sscc}</span>)}
        {item('Lot', record.lot ?? <span className="muted">none</span>)}
        {item('Expiry', record.expiry ?? <span className="muted">none</span>)}
      </dl>
      {gs1 !== null && (
        <dl className="record-gs1-notations">
          {item('Element string', <ElementString value={gs1.elementString} />)}
          {item('Bracketed', <span className="mono">{gs1.bracketed}</span>)}
          {item(
            'Digital Link',
            <a href={gs1.digitalLink} target="_blank" rel="noreferrer noopener" className="mono">
              {gs1.digitalLink}
            </a>,
          )}
          {item('EPC URN', gs1.epcUrn === null ? <span className="muted">none (the series has no company prefix)</span> : <span className="mono">{gs1.epcUrn}</span>)}
        </dl>
      )}
    </section>
  );
}

/**
 * Labels of a record: how often it was printed, each print, and (for roles that may print) a
 * Print label action that records the print and downloads the document, and a preview that
 * records nothing.
 */
export function RecordLabels(props: { readonly record: RecordDetails; readonly onChanged: (record: RecordDetails) => void }) {
  const session = useSession();
  const { record } = props;
  const prints = record.prints ?? [];
  return (
    <section className="record-labels">
      <h3>Labels</h3>
      <p>
        <strong>Label prints:</strong> {formatCount(record.labelPrints ?? 0)}
      </p>
      {prints.length > 0 && (
        <div className="record-table-scroll" role="region" aria-label="Label prints" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Print</th>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Station</th>
                <th scope="col">Template</th>
                <th scope="col">Format</th>
              </tr>
            </thead>
            <tbody>
              {prints.map((print) => (
                <tr key={print.print}>
                  <td className="mono">#{print.print}</td>
                  <td>
                    <time dateTime={print.at}>{formatInstant(print.at)}</time>
                  </td>
                  <td>{print.actor}</td>
                  <td>{print.station ?? <span className="muted">none</span>}</td>
                  <td>{print.template}</td>
                  <td>{print.format.toUpperCase()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {session.can('labels.print') && <PrintLabelForm record={record} onChanged={props.onChanged} />}
    </section>
  );
}

function PrintLabelForm(props: { readonly record: RecordDetails; readonly onChanged: (record: RecordDetails) => void }) {
  const session = useSession();
  const { record } = props;
  const [templates, setTemplates] = useState<readonly LabelTemplateView[] | null>(null);
  const [template, setTemplate] = useState('');
  const [format, setFormat] = useState<LabelFormat>('png');
  const [busy, setBusy] = useState<'print' | 'preview' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<string | null>(null);
  const [previewUrl, setPreviewUrl] = useState<string | null>(null);
  const previewRef = useRef<string | null>(null);
  const previewTitle = useId();
  const refusedStatus = record.status === 'voided' || record.status === 'scrapped';

  useEffect(() => {
    const controller = new AbortController();
    client.call('listLabelTemplates', { signal: controller.signal }).then(
      (answer) => setTemplates(answer.templates),
      (caught: unknown) => {
        if (controller.signal.aborted) return;
        session.onError(caught);
        // The record's default template still prints; the list only offers the others.
        setTemplates([]);
      },
    );
    return () => controller.abort();
  }, [session]);

  // A preview's blob URL holds the image in memory until it is revoked.
  const showPreview = (url: string | null) => {
    if (previewRef.current !== null) URL.revokeObjectURL(previewRef.current);
    previewRef.current = url;
    setPreviewUrl(url);
  };
  useEffect(
    () => () => {
      if (previewRef.current !== null) URL.revokeObjectURL(previewRef.current);
    },
    [],
  );

  const chosen = template === '' ? {} : { template };

  const print = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('print');
    setError(null);
    setDone(null);
    try {
      const response = await client.raw('printLabel', { params: { serial: record.serial }, body: { ...chosen, format, series: record.series } });
      const bytes = await response.blob();
      const type = LABEL_FORMATS.find((f) => f.value === format)?.type ?? 'application/octet-stream';
      downloadFile(labelFileName(record.serial, format), bytes, response.headers.get('content-type') ?? type);
      const count = response.headers.get('serialtrace-label-print');
      setDone(count === null ? 'Print recorded.' : `Print #${count} recorded.`);
      // The first print moved the record to printed, and every print is in its list.
      try {
        props.onChanged(await client.call('getRecord', { params: { serial: record.serial }, query: { series: record.series } }));
      } catch (caught) {
        session.onError(caught);
        setError(caught);
      }
    } catch (caught) {
      session.onError(caught);
      setError(caught);
    } finally {
      setBusy(null);
    }
  };

  const preview = async () => {
    setBusy('preview');
    setError(null);
    setDone(null);
    try {
      const response = await client.raw('renderDocument', { body: { ...chosen, format: 'png', serial: record.serial, series: record.series } });
      showPreview(URL.createObjectURL(await response.blob()));
    } catch (caught) {
      session.onError(caught);
      setError(caught);
    } finally {
      setBusy(null);
    }
  };

  return (
    <>
      <form className="record-print-form" onSubmit={(event) => void print(event)}>
        <Field label="Label template" hint={templates === null ? 'Loading the templates…' : 'The default suits the record: a GS1 product label, an SSCC label or a plain serial label.'}>
          {({ id, describedBy }) => (
            <select id={id} aria-describedby={describedBy} value={template} onChange={(e) => setTemplate(e.target.value)}>
              <option value="">Default for this record</option>
              {(templates ?? []).map((t) => (
                <option key={t.name} value={t.name}>
                  {t.name}
                  {t.builtIn ? ' (built-in)' : ''}
                  {t.template.description === '' ? '' : ` — ${t.template.description}`}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Label format">
          {({ id }) => (
            <select id={id} value={format} onChange={(e) => setFormat(e.target.value as LabelFormat)}>
              {LABEL_FORMATS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="record-print-actions">
          <button type="submit" disabled={busy !== null}>
            Print label
          </button>
          <button type="button" className="secondary" disabled={busy !== null} onClick={() => void preview()}>
            Preview
          </button>
        </div>
      </form>
      {refusedStatus && <p className="field-hint">A {record.status} record&apos;s label is refused: it must not be printed.</p>}
      <ErrorNotice error={error} />
      <p role="status" className="record-print-done">
        {busy === 'print' ? 'Printing…' : busy === 'preview' ? 'Rendering the preview…' : done}
      </p>
      {previewUrl !== null && (
        <figure className="record-label-preview" aria-labelledby={previewTitle}>
          <figcaption id={previewTitle}>Label preview (nothing recorded)</figcaption>
          <img src={previewUrl} alt={`Label of ${record.serial}`} />
          <button type="button" className="secondary small" onClick={() => showPreview(null)}>
            Close preview
          </button>
        </figure>
      )}
    </>
  );
}
