import { compileSeries, settingsFromJson, TOKEN_DESCRIPTIONS, type ContextToken } from '@serialtrace/core';
import type { RouteResult } from '@serialtrace/client';
import { useMemo, useRef, useState, type FormEvent } from 'react';
import { client } from '../api';
import { useSession } from '../session';
import { Dialog } from '../ui/dialog';
import { ErrorNotice } from '../ui/error-notice';
import { Field } from '../ui/field';
import { GeneratedSerials } from './generated-serials';
import type { SeriesView } from './series-form-values';
import './series.css';

export const MAX_QUANTITY = 100;

export type GenerateAnswer = RouteResult<'generate'>;

/**
 * A key for one press of Generate. `randomUUID` exists only on secure pages (HTTPS or localhost);
 * a plant network often serves plain HTTP, where the random bytes still are available.
 */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** The context tokens a person types for this series: {PART} comes from the part number, {SHIFT} from a shift calendar. */
function requestTokens(series: SeriesView): { tokens: readonly ContextToken[]; needsPart: boolean; shiftFromCalendar: boolean } {
  const plan = compileSeries(settingsFromJson(series));
  return {
    tokens: plan.contextTokens.filter((t) => t !== 'PART' && !(t === 'SHIFT' && plan.shiftFromCalendar)),
    needsPart: plan.contextTokens.includes('PART'),
    shiftFromCalendar: plan.shiftFromCalendar && plan.contextTokens.includes('SHIFT'),
  };
}

function quantityProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed) || Number(trimmed) < 1 || Number(trimmed) > MAX_QUANTITY) return `Enter a whole number from 1 to ${MAX_QUANTITY}.`;
  return undefined;
}

/** The server has the last word on GS1 character sets; this catches what is plainly wrong. */
function lotProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length > 20) return 'A lot has at most 20 characters.';
  return undefined;
}

function expiryProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || /^\d{4}-\d{2}-\d{2}$/.test(trimmed) || /^\d{6}$/.test(trimmed)) return undefined;
  return 'Enter the date as YYYY-MM-DD or YYMMDD.';
}

