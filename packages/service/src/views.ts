import {
  capacityOf,
  settingsToJson,
  type AuditEntry,
  type CapacityLevel,
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
    warnings: plan.warnings,
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
}

export function recordView(row: RecordRow): RecordView {
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

export interface RecordDetails extends RecordView {
  readonly history: readonly HistoryView[];
  readonly audit: readonly AuditEntry[];
}
