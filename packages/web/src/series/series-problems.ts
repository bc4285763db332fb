import { isSerialtraceError, type Problem } from '@serialtrace/core';
import type { SeriesField } from './series-form-values';

/** Fields with a place in the form; `sscc` problems go to the GS1 identity choice. */
const FORM_FIELDS: ReadonlySet<string> = new Set<SeriesField | 'sscc'>([
  'name', 'description', 'format', 'base', 'start', 'increment', 'minLength', 'reset', 'timeZone', 'shiftStarts', 'global', 'allowGrowth', 'allocation', 'leaseSize',
  'gtin', 'sscc', 'companyPrefix', 'extensionDigit', 'randomized',
]);

export const REASON_HEADER = 'serialtrace-reason';

/** Problems sorted to where the form shows them: under a field, or in the notice above the buttons. */
export interface PlacedProblems {
  readonly byField: ReadonlyMap<string, readonly Problem[]>;
  readonly general: readonly Problem[];
}

export function placeProblems(problems: readonly Problem[]): PlacedProblems {
  const byField = new Map<string, Problem[]>();
  const general: Problem[] = [];
  for (const problem of problems) {
    const field = problem.field === REASON_HEADER ? 'reason' : problem.field;
    if (field !== undefined && (FORM_FIELDS.has(field) || field === 'reason')) {
      const list = byField.get(field) ?? [];
      list.push(problem);
      byField.set(field, list);
    } else general.push(problem);
  }
  return { byField, general };
}

/** The problems of a refusal; an error that is not a refusal has none (the notice says it in words). */
export function problemsOf(error: unknown): readonly Problem[] {
  return isSerialtraceError(error) ? error.asProblems() : [];
}

export function messages(problems: readonly Problem[] | undefined): string | undefined {
  if (problems === undefined || problems.length === 0) return undefined;
  return problems.map((p) => p.message).join(' ');
}