/** Issues serials from one series, then shows them to copy or download. */
export function GenerateDialog(props: { readonly series: SeriesView; readonly onClose: () => void; readonly onGenerated: (answer: GenerateAnswer) => void }) {
  const session = useSession();
  const { series } = props;
  const needs = useMemo(() => requestTokens(series), [series]);
  const [workOrder, setWorkOrder] = useState('');
  const [partNumber, setPartNumber] = useState('');
  const [context, setContext] = useState<Readonly<Record<string, string>>>({});
  const [quantity, setQuantity] = useState('1');
  const [lot, setLot] = useState('');
  const [expiry, setExpiry] = useState('');
  const gtinSeries = series.gtin !== null;
  const [attempted, setAttempted] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<GenerateAnswer | null>(null);
  // Kept across a failed attempt so that retrying the same request can never issue twice.
  const pendingKey = useRef<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const changed = () => {
    pendingKey.current = null;
    setError(null);
  };

  const problems = {
    quantity: quantityProblem(quantity),
    lot: gtinSeries ? lotProblem(lot) : undefined,
    expiry: gtinSeries ? expiryProblem(expiry) : undefined,
    part: needs.needsPart && partNumber.trim() === '' ? 'Enter the part number: the format prints it as {PART}.' : undefined,
    ...Object.fromEntries(needs.tokens.map((t) => [t, (context[t] ?? '').trim() === '' ? `Enter the ${t} value: the format prints {${t}}.` : undefined])),
  } as Record<string, string | undefined>;
  const typedIn: Readonly<Record<string, string>> = { quantity, lot, expiry };
  const shown = (key: string) => (attempted ? problems[key] : (typedIn[key] ?? '').trim() !== '' ? problems[key] : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (Object.values(problems).some((p) => p !== undefined)) {
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    const key = pendingKey.current ?? newIdempotencyKey();
    pendingKey.current = key;
    setBusy(true);
    setError(null);
    try {
      const values = Object.fromEntries(needs.tokens.map((t) => [t, (context[t] ?? '').trim()]));
      const result = await client.call('generate', {
        params: { name: series.name },
        body: {
          quantity: Number(quantity.trim()),
          workOrder: workOrder.trim() === '' ? null : workOrder.trim(),
          partNumber: partNumber.trim() === '' ? null : partNumber.trim(),
          ...(needs.tokens.length === 0 ? {} : { context: values }),
          ...(gtinSeries && lot.trim() !== '' ? { lot: lot.trim() } : {}),
          ...(gtinSeries && expiry.trim() !== '' ? { expiry: expiry.trim() } : {}),
        },
        headers: { 'idempotency-key': key },
      });
      pendingKey.current = null;
      setAnswer(result);
      props.onGenerated(result);
    } catch (failure) {
      session.onError(failure);
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const title = `Generate serials for ${series.name}`;
  if (answer !== null) {
    return (
      <Dialog title={title} onClose={props.onClose}>
        <GeneratedSerials
          answer={answer}
          workOrder={workOrder.trim()}
          partNumber={partNumber.trim()}
          onMore={() => {
            setAnswer(null);
            setAttempted(false);
          }}
          onClose={props.onClose}
        />
      </Dialog>
    );
  }

  return (
    <Dialog title={title} onClose={props.onClose}>
      <form ref={formRef} onSubmit={(event) => void submit(event)} noValidate className="generate-form">
        <p className="muted generate-format">
          Format <code>{series.format}</code>
        </p>
        <div className="field-row">
          <Field label="Work order" hint="Optional, e.g. WO-12345.">
            {({ id, describedBy }) => (
              <input id={id} aria-describedby={describedBy} value={workOrder} autoComplete="off" onChange={(e) => { setWorkOrder(e.target.value); changed(); }} />
            )}
          </Field>
          <Field label="Part number" hint={needs.needsPart ? 'Required: the format prints it as {PART}.' : 'Optional.'} error={shown('part')}>
            {({ id, describedBy, invalid }) => (
              <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={partNumber} autoComplete="off" onChange={(e) => { setPartNumber(e.target.value); changed(); }} />
            )}
          </Field>
        </div>
        {needs.tokens.length > 0 && (
          <div className="field-row">
            {needs.tokens.map((token) => (
              <Field key={token} label={token} hint={`${TOKEN_DESCRIPTIONS[token]}; printed as {${token}}.`} error={shown(token)}>
                {({ id, describedBy, invalid }) => (
                  <input
                    id={id}
                    aria-describedby={describedBy}
                    aria-invalid={invalid}
                    value={context[token] ?? ''}
                    maxLength={64}
                    autoComplete="off"
                    onChange={(e) => {
                      setContext((current) => ({ ...current, [token]: e.target.value }));
                      changed();
                    }}
                  />
                )}
              </Field>
            ))}
          </div>
        )}
        {gtinSeries && (
          <div className="field-row">
            <Field label="Lot" hint="Optional: the GS1 batch or lot (AI 10), up to 20 characters." error={shown('lot')}>
              {({ id, describedBy, invalid }) => (
                <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={lot} maxLength={20} autoComplete="off" spellCheck={false} onChange={(e) => { setLot(e.target.value); changed(); }} />
              )}
            </Field>
            <Field label="Expiry" hint="Optional: the GS1 expiry date (AI 17) as YYYY-MM-DD or YYMMDD; day 00 means the end of the month." error={shown('expiry')}>
              {({ id, describedBy, invalid }) => (
                <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={expiry} maxLength={10} autoComplete="off" spellCheck={false} placeholder="YYYY-MM-DD" onChange={(e) => { setExpiry(e.target.value); changed(); }} />
              )}
            </Field>
          </div>
        )}
        {needs.shiftFromCalendar && <p className="field-hint">{'{SHIFT}'} comes from the series’ shift calendar.</p>}
        <Field label="Quantity" hint={`How many serials, 1 to ${MAX_QUANTITY}.`} error={shown('quantity')}>
          {({ id, describedBy, invalid }) => (
            <input
              id={id}
              className="generate-quantity"
              type="number"
              min={1}
              max={MAX_QUANTITY}
              step={1}
              aria-describedby={describedBy}
              aria-invalid={invalid}
              value={quantity}
              onChange={(e) => {
                setQuantity(e.target.value);
                changed();
              }}
            />
          )}
        </Field>
        <ErrorNotice error={error} />
        {error !== null && pendingKey.current !== null && (
          <p className="field-hint">Pressing Generate again repeats the same request: if the first one reached the server, you get its serials, never new ones.</p>
        )}
        <div className="actions">
          {busy && (
            <span role="status" className="muted generate-busy">
              Generating…
            </span>
          )}
          <button type="button" className="secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            Generate
          </button>
        </div>
      </form>
    </Dialog>
  );
}
