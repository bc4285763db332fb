import type { Problem } from '@serialtrace/core';
import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { client, describeError } from '../api';
import { useSession } from '../session';
import { Dialog } from '../ui/dialog';
import { Field } from '../ui/field';
import { previewDefinition } from './definition-preview';
import { FormatPreview } from './format-preview';
import { FormatProblems } from './format-problems';
import { messages, placeProblems, problemsOf } from './series-problems';
import {
  counterMoved,
  newSeriesValues,
  seriesValues,
  toCreateBody,
  toSeriesInput,
  toUpdateBody,
  type SeriesField,
  type Gs1Kind,
  type SeriesFormValues,
  type SeriesView,
} from './series-form-values';
import { ALLOCATION_CHOICES, BASE_CHOICES, GS1_CHOICES, RESET_CHOICES } from './series-words';
import { TokenButtons } from './token-buttons';
import { useDebounced } from './use-debounced';
import './series.css';

const PREVIEW_DELAY_MS = 100;
const MAX_REASON_LENGTH = 500;

/** Whether the server would call the series issued; `null` while the page is finding out. */
function useIssued(series: SeriesView | undefined): boolean | null {
  const session = useSession();
  const known = series === undefined ? false : counterMoved(series) ? true : series.reset === 'never' ? false : null;
  const [found, setFound] = useState<boolean | null>(known);
  useEffect(() => {
    if (known !== null || series === undefined) return;
    // A resetting series starts each period at its start value, so only its records tell.
    const controller = new AbortController();
    client.call('searchRecords', { query: { series: series.name, limit: 1 }, signal: controller.signal }).then(
      (page) => setFound(page.records.length > 0),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        session.onError(error);
        // The server still refuses an unsafe change, and the form shows its reason.
        setFound(false);
      },
    );
    return () => controller.abort();
  }, [known, series, session]);
  return known ?? found;
}

