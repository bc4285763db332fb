import {
  isSerialtraceError,
  periodCapacity,
  previewSerials,
  resolveSeriesSettings,
  settingsToJson,
  type Problem,
  type SeriesInput,
  type SeriesPlan,
} from '@serialtrace/core';
import { SHAPING_FIELDS, type SeriesView } from './series-form-values';

export const PREVIEW_COUNT = 5;

export type DefinitionPreview =
  | {
      readonly ok: true;
      readonly serials: readonly string[];
      readonly period: string;
      readonly truncated: boolean;
      readonly warnings: readonly Problem[];
      readonly plan: SeriesPlan;
      /** Serials one period holds; `null` when the sequence may grow. */
      readonly perPeriod: bigint | null;
      /** The preview continues from the series' counter rather than its start. */
      readonly fromCounter: boolean;
    }
  | { readonly ok: false; readonly problems: readonly Problem[] };

/**
 * What a series described by `input` would issue first, computed with the calls the server's
 * `SeriesService.previewDefinition` makes (same defaulted name, same zone default, same core
 * functions), so the preview in the page cannot drift from what the server would issue.
 *
 * For an existing series whose shaping fields are unchanged, the preview continues from its
 * counter in the current period, as `previewNext` does.
 */
export function previewDefinition(
  input: SeriesInput,
  options: {
    readonly at: Date;
    readonly defaultTimeZone: string;
    readonly count?: number;
    readonly existing?: SeriesView;
  },
): DefinitionPreview {
  const named: SeriesInput = { ...input, name: typeof input.name === 'string' && input.name.trim() !== '' ? input.name : 'preview' };
  try {
    const { plan } = resolveSeriesSettings(named, { timeZone: options.existing?.timeZone ?? options.defaultTimeZone });
    const request = { at: options.at, count: options.count ?? PREVIEW_COUNT, context: undefined, partNumber: null, placeholders: true };
    let preview = previewSerials(plan, request);
    const current = counterFor(plan, preview.period, options.existing);
    if (current !== undefined) preview = previewSerials(plan, { ...request, current });
    return { ok: true, ...preview, warnings: plan.warnings, plan, perPeriod: periodCapacity(plan), fromCounter: current !== undefined };
  } catch (error) {
    if (isSerialtraceError(error)) return { ok: false, problems: error.asProblems() };
    // A bug in core must not take the form down; the server still has the last word on submit.
    return { ok: false, problems: [{ code: 'INTERNAL_ERROR', message: 'The preview could not be computed for this definition.', severity: 'error' }] };
  }
}

/**
 * The counter the server would continue from: only when the shaping fields are as saved (other
 * values start a different sequence), the period is the one the list was read in, and the
 * counter has moved (an unmoved counter is no counter row: the start applies, even a new start).
 */
function counterFor(plan: SeriesPlan, period: string, existing: SeriesView | undefined): bigint | undefined {
  if (existing === undefined) return undefined;
  const resolved = settingsToJson(plan.settings) as unknown as Record<string, unknown>;
  const saved = existing as unknown as Record<string, unknown>;
  if (SHAPING_FIELDS.some((field) => JSON.stringify(resolved[field]) !== JSON.stringify(saved[field]))) return undefined;
  if (period !== existing.current.period || existing.current.value === existing.start) return undefined;
  return BigInt(existing.current.value);
}
