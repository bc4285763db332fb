import { EVENT_ENTITY_TYPES, EVENT_TYPE_NAMES, EVENT_TYPES } from '@serialtrace/core';
import type { RouteResult } from '@serialtrace/client';

export type AuditEntryView = RouteResult<'listAudit'>['entries'][number];

/** Every action the server writes, in words, from the core's event catalog; an action a newer server adds shows as is. */
export const AUDIT_ACTIONS: Readonly<Record<string, string>> = Object.fromEntries(EVENT_TYPE_NAMES.map((type) => [type, EVENT_TYPES[type].label]));

/** What entries are about, in words, from the same catalog. */
export const ENTITY_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(EVENT_ENTITY_TYPES).map(([type, entity]) => [type, entity.label]),
);

export function actionLabel(action: string): string {
  return Object.hasOwn(AUDIT_ACTIONS, action) ? AUDIT_ACTIONS[action]! : action;
}

export function entityTypeLabel(entityType: string): string {
  return Object.hasOwn(ENTITY_TYPES, entityType) ? ENTITY_TYPES[entityType]! : entityType;
}

/** Where and why a change was made, as one line: "station ST-04 · line L2 · reason rework". */
export function whereAndWhy(entry: Pick<AuditEntryView, 'station' | 'line' | 'plant' | 'reason'>): string {
  const parts: string[] = [];
  if (entry.station !== null) parts.push(`station ${entry.station}`);
  if (entry.line !== null) parts.push(`line ${entry.line}`);
  if (entry.plant !== null) parts.push(`plant ${entry.plant}`);
  if (entry.reason !== null) parts.push(`reason: ${entry.reason}`);
  return parts.join(' · ');
}

/** A SHA-256 hex digest shortened for a table; the full one goes in the title. */
export function shortHash(hash: string): string {
  return hash.length > 12 ? `${hash.slice(0, 12)}…` : hash;
}

/** An address that opens a record's details on the traceability page. */
export function recordHref(serial: string, series: string | undefined): string {
  const query = new URLSearchParams({ record: serial });
  if (series !== undefined && series !== '') query.set('recordSeries', series);
  return `/?${query.toString()}`;
}
