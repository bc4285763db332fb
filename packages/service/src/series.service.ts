import {
  previewSerials,
  resolveSeriesSettings,
  SerialtraceError,
  settingsToJson,
  type Clock,
  type SeriesInput,
  type SeriesSettings,
} from '@serialtrace/core';
import type { SeriesRow, Store, StoreTransaction } from '@serialtrace/store';
import { appendAudit } from './audit-writer.js';
import { releaseLeasesIn } from './leased-issue.js';
import type { Caller } from './caller.js';
import { newSeriesKey, seriesPermutation, type MasterKey } from './series-keys.js';
import { periodAt, seriesKeyLabel, type SeriesPlans } from './series-plans.js';
import { seriesView, type SeriesView } from './views.js';

export interface PreviewRequest {
  /** The instant to preview at; now when omitted. */
  readonly at?: Date;
  readonly count?: number;
  readonly context?: unknown;
  readonly partNumber?: string | null;
  /** Show missing context tokens as `{LINE}` instead of refusing. */
  readonly placeholders?: boolean;
  /**
   * Whether the caller may see the next serials of a randomised series, which are meant to be
   * unguessable: those who issue or define series may, readers may not. Absent: allowed (the
   * local command line).
   */
  readonly randomised?: { readonly allowed: boolean; readonly role: string };
}

export interface PreviewResult {
  readonly serials: readonly string[];
  readonly period: string;
  readonly truncated: boolean;
  readonly warnings: SeriesView['warnings'];
}

export const MAX_PREVIEW_COUNT = 1000;

/**
 * Fields that shape the serials. Once a series has issued anything they are fixed: changing them
 * could print a serial again (a new base reads old digits differently, a new zone moves period
 * boundaries, a new reset rule reuses old counters). Making a series global later would have to
 * prove its past serials unique company-wide, so that is fixed too.
 */
const SHAPING_FIELDS = [
  'format',
  'base',
  'minLength',
  'reset',
  'timeZone',
  'shiftStarts',
  // A record of a GS1 series is its GTIN + serial, or its SSCC: a new key would re-identify the
  // items already labelled. A new permutation or none would print values the old order may
  // still print.
  'gtin',
  'sscc',
  'companyPrefix',
  'extensionDigit',
  'randomized',
] as const;

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface SeriesServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly plans: SeriesPlans;
  readonly defaultTimeZone: string;
}

/** Defining series: create, read, change (versioned), preview. */
export class SeriesService {
  readonly #deps: SeriesServiceDeps;

  constructor(deps: SeriesServiceDeps) {
    this.#deps = deps;
  }

  /**
   * Creates a series after checking every field (all problems reported at once) and that its
   * format stays unique under its reset rule.
   */
  async create(caller: Caller, input: SeriesInput): Promise<SeriesView> {
    const { settings } = resolveSeriesSettings(input, { timeZone: this.#deps.defaultTimeZone });
    const now = this.#deps.clock.now();
    const at = now.toISOString();
    const row = await this.#deps.store.write(async (tx) => {
      if ((await tx.series.find(caller.companyId, settings.name)) !== undefined) {
        throw new SerialtraceError('SERIES_NAME_TAKEN', { field: 'name', series: settings.name });
      }
      const created = await this.#keyed(tx, await tx.series.insert(caller.companyId, settings, { at, actor: caller.actor, reason: caller.reason ?? null }));
      await appendAudit(tx, caller, at, [
        { action: 'series.created', entityType: 'series', entityId: String(created.id), data: { version: 1, settings: settingsToJson(settings) } },
      ]);
      return created;
    });
    return this.#view(row, now, undefined);
  }

