import {
  capacityOf,
  gs1Identity,
  guessLimit,
  guessProbability,
  settingsToJson,
  type AuditEntry,
  type CapacityLevel,
  type Gs1Identity,
  type SeriesSettings,
  type Problem,
  type RecordStatus,
  type SeriesPlan,
  type SeriesSettingsJson,
} from '@serialtrace/core';
import type { RecordRow, SeriesRow, StatusChangeRow } from '@serialtrace/store';

/**
 * The JSON shapes the service answers with. Numbers that can outgrow 2^53 (sequence values,
 * capacities) are decimal strings.
 */
export interface CapacityView {
  readonly perPeriod: string | null;
  readonly used: string;
  readonly remaining: string | null;
  readonly usedRatio: number;
  readonly level: CapacityLevel;
}

export interface SeriesView extends SeriesSettingsJson {
  readonly id: number;
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
  readonly updatedBy: string;
  /** The reset period in force now and its counter (the start value when nothing was issued in it). */
  readonly current: { readonly period: string; readonly value: string };
  readonly capacity: CapacityView;
  /**
   * Randomised series: how many values a period's space holds, and the chance of guessing a valid
   * serial of the current period (issued / space), which the series keeps below 1 in 10,000.
   */
  readonly guess: { readonly space: string; readonly issued: string; readonly probability: number; readonly limit: string } | null;
  readonly warnings: readonly Problem[];
}

export function capacityView(plan: SeriesPlan, current: bigint): CapacityView {
  const c = capacityOf(plan, current);
  return {
    perPeriod: c.perPeriod?.toString() ?? null,
    used: c.used.toString(),
    remaining: c.remaining?.toString() ?? null,
    usedRatio: c.usedRatio,
    level: c.level,
  };
}

export function seriesView(row: SeriesRow, plan: SeriesPlan, period: string, counter: bigint | undefined): SeriesView {
  const value = counter ?? row.settings.start;
  return {
    id: row.id,
    ...settingsToJson(row.settings),
    version: row.version,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
    current: { period, value: value.toString() },
    capacity: capacityView(plan, value),
    guess: guessView(plan, value),
    warnings: plan.warnings,
  };
}

function guessView(plan: SeriesPlan, counter: bigint): SeriesView['guess'] {
  if (plan.randomSpace === null) return null;
  const { used } = capacityOf(plan, counter);
  return {
    space: plan.randomSpace.toString(),
    issued: used.toString(),
    probability: guessProbability(used, plan.randomSpace),
    limit: guessLimit(plan.randomSpace).toString(),
  };
}

export interface RecordView {
  readonly id: number;
  readonly serial: string;
  readonly series: string;
  readonly sequence: string;
  readonly period: string;
  readonly status: RecordStatus;
  readonly workOrder: string | null;
  readonly partNumber: string | null;
  readonly context: Readonly<Record<string, string>>;
  readonly metadata: unknown;
  readonly generatedAt: string;
  readonly generatedBy: string;
  readonly station: string | null;
  readonly updatedAt: string;
  /** GS1 lot (AI 10) and expiry (AI 17, YYYY-MM-DD), for records of a series bound to a GTIN. */
  readonly lot: string | null;
  readonly expiry: string | null;
  /** How many times its label was printed: the first print and every reprint. */
  readonly labelPrints: number;
  /** The record as GS1 data (element string, Digital Link, EPC URN) when its series is bound to a GTIN or issues SSCCs. */
  readonly gs1: Gs1Identity | null;
}

/**
 * @param series the record's series settings, when the series is GS1-bound (for its GS1 identity)
 */
export function recordView(row: RecordRow, series?: Pick<SeriesSettings, 'gtin' | 'sscc' | 'companyPrefix'>): RecordView {
  return {
    id: row.id,
    serial: row.serial,
    series: row.seriesName,
    sequence: row.sequence.toString(),
    period: row.period,
    status: row.status,
    workOrder: row.workOrder,
    partNumber: row.partNumber,
    context: row.context,
    metadata: row.metadata,
    generatedAt: row.generatedAt,
    generatedBy: row.generatedBy,
    station: row.station,
    updatedAt: row.updatedAt,
    lot: row.lot,
    expiry: row.expiry,
    labelPrints: row.labelPrints,
    gs1: series === undefined ? null : gs1Identity(series, row),
  };
}

export interface HistoryView {
  readonly from: RecordStatus | null;
  readonly to: RecordStatus;
  readonly at: string;
  readonly actor: string;
  readonly station: string | null;
  readonly reason: string | null;
  readonly data: unknown;
}

/** The record's status story; its first chapter is the generation itself. */
export function historyView(row: RecordRow, changes: readonly StatusChangeRow[]): HistoryView[] {
  return [
    { from: null, to: 'generated', at: row.generatedAt, actor: row.generatedBy, station: row.station, reason: null, data: null },
    ...changes.map((c) => ({ from: c.fromStatus, to: c.toStatus, at: c.at, actor: c.actor, station: c.station, reason: c.reason, data: c.data })),
  ];
}

/** One print of a record's label, from its audit entry. */
export interface PrintView {
  readonly print: number;
  readonly at: string;
  readonly actor: string;
  readonly station: string | null;
  readonly template: string;
  readonly format: string;
}

export function printView(entry: Pick<AuditEntry, 'data' | 'at' | 'actor' | 'station'>): PrintView {
  const data = (entry.data ?? {}) as { print?: number; template?: string; format?: string };
  return { print: data.print ?? 0, at: entry.at, actor: entry.actor, station: entry.station, template: data.template ?? '', format: data.format ?? '' };
}

export interface RecordDetails extends RecordView {
  readonly history: readonly HistoryView[];
  /** Every print of its label, the first and the reprints, oldest first. */
  readonly prints: readonly PrintView[];
  readonly audit: readonly AuditEntry[];
}
