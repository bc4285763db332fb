import { parseChoice } from '../errors/serialtrace-error.js';

/**
 * What a user or API key may do in its company. A system administrator (a flag on a user, not
 * a role) may in addition create companies.
 */
export const ROLES = ['admin', 'engineer', 'operator', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_DESCRIPTIONS: Readonly<Record<Role, string>> = {
  admin: 'Everything in the company: users, API keys, series, generation, records, EPCIS events, audit.',
  engineer: 'Defines and changes series, label templates and scripts, prints labels, runs scripts, captures EPCIS events and packs units; reads everything but the audit trail.',
  operator: 'Generates serials, prints their labels, runs scripts, captures EPCIS events, packs and unpacks units, and moves records along their lifecycle; reads series, records, EPCIS events and scripts.',
  auditor: 'Reads everything, scripts included, exports and verifies the audit trail; changes nothing.',
  viewer: 'Reads series, records and EPCIS events.',
};

export const PERMISSIONS = [
  'series.read',
  'series.write',
  'serials.generate',
  'records.read',
  'records.status',
  'labels.write',
  'labels.print',
  'scripts.read',
  'scripts.write',
  'scripts.run',
  'audit.read',
  'audit.export',
  'users.read',
  'users.manage',
  'keys.read',
  'keys.manage',
  'epcis.read',
  'epcis.capture',
  'aggregation.pack',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: readonly Permission[] = ['series.read', 'records.read', 'epcis.read'];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: PERMISSIONS,
  engineer: [...READ, 'series.write', 'labels.write', 'labels.print', 'scripts.read', 'scripts.write', 'scripts.run', 'epcis.capture', 'aggregation.pack'],
  operator: [...READ, 'serials.generate', 'records.status', 'labels.print', 'scripts.read', 'scripts.run', 'epcis.capture', 'aggregation.pack'],
  auditor: [...READ, 'audit.read', 'audit.export', 'users.read', 'keys.read', 'scripts.read'],
  viewer: READ,
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function parseRole(value: unknown, field = 'role'): Role {
  return parseChoice(value, ROLES, field, 'role');
}
