import { canonicalJson } from '@serialtrace/core';
import type { JournalEvent, RecordRow, StatusChangeRow } from '@serialtrace/store';
import { fingerprint } from './hashing.js';

/**
 * A record or one of its status changes that does not match the audit entry that made it: the
 * row was changed behind the service's back (a work order edited, `voided` turned into
 * `completed`), or it points at no entry at all.
 */
export interface LinkProblem {
  /** The chain position of the entry the row points at (0 when it points at none, or at one not sealed yet). */
  readonly seq: number;
  readonly reason: 'record_mismatch' | 'history_mismatch';
  readonly serial: string;
  /** The field that differs (`workOrder`, `status`, `to`, ...), or `auditSeq` when the entry is missing or of another kind. */
  readonly field: string;
  /** What the entry says, and what the row holds (as JSON text). */
  readonly expected: string;
  readonly actual: string;
}

const text = (value: unknown): string => (value === undefined ? 'null' : canonicalJson(value));

function differences(pairs: readonly (readonly [string, unknown, unknown])[]): { field: string; expected: string; actual: string }[] {
  const out: { field: string; expected: string; actual: string }[] = [];
  for (const [field, expected, actual] of pairs) {
    const e = text(expected ?? null);
    const a = text(actual ?? null);
    if (e !== a) out.push({ field, expected: e, actual: a });
  }
  return out;
}

/** The serials an entry issued, as a set, computed once per entry however many records share it. */
export class IssuedSerials {
  readonly #sets = new WeakMap<JournalEvent, ReadonlySet<string>>();

  of(entry: JournalEvent): ReadonlySet<string> {
    let set = this.#sets.get(entry);
    if (set === undefined) {
      const serials = (entry.data as { serials?: unknown } | null)?.serials;
      set = new Set(Array.isArray(serials) ? serials.filter((s): s is string => typeof s === 'string') : []);
      this.#sets.set(entry, set);
    }
    return set;
  }
}

/**
 * Records and status changes point at their entries by the entries' journal ids
 * (`auditId`); the problems name an entry by its place in the chain, as the rest of verification
 * does.
 *
 * Checks a record against the `serials.generated` entry that issued it: the entry names the
 * serial, and the series, period, work order, part number, lot, expiry, context, the metadata's
 * digest, who, when and where are what the record holds.
 */
export function recordLinkProblems(record: RecordRow, entry: JournalEvent | undefined, issued: IssuedSerials): LinkProblem[] {
  const seq = entry?.seq ?? 0;
  const problem = (field: string, expected: string, actual: string): LinkProblem => ({ seq, reason: 'record_mismatch', serial: record.serial, field, expected, actual });
  if (entry === undefined || entry.action !== 'serials.generated') {
    return [problem('auditSeq', 'an entry serials.generated', entry === undefined ? 'no such entry' : text(entry.action))];
  }
  const data = (entry.data ?? {}) as Record<string, unknown>;
  const found = differences([
    ['serial', true, issued.of(entry).has(record.serial)],
    ['series', entry.entityId, String(record.seriesId)],
    ['period', data['period'], record.period],
    ['workOrder', data['workOrder'], record.workOrder],
    ['partNumber', data['partNumber'], record.partNumber],
    ['lot', data['lot'], record.lot],
    ['expiry', data['expiry'], record.expiry],
    ['context', data['context'] ?? {}, record.context ?? {}],
    ['metadata', data['metadataSha256'], record.metadata === null || record.metadata === undefined ? null : fingerprint(record.metadata)],
    ['generatedAt', entry.at, record.generatedAt],
    ['generatedBy', entry.actor, record.generatedBy],
    ['station', entry.station, record.station],
  ]);
  return found.map((d) => problem(d.field, d.expected, d.actual));
}

/** Actions whose entries record a status change (a first print moves `generated` to `printed`). */
const STATUS_ACTIONS = new Set(['record.status_changed', 'record.label_printed']);

/**
 * Checks a record's status changes against their entries (each names the record, the statuses
 * from and to, who, when, where and why), and the record's status against the last change.
 */
export function historyLinkProblems(record: RecordRow, changes: readonly StatusChangeRow[], entries: ReadonlyMap<number, JournalEvent>): LinkProblem[] {
  const problems: LinkProblem[] = [];
  const seqOf = (id: number | null) => (id === null ? 0 : (entries.get(id)?.seq ?? 0));
  for (const change of changes) {
    const entry = change.auditId === null ? undefined : entries.get(change.auditId);
    const seq = entry?.seq ?? 0;
    const problem = (field: string, expected: string, actual: string): LinkProblem => ({ seq, reason: 'history_mismatch', serial: record.serial, field, expected, actual });
    if (entry === undefined || !STATUS_ACTIONS.has(entry.action)) {
      problems.push(problem('auditSeq', 'an entry record.status_changed or record.label_printed', entry === undefined ? 'no such entry' : text(entry.action)));
      continue;
    }
    const data = (entry.data ?? {}) as Record<string, unknown>;
    const found = differences([
      ['record', entry.entityId, String(change.recordId)],
      ['from', data['from'], change.fromStatus],
      ['to', data['to'], change.toStatus],
      ['at', entry.at, change.at],
      ['actor', entry.actor, change.actor],
      ['station', entry.station, change.station],
      ['reason', entry.reason, change.reason],
    ]);
    problems.push(...found.map((d) => problem(d.field, d.expected, d.actual)));
  }
  const last = changes.at(-1);
  const status = last === undefined ? 'generated' : last.toStatus;
  if (status !== record.status) {
    problems.push({ seq: seqOf(last?.auditId ?? record.auditId), reason: 'record_mismatch', serial: record.serial, field: 'status', expected: text(status), actual: text(record.status) });
  }
  return problems;
}
