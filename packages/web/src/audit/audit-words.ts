import type { RouteResult } from '@serialtrace/client';

export type AuditEntryView = RouteResult<'listAudit'>['entries'][number];

/** The actions the server writes today, in words; an action a newer server adds shows as is. */
export const AUDIT_ACTIONS: Readonly<Record<string, string>> = {
  'series.created': 'Series created',
  'series.updated': 'Series changed',
  'serials.generated': 'Serials generated',
  'serials.lease_released': 'Leased values released',
  'record.status_changed': 'Record status changed',
  'user.created': 'User added',
  'user.updated': 'User changed',
  'user.password_changed': 'Password changed',
  'api_key.created': 'API key created',
  'api_key.revoked': 'API key revoked',
  'company.created': 'Company created',
};

export const ENTITY_TYPES: Readonly<Record<string, string>> = {
  record: 'Record',
  series: 'Series',
  user: 'User',
  api_key: 'API key',
  company: 'Company',
};

export function actionLabel(action: string): string {
  return AUDIT_ACTIONS[action] ?? action;
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
