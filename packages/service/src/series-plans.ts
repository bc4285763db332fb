import {
  compileSeries,
  localDateTime,
  periodKey,
  SerialtraceError,
  type LocalDateTime,
  type SequencePermutation,
  type SeriesPlan,
} from '@serialtrace/core';
import type { SeriesRow, StoreTransaction } from '@serialtrace/store';
import { seriesPermutation, type MasterKey } from './series-keys.js';

const MAX_CACHED_PLANS = 1000;

/**
 * Compiled series by id and version: a format is parsed and checked once per version, not once
 * per request. A changed series has a new version, so a stale plan is never used.
 */
export class SeriesPlans {
  readonly #plans = new Map<string, SeriesPlan>();
  /** Randomised series' permutations by series id: the key never changes, the space may not either. */
  readonly #permutations = new Map<number, SequencePermutation>();
  readonly #masterKey: MasterKey | undefined;

  /** @param masterKey the server master key randomised series' keys are wrapped under, if configured */
  constructor(masterKey?: MasterKey) {
    this.#masterKey = masterKey;
  }

  /** The master key, for wrapping the key of a series that becomes randomised. */
  get masterKey(): MasterKey | undefined {
    return this.#masterKey;
  }

  /**
   * The keyed permutation of a randomised series (`undefined` for other series). Its key is
   * unwrapped once per process; MASTER_KEY_MISSING or MASTER_KEY_MISMATCH refuse the request
   * before anything is issued.
   */
  permutationFor(row: SeriesRow, plan: SeriesPlan): SequencePermutation | undefined {
    if (plan.randomSpace === null) return undefined;
    const known = this.#permutations.get(row.id);
    if (known !== undefined && known.space === plan.randomSpace) return known;
    if (this.#masterKey === undefined) throw new SerialtraceError('MASTER_KEY_MISSING', { series: row.settings.name });
    if (row.wrappedKey === null) throw new Error(`randomised series ${row.id} has no key`);
    const key = this.#masterKey.unwrap(row.wrappedKey, seriesKeyLabel(row.id), row.settings.name);
    const permutation = seriesPermutation(key, plan.randomSpace);
    if (this.#permutations.size >= MAX_CACHED_PLANS) this.#permutations.delete(this.#permutations.keys().next().value!);
    this.#permutations.set(row.id, permutation);
    return permutation;
  }
  /** The last row read per company and name, reused while its version is current. */
  readonly #rows = new Map<string, SeriesRow>();

  /**
   * The series named `name` and its plan, inside `tx`. A copy held from an earlier request is
   * reused when the stored version still matches (another process may have changed it), which
   * reads two integers instead of the whole row on the generation path.
   */
  async load(tx: StoreTransaction, companyId: number, name: string): Promise<{ row: SeriesRow; plan: SeriesPlan }> {
    const key = `${companyId}\u0000${name}`;
    const stamp = await tx.series.findVersion(companyId, name);
    if (stamp === undefined) throw new SerialtraceError('SERIES_NOT_FOUND', { field: 'series', series: name });
    let row = this.#rows.get(key);
    if (row === undefined || row.id !== stamp.id || row.version !== stamp.version) {
      row = await tx.series.find(companyId, name);
      if (row === undefined) throw new SerialtraceError('SERIES_NOT_FOUND', { field: 'series', series: name });
      this.#remember(key, row);
    }
    return { row, plan: this.planFor(row) };
  }

  /**
   * {@link load} for several names with one version check: a batch touching many series reads
   * their versions together. A name without a series maps to SERIES_NOT_FOUND.
   */
  async loadMany(tx: StoreTransaction, companyId: number, names: readonly string[]): Promise<Map<string, { row: SeriesRow; plan: SeriesPlan } | SerialtraceError>> {
    const stamps = new Map((await tx.series.findVersions(companyId, names)).map((s) => [s.name, s]));
    const loaded = new Map<string, { row: SeriesRow; plan: SeriesPlan } | SerialtraceError>();
    for (const name of names) {
      const stamp = stamps.get(name);
      if (stamp === undefined) {
        loaded.set(name, new SerialtraceError('SERIES_NOT_FOUND', { field: 'series', series: name }));
        continue;
      }
      const key = `${companyId}\u0000${name}`;
      let row = this.#rows.get(key);
      if (row === undefined || row.id !== stamp.id || row.version !== stamp.version) {
        row = await tx.series.find(companyId, name);
        if (row === undefined) {
          loaded.set(name, new SerialtraceError('SERIES_NOT_FOUND', { field: 'series', series: name }));
          continue;
        }
        this.#remember(key, row);
      }
      loaded.set(name, { row, plan: this.planFor(row) });
    }
    return loaded;
  }

  #remember(key: string, row: SeriesRow): void {
    if (this.#rows.size >= MAX_CACHED_PLANS) this.#rows.delete(this.#rows.keys().next().value!);
    this.#rows.set(key, row);
  }

  /** The row last loaded for a name, if any: a hint that may be stale, never a basis for a write. */
  peek(companyId: number, name: string): SeriesRow | undefined {
    return this.#rows.get(`${companyId}\u0000${name}`);
  }

  /**
   * Drops the row kept for a name. Called when a write that loaded it did not commit: under
   * group commit the row may have been read from a transaction that never committed, and an id
   * and version can be taken again by a different change afterwards.
   */
  forget(companyId: number, name: string): void {
    this.#rows.delete(`${companyId}\u0000${name}`);
  }

  planFor(row: SeriesRow): SeriesPlan {
    const key = `${row.id}:${row.version}`;
    let plan = this.#plans.get(key);
    if (plan === undefined) {
      plan = compileSeries(row.settings);
      if (this.#plans.size >= MAX_CACHED_PLANS) this.#plans.delete(this.#plans.keys().next().value!);
      this.#plans.set(key, plan);
    }
    return plan;
  }
}

/** The wall clock of a series and the reset period it is in at `at`. */
export function periodAt(plan: SeriesPlan, at: Date): { local: LocalDateTime; period: string } {
  const local = localDateTime(at.getTime(), plan.settings.timeZone);
  return { local, period: periodKey(plan.settings.reset, local, plan.calendar) };
}

/** What a series key is bound to when wrapped: unwrapping it for another series fails. */
export function seriesKeyLabel(seriesId: number): string {
  return `serialtrace series ${seriesId}`;
}