  async list(caller: Caller): Promise<SeriesView[]> {
    const now = this.#deps.clock.now();
    return this.#deps.store.read(async (tx) => {
      const rows = await tx.series.list(caller.companyId);
      // One after the other: a transaction's statements share one connection.
      const views: SeriesView[] = [];
      for (const row of rows) views.push(await this.#viewIn(tx, row, now));
      return views;
    });
  }

  async get(caller: Caller, name: string): Promise<SeriesView> {
    const now = this.#deps.clock.now();
    return this.#deps.store.read(async (tx) => this.#viewIn(tx, await requireSeries(tx, caller, name), now));
  }

  async versions(caller: Caller, name: string): Promise<{ version: number; changedAt: string; changedBy: string; reason: string | null; settings: ReturnType<typeof settingsToJson> }[]> {
    return this.#deps.store.read(async (tx) => {
      const row = await requireSeries(tx, caller, name);
      const versions = await tx.series.versions(row.id);
      return versions.map((v) => ({ version: v.version, changedAt: v.changedAt, changedBy: v.changedBy, reason: v.reason, settings: settingsToJson(v.settings) }));
    });
  }

  /**
   * Changes a series and keeps the old settings as a version. Fields that shape serials are fixed
   * once the series has issued any (SERIES_CHANGE_UNSAFE names the field and why).
   */
  async update(caller: Caller, name: string, changes: SeriesInput): Promise<SeriesView> {
    const now = this.#deps.clock.now();
    const at = now.toISOString();
    const row = await this.#deps.store.write(async (tx) => {
      const current = await requireSeries(tx, caller, name);
      const merged: SeriesInput = { ...settingsToJson(current.settings), ...definedOnly(changes) };
      const { settings } = resolveSeriesSettings(merged, { timeZone: current.settings.timeZone });
      const changed = changedFields(current.settings, settings);
      if (changed.length === 0) return current;
      if (await tx.series.hasIssued(current.id)) {
        for (const field of changed) {
          if ((SHAPING_FIELDS as readonly string[]).includes(field)) {
            throw new SerialtraceError('SERIES_CHANGE_UNSAFE', {
              field,
              series: current.settings.name,
              reason: 'it shapes the serials already issued, and a new value could print one of them again; create a new series instead',
            });
          }
          if (field === 'global' && settings.global) {
            throw new SerialtraceError('SERIES_CHANGE_UNSAFE', {
              field,
              series: current.settings.name,
              reason: 'its past serials were only kept unique within the series; create a new global series instead',
            });
          }
        }
      }
      if (changed.includes('name') && (await tx.series.find(caller.companyId, settings.name)) !== undefined) {
        throw new SerialtraceError('SERIES_NAME_TAKEN', { field: 'name', series: settings.name });
      }
      const updated = await this.#keyed(tx, await tx.series.update(current, settings, { at, actor: caller.actor, reason: caller.reason ?? null }));
      const before = settingsToJson(current.settings) as unknown as Record<string, unknown>;
      const after = settingsToJson(settings) as unknown as Record<string, unknown>;
      await appendAudit(tx, caller, at, [
        {
          action: 'series.updated',
          entityType: 'series',
          entityId: String(current.id),
          data: { version: updated.version, changes: Object.fromEntries(changed.map((f) => [f, { from: before[f], to: after[f] }])) },
        },
      ]);
      if (current.settings.allocation === 'leased' && settings.allocation !== 'leased') {
        // Servers' leases end with leased allocation; what they did not issue is recorded as skipped.
        // (A lease in use by a request right now is passed over and ends when its server stops.)
        await releaseLeasesIn(tx, await tx.counters.lockOpenLeases({ seriesId: current.id }), at, 'series_changed', caller.actor);
      }
      return updated;
    });
    return this.get(caller, row.settings.name);
  }

  /** The serials a series described by `input` would issue first; nothing is stored. */
  async previewDefinition(input: SeriesInput, request: PreviewRequest = {}): Promise<PreviewResult> {
    const named: SeriesInput = { ...input, name: typeof input.name === 'string' && input.name.trim() !== '' ? input.name : 'preview' };
    const { plan } = resolveSeriesSettings(named, { timeZone: this.#deps.defaultTimeZone });
    // A randomised definition has no key yet: a throwaway one shows what such serials look like.
    const permutation = plan.randomSpace === null ? undefined : seriesPermutation(newSeriesKey(), plan.randomSpace);
    const preview = previewSerials(plan, { ...this.#previewOptions(request), ...(permutation === undefined ? {} : { permutation }) });
    return { ...preview, warnings: plan.warnings };
  }

  /** The serials an existing series would issue next, from its counter; nothing is stored or consumed. */
  async previewNext(caller: Caller, name: string, request: PreviewRequest = {}): Promise<PreviewResult> {
    return this.#deps.store.read(async (tx) => {
      const row = await requireSeries(tx, caller, name);
      const plan = this.#deps.plans.planFor(row);
      const options = this.#previewOptions(request);
      const { period } = periodAt(plan, options.at);
      if (plan.randomSpace !== null && request.randomised?.allowed === false) {
        throw new SerialtraceError('FORBIDDEN', { role: request.randomised.role, permission: 'serials.generate' });
      }
      const current = await tx.counters.read(row.id, period);
      const permutation = this.#deps.plans.permutationFor(row, plan);
      return {
        ...previewSerials(plan, { ...options, ...(current === undefined ? {} : { current }), ...(permutation === undefined ? {} : { permutation }) }),
        warnings: plan.warnings,
      };
    });
  }

  #previewOptions(request: PreviewRequest) {
    const count = request.count ?? 5;
    if (!Number.isSafeInteger(count) || count < 1 || count > MAX_PREVIEW_COUNT) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'count', reason: `it must be a whole number from 1 to ${MAX_PREVIEW_COUNT}` });
    }
    return {
      at: request.at ?? this.#deps.clock.now(),
      count,
      context: request.context,
      partNumber: request.partNumber ?? null,
      placeholders: request.placeholders ?? false,
    };
  }

  /**
   * Re-wraps the key of every randomised series, in every company, under `next`: the series keep
   * their keys (and so their order); only what protects them changes. One transaction: either
   * every key is re-wrapped or none. Needs the current master key; a series key that does not
   * unwrap under it refuses the whole rotation (MASTER_KEY_MISMATCH).
   */
  async rotateMasterKey(caller: Caller, next: MasterKey): Promise<{ from: string; to: string; series: number }> {
    const current = this.#deps.plans.masterKey;
    if (current === undefined) throw new SerialtraceError('MASTER_KEY_MISSING', { field: 'SERIALTRACE_MASTER_KEY', series: '(any)' });
    const at = this.#deps.clock.now().toISOString();
    return this.#deps.store.write(async (tx) => {
      let rewrapped = 0;
      for (const company of await tx.access.listCompanies()) {
        const names: string[] = [];
        for (const row of await tx.series.list(company.id)) {
          if (row.wrappedKey === null) continue;
          const key = current.unwrap(row.wrappedKey, seriesKeyLabel(row.id), row.settings.name);
          await tx.series.saveKey(row.id, next.wrap(key, seriesKeyLabel(row.id)));
          names.push(row.settings.name);
        }
        if (names.length === 0) continue;
        rewrapped += names.length;
        await appendAudit(tx, { ...caller, companyId: company.id }, at, [
          { action: 'master_key.rotated', entityType: 'company', entityId: String(company.id), data: { from: current.id, to: next.id, series: names } },
        ]);
      }
      return { from: current.id, to: next.id, series: rewrapped };
    });
  }

  /**
   * Gives a series that is randomised its secret key, once: a new random key, stored wrapped
   * under the master key and bound to the series, so it cannot be moved to another.
   */
  async #keyed(tx: StoreTransaction, row: SeriesRow): Promise<SeriesRow> {
    if (!row.settings.randomized || row.wrappedKey !== null) return row;
    const masterKey = this.#deps.plans.masterKey;
    if (masterKey === undefined) throw new SerialtraceError('MASTER_KEY_MISSING', { field: 'randomized', series: row.settings.name });
    const wrappedKey = masterKey.wrap(newSeriesKey(), seriesKeyLabel(row.id));
    await tx.series.saveKey(row.id, wrappedKey);
    return { ...row, wrappedKey };
  }

  async #viewIn(tx: StoreTransaction, row: SeriesRow, now: Date): Promise<SeriesView> {
    const plan = this.#deps.plans.planFor(row);
    const { period } = periodAt(plan, now);
    return seriesView(row, plan, period, await tx.counters.read(row.id, period));
  }

  #view(row: SeriesRow, now: Date, counter: bigint | undefined): SeriesView {
    const plan = this.#deps.plans.planFor(row);
    return seriesView(row, plan, periodAt(plan, now).period, counter);
  }
}

export async function requireSeries(tx: StoreTransaction, caller: Caller, name: string): Promise<SeriesRow> {
  const row = await tx.series.find(caller.companyId, name);
  if (row === undefined) throw new SerialtraceError('SERIES_NOT_FOUND', { field: 'series', series: name });
  return row;
}

function definedOnly(input: SeriesInput): SeriesInput {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));
}

function changedFields(before: SeriesSettings, after: SeriesSettings): (keyof SeriesSettings)[] {
  const a = settingsToJson(before) as unknown as Record<string, unknown>;
  const b = settingsToJson(after) as unknown as Record<string, unknown>;
  return (Object.keys(b) as (keyof SeriesSettings)[]).filter((key) => !sameValue(a[key], b[key]));
}