/** The add and edit form of a series, with token buttons, a live preview and every problem at its place. */
export function SeriesFormDialog(props: {
  readonly series?: SeriesView;
  readonly onClose: () => void;
  readonly onSaved: (series: SeriesView) => void;
}) {
  const session = useSession();
  const editing = props.series;
  const initial = useMemo(() => (editing === undefined ? newSeriesValues(session.server.timeZone) : seriesValues(editing)), [editing, session.server.timeZone]);
  const [values, setValues] = useState<SeriesFormValues>(initial);
  const [reason, setReason] = useState('');
  const [attempted, setAttempted] = useState(false);
  const [refusal, setRefusal] = useState<{ error: unknown; format: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const issued = useIssued(editing);
  const locked = editing !== undefined && issued !== false;
  const formatInput = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const settled = useDebounced(values, PREVIEW_DELAY_MS);
  const preview = useMemo(
    () => previewDefinition(toSeriesInput(settled), { at: session.serverNow(), defaultTimeZone: session.server.timeZone, ...(editing === undefined ? {} : { existing: editing }) }),
    [settled, session, editing],
  );

  const set = <K extends SeriesField>(field: K, value: SeriesFormValues[K]) => {
    setValues((current) => ({ ...current, [field]: value }));
    setRefusal(null);
  };

  // A required field left blank is not a problem until the user tries to save.
  const visible = (problem: Problem, form: SeriesFormValues) =>
    attempted || !(problem.code === 'VALUE_INVALID' && (problem.field === 'name' || problem.field === 'format') && form[problem.field].trim() === '');
  // The preview stands in a name for a blank one (as the server's preview does), so saving checks it here.
  const nameMissing: Problem[] = attempted && values.name.trim() === '' ? [{ code: 'VALUE_INVALID', field: 'name', message: 'Enter a name for the series.', severity: 'error' }] : [];
  const local = [...nameMissing, ...(preview.ok ? preview.warnings : preview.problems).filter((p) => visible(p, settled))];
  const placedLocal = placeProblems(local);
  const placedServer = placeProblems(refusal === null ? [] : problemsOf(refusal.error));
  const fieldProblems = (field: string): Problem[] => [...(placedLocal.byField.get(field) ?? []), ...(placedServer.byField.get(field) ?? [])];
  const errorOf = (field: string): string | undefined => messages(fieldProblems(field).filter((p) => p.severity === 'error'));

  const formatErrors = [
    ...(placedLocal.byField.get('format') ?? []).map((p) => ({ p, text: settled.format })),
    ...(placedServer.byField.get('format') ?? []).map((p) => ({ p, text: refusal?.format ?? values.format })),
  ];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    const now = previewDefinition(toSeriesInput(values), { at: session.serverNow(), defaultTimeZone: session.server.timeZone, ...(editing === undefined ? {} : { existing: editing }) });
    if (!now.ok || values.name.trim() === '') {
      // The marks render with the next paint; focus the first of them then.
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      return;
    }
    const headers = reason.trim() === '' ? {} : { 'serialtrace-reason': reason.trim() };
    setSaving(true);
    setRefusal(null);
    try {
      let saved: SeriesView;
      if (editing === undefined) {
        saved = await client.call('createSeries', { body: toCreateBody(values), headers });
      } else {
        const body = toUpdateBody(initial, values);
        if (Object.keys(body).length === 0) {
          props.onClose();
          return;
        }
        saved = await client.call('updateSeries', { params: { name: editing.name }, body, headers });
      }
      props.onSaved(saved);
    } catch (error) {
      session.onError(error);
      setRefusal({ error, format: values.format });
    } finally {
      setSaving(false);
    }
  };

  const lockedHint = locked ? (issued === null ? 'Checking whether this series has issued serials…' : 'Fixed: this series has issued serials.') : undefined;
  const showShifts = values.reset === 'shift' || values.format.includes('{SHIFT}') || values.shiftStarts.trim() !== '';
  const resetChoice = RESET_CHOICES.find((c) => c.value === values.reset);
  const allocationChoice = ALLOCATION_CHOICES.find((c) => c.value === values.allocation);
  const baseChoice = BASE_CHOICES.find((c) => c.value === values.base);
  const gs1Choice = GS1_CHOICES.find((c) => c.value === values.gs1);
  const localErrors = local.some((p) => p.severity === 'error');
  const generalProblems = [...placedLocal.general.filter((p) => p.severity === 'error'), ...placedServer.general];

  return (
    <Dialog title={editing === undefined ? 'Add series' : `Edit series ${editing.name}`} onClose={props.onClose} wide>
      <form ref={formRef} className="series-form" onSubmit={(event) => void submit(event)} noValidate>
        {locked && issued === true && (
          <p className="notice series-form-locked">
            This series has issued serials, so its format, base, minimum length, reset rule, time zone, shift starts and GS1 settings
            are fixed: a new value could print a serial that was already issued. To change them, add a new series.
          </p>
        )}
        <div className="series-form-grid">
          <div className="series-form-top">
            <Field label="Name" error={errorOf('name')} hint={editing === undefined ? 'Unique in your company, e.g. Product serials.' : undefined}>
              {({ id, describedBy, invalid }) => (
                <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.name} maxLength={100} required autoComplete="off" onChange={(e) => set('name', e.target.value)} />
              )}
            </Field>
            <Field label="Description" error={errorOf('description')}>
              {({ id, describedBy, invalid }) => (
                <textarea id={id} aria-describedby={describedBy} aria-invalid={invalid} rows={2} maxLength={2000} value={values.description} onChange={(e) => set('description', e.target.value)} />
              )}
            </Field>
            <Field
              label="Format"
              hint={
                <>
                  {lockedHint ??
                    (values.gs1 === 'sscc'
                      ? 'Optional for SSCCs: left empty, it is derived from the extension digit and company prefix, and the check digit is appended.'
                      : 'Text and tokens; put the caret where a token belongs and pick it below. Write {{ or }} for a literal brace.')}
                  <FormatProblems format={settled.format} problems={(placedLocal.byField.get('format') ?? []).filter((p) => p.severity === 'warning')} />
                </>
              }
              error={formatErrors.some(({ p }) => p.severity === 'error') ? <FormatErrorList items={formatErrors.filter(({ p }) => p.severity === 'error')} /> : undefined}
            >
              {({ id, describedBy, invalid }) => (
                <input
                  id={id}
                  ref={formatInput}
                  className="mono series-format-input"
                  aria-describedby={describedBy}
                  aria-invalid={invalid}
                  value={values.format}
                  readOnly={locked}
                  required={values.gs1 !== 'sscc'}
                  spellCheck={false}
                  autoComplete="off"
                  autoCapitalize="off"
                  placeholder={values.gs1 === 'sscc' ? 'Derived from the company prefix' : 'e.g. SN-{YYYY}{JJJ}-{####}'}
                  onChange={(e) => set('format', e.target.value)}
                />
              )}
            </Field>
            {/* A fixed format takes no tokens; the buttons would only be noise. */}
            {!locked && <TokenButtons input={formatInput} value={values.format} onChange={(format) => set('format', format)} />}
          </div>

          <aside className="series-form-aside">
            <FormatPreview preview={settled.format.trim() === '' && settled.gs1 !== 'sscc' ? null : preview} pending={settled !== values} />
          </aside>

          <div className="series-form-rest">
            <fieldset>
              <legend>Sequence</legend>
              <div className="field-row">
                <Field label="Base" hint={lockedHint ?? baseChoice?.description} error={errorOf('base')}>
                  {({ id, describedBy, invalid }) => (
                    <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.base} disabled={locked} onChange={(e) => set('base', e.target.value)}>
                      {BASE_CHOICES.map((choice) => (
                        <option key={choice.value} value={choice.value}>
                          {choice.label}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label="Minimum length" hint={lockedHint ?? 'Characters of the sequence, 1 to 40.'} error={errorOf('minLength')}>
                  {({ id, describedBy, invalid }) => (
                    <input id={id} aria-describedby={describedBy} aria-invalid={invalid} inputMode="numeric" value={values.minLength} readOnly={locked} onChange={(e) => set('minLength', e.target.value)} />
                  )}
                </Field>
              </div>
              <div className="field-row">
                <Field label="Starting value" hint="The first serial carries this plus the increment." error={errorOf('start')}>
                  {({ id, describedBy, invalid }) => (
                    <input id={id} aria-describedby={describedBy} aria-invalid={invalid} inputMode="numeric" value={values.start} onChange={(e) => set('start', e.target.value)} />
                  )}
                </Field>
                <Field label="Increment by" hint="Step between serials, at least 1." error={errorOf('increment')}>
                  {({ id, describedBy, invalid }) => (
                    <input id={id} aria-describedby={describedBy} aria-invalid={invalid} inputMode="numeric" value={values.increment} onChange={(e) => set('increment', e.target.value)} />
                  )}
                </Field>
              </div>
              <Check
                label="Let the sequence grow past its width"
                hint="When every value of the width is used, write longer serials instead of refusing to generate."
                checked={values.allowGrowth}
                onChange={(checked) => set('allowGrowth', checked)}
                error={errorOf('allowGrowth')}
              />
            </fieldset>

            <fieldset>
              <legend>GS1</legend>
              <Field label="GS1 identity" hint={lockedHint ?? gs1Choice?.description} error={errorOf('sscc')}>
                {({ id, describedBy, invalid }) => (
                  <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.gs1} disabled={locked} onChange={(e) => set('gs1', e.target.value as Gs1Kind)}>
                    {GS1_CHOICES.map((choice) => (
                      <option key={choice.value} value={choice.value}>
                        {choice.label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {values.gs1 === 'gtin' && (
                <Field label="GTIN" hint={lockedHint ?? '8, 12, 13 or 14 digits, the last being the GS1 check digit; kept as a GTIN-14.'} error={errorOf('gtin')}>
                  {({ id, describedBy, invalid }) => (
                    <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} inputMode="numeric" value={values.gtin} readOnly={locked} autoComplete="off" spellCheck={false} placeholder="e.g. 09520123456788" onChange={(e) => set('gtin', e.target.value)} />
                  )}
                </Field>
              )}
              {values.gs1 !== 'none' && (
                <div className="field-row">
                  <Field
                    label="Company prefix"
                    hint={lockedHint ?? (values.gs1 === 'sscc' ? 'Your GS1 company prefix, 6 to 12 digits. Required for SSCCs.' : 'Optional, 6 to 12 digits: gives each record its EPC URN.')}
                    error={errorOf('companyPrefix')}
                  >
                    {({ id, describedBy, invalid }) => (
                      <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} inputMode="numeric" value={values.companyPrefix} readOnly={locked} autoComplete="off" spellCheck={false} onChange={(e) => set('companyPrefix', e.target.value)} />
                    )}
                  </Field>
                  {values.gs1 === 'sscc' && (
                    <Field label="Extension digit" hint={lockedHint ?? 'One digit, 0 to 9: the first digit of every SSCC.'} error={errorOf('extensionDigit')}>
                      {({ id, describedBy, invalid }) => (
                        <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} inputMode="numeric" maxLength={1} value={values.extensionDigit} readOnly={locked} autoComplete="off" onChange={(e) => set('extensionDigit', e.target.value)} />
                      )}
                    </Field>
                  )}
                </div>
              )}
              <Check
                label="Randomised serials (EU FMD)"
                hint={
                  lockedHint ??
                  'Serials are a keyed pseudorandom permutation of the sequence, so none can be guessed from another; at most one in 10,000 values of a period is issued. Needs the server’s master key.'
                }
                checked={values.randomized}
                disabled={locked}
                onChange={(checked) => set('randomized', checked)}
                error={errorOf('randomized')}
              />
            </fieldset>

            <fieldset>
              <legend>Periods and time</legend>
              <Field
                label="Reset rule"
                hint={lockedHint ?? (resetChoice === undefined ? undefined : `${resetChoice.description}${values.reset === 'never' ? '' : ' Local time is the series\u2019 time zone.'}`)}
                error={errorOf('reset')}
              >
                {({ id, describedBy, invalid }) => (
                  <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.reset} disabled={locked} onChange={(e) => set('reset', e.target.value)}>
                    {RESET_CHOICES.map((choice) => (
                      <option key={choice.value} value={choice.value} title={choice.description}>
                        {choice.label} — {lowerFirst(choice.description)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              <Field label="Time zone" hint={lockedHint ?? 'An IANA zone such as Europe/Berlin: date tokens print and periods turn over in it.'} error={errorOf('timeZone')}>
                {({ id, describedBy, invalid }) => (
                  <>
                    <input id={id} aria-describedby={describedBy} aria-invalid={invalid} list={`${id}-zones`} value={values.timeZone} readOnly={locked} autoComplete="off" spellCheck={false} onChange={(e) => set('timeZone', e.target.value)} />
                    <TimeZoneList id={`${id}-zones`} />
                  </>
                )}
              </Field>
              {showShifts && (
                <Field
                  label="Shift starts"
                  hint={lockedHint ?? 'Label and start of each shift, e.g. A=06:00,B=14:00,C=22:00. Empty: shifts A, B and C of 8 hours from 00:00.'}
                  error={errorOf('shiftStarts')}
                >
                  {({ id, describedBy, invalid }) => (
                    <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={values.shiftStarts} readOnly={locked} autoComplete="off" spellCheck={false} placeholder="A=06:00,B=14:00,C=22:00" onChange={(e) => set('shiftStarts', e.target.value)} />
                  )}
                </Field>
              )}
            </fieldset>

            <fieldset>
              <legend>Uniqueness and allocation</legend>
              <Check
                label="Global series"
                hint={
                  locked && editing?.global === false
                    ? 'Fixed: this series has issued serials that were only kept unique within it.'
                    : 'Serials are unique across the whole company, not only within this series; a value whose serial exists elsewhere is skipped and audited.'
                }
                checked={values.global}
                disabled={locked && editing?.global === false}
                onChange={(checked) => set('global', checked)}
                error={errorOf('global')}
              />
              <Field label="Allocation" hint={allocationChoice?.description} error={errorOf('allocation')}>
                {({ id, describedBy, invalid }) => (
                  <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.allocation} onChange={(e) => set('allocation', e.target.value)}>
                    {ALLOCATION_CHOICES.map((choice) => (
                      <option key={choice.value} value={choice.value}>
                        {choice.label}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {values.allocation === 'leased' && (
                <Field label="Lease size" hint="Values each server takes at a time, 1 to 100,000." error={errorOf('leaseSize')}>
                  {({ id, describedBy, invalid }) => (
                    <input id={id} aria-describedby={describedBy} aria-invalid={invalid} inputMode="numeric" value={values.leaseSize} onChange={(e) => set('leaseSize', e.target.value)} />
                  )}
                </Field>
              )}
            </fieldset>

            {editing !== undefined && (
              <Field label="Reason" hint="Optional. Kept with this version in the audit trail." error={errorOf('reason')}>
                {({ id, describedBy, invalid }) => (
                  <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={reason} maxLength={MAX_REASON_LENGTH} onChange={(e) => { setReason(e.target.value); setRefusal(null); }} />
                )}
              </Field>
            )}
          </div>
        </div>

        {attempted && localErrors && (
          <p className="notice notice-error" role="alert">
            The series was not saved: fix the problems marked in the form.
          </p>
        )}
        {refusal !== null && <Refusal error={refusal.error} general={generalProblems} />}
        {refusal === null && generalProblems.length > 0 && attempted && (
          <ul className="notice notice-error">
            {generalProblems.map((p, i) => (
              <li key={i}>{p.message}</li>
            ))}
          </ul>
        )}

        <div className="actions">
          <button type="button" className="secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" disabled={saving}>
            {editing === undefined ? 'Create series' : 'Save changes'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function FormatErrorList(props: { readonly items: readonly { readonly p: Problem; readonly text: string }[] }) {
  // Local and server problems may refer to different texts of the format; each keeps its own.
  return (
    <>
      {props.items.map(({ p, text }, index) => (
        <FormatProblems key={index} format={text} problems={[p]} />
      ))}
    </>
  );
}

/** The server's refusal in words; problems that belong to a field are shown at that field. */
function Refusal(props: { readonly error: unknown; readonly general: readonly Problem[] }) {
  const words = describeError(props.error);
  const all = problemsOf(props.error);
  const atFields = all.length - props.general.length;
  const listed = props.general.filter((p) => p.message !== words.title);
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">The series was not saved</p>
      <p>{words.title}</p>
      {words.detail !== '' && <p>{words.detail}</p>}
      {listed.length > 0 && (
        <ul>
          {listed.map((p, i) => (
            <li key={i}>{p.message}</li>
          ))}
        </ul>
      )}
      {atFields > 0 && <p>{atFields === 1 ? 'The problem is marked at its field.' : 'Each problem is marked at its field.'}</p>}
    </div>
  );
}

function Check(props: {
  readonly label: string;
  readonly hint: ReactNode;
  readonly checked: boolean;
  readonly disabled?: boolean;
  readonly error?: string | undefined;
  readonly onChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="check">
      <input
        type="checkbox"
        id={id}
        checked={props.checked}
        disabled={props.disabled}
        aria-describedby={`${id}-hint${props.error === undefined ? '' : ` ${id}-error`}`}
        aria-invalid={props.error !== undefined}
        onChange={(e) => props.onChange(e.target.checked)}
      />
      <div>
        <label htmlFor={id}>{props.label}</label>
        <div id={`${id}-hint`} className="field-hint">
          {props.hint}
        </div>
        {props.error !== undefined && (
          <div id={`${id}-error`} className="field-error">
            {props.error}
          </div>
        )}
      </div>
    </div>
  );
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** The browser's own list of zones, offered as suggestions; any zone the server knows is still accepted. */
function TimeZoneList({ id }: { readonly id: string }) {
  const zones = useMemo(() => {
    try {
      return Intl.supportedValuesOf('timeZone');
    } catch {
      return [];
    }
  }, []);
  return (
    <datalist id={id}>
      {zones.map((zone) => (
        <option key={zone} value={zone} />
      ))}
    </datalist>
  );
}
