import { PERMANENT_PERIOD, type ResetRule } from '@serialtrace/core';
import { useId } from 'react';
import { formatCount } from '../ui/text';
import type { DefinitionPreview } from './definition-preview';
import { PERIOD_WORDS } from './series-words';

/**
 * The next serials of the definition being typed, with the capacity of one period. Computed in
 * the page (see definition-preview.ts); context tokens show as `{LINE}` since only a request
 * gives their values.
 */
export function FormatPreview(props: { readonly preview: DefinitionPreview | null; readonly pending: boolean }) {
  const titleId = useId();
  const { preview } = props;
  return (
    <section className="format-preview" aria-labelledby={titleId} aria-busy={props.pending}>
      <h3 id={titleId}>Preview</h3>
      {preview === null ? (
        <p className="muted">Type a format, or pick tokens, to see the serials it would issue.</p>
      ) : !preview.ok ? (
        <p className="muted">No preview until the problems marked in the form are fixed.</p>
      ) : (
        <PreviewBody preview={preview} />
      )}
    </section>
  );
}

function PreviewBody({ preview }: { readonly preview: Extract<DefinitionPreview, { ok: true }> }) {
  const reset = preview.plan.settings.reset;
  const hasContext = preview.plan.contextTokens.length > 0;
  return (
    <>
      <p className="muted format-preview-lead">
        {preview.fromCounter ? 'The next serials, from the current counter' : 'The first serials'}
        {preview.period === PERMANENT_PERIOD ? '' : `, in period ${preview.period}`}:
      </p>
      {preview.serials.length === 0 ? (
        <p className="notice notice-warning">This series has no room left for another serial in this period.</p>
      ) : (
        <ol aria-label="Next serials" className="serial-list">
          {preview.serials.map((serial, index) => (
            <li key={index}>
              <code>{serial}</code>
            </li>
          ))}
        </ol>
      )}
      {preview.plan.settings.randomized && preview.serials.length > 0 && (
        <p className="field-hint format-preview-randomized">Randomised: issued serials are scrambled; this preview shows them in order.</p>
      )}
      {preview.plan.settings.sscc && preview.serials.length > 0 && <p className="field-hint">Each SSCC ends with its GS1 check digit.</p>}
      {preview.truncated && preview.serials.length > 0 && <p className="field-hint">Only these fit before the sequence is full.</p>}
      {hasContext && (
        <p className="field-hint">
          {preview.plan.contextTokens.map((t) => `{${t}}`).join(', ')} {preview.plan.contextTokens.length === 1 ? 'is' : 'are'} filled in from each request.
        </p>
      )}
      <p className="format-preview-capacity">
        <strong>Capacity:</strong> {capacityWords(preview.perPeriod, reset)}
      </p>
    </>
  );
}

function capacityWords(perPeriod: bigint | null, reset: ResetRule): string {
  if (perPeriod === null) return 'no fixed limit; the sequence grows past its width when it fills.';
  return `${formatCount(perPeriod)} serial${perPeriod === 1n ? '' : 's'} ${PERIOD_WORDS[reset]}.`;
}
