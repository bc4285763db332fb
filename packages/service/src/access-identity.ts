import { checkText, collectProblems, parseRole, problem, type Problem, type Role } from '@serialtrace/core';
import type { ApiKeyRow, CompanyRow, UserRow } from '@serialtrace/store';
import type { Caller } from './caller.js';

/**
 * What sign-in, API keys, users and companies share: who a caller is once checked, how users and
 * keys are answered, and the checks of names and roles.
 */

/** Who is calling, once a session cookie or an API key has been checked. */
export interface Identity {
  readonly kind: 'user' | 'key';
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly companyId: number;
  readonly company: string;
  readonly systemAdmin: boolean;
  /** How the audit trail names this user or key: `user:alice`, `key:Line 3 marker#3f9a0c1b2d4e`. */
  readonly actor: string;
  /** The station a key records when a request names none. */
  readonly station: string | null;
  /**
   * The user signs in with a password someone else set (an admin, or the first start's generated
   * one): until they choose their own, they may only change it, ask who they are and sign out.
   * Never true of a key.
   */
  readonly mustChangePassword: boolean;
}

/** A user as answered: the row without its company and password hash. */
export type UserView = Omit<UserRow, 'companyId' | 'passwordHash'>;

/** A key as answered: the row without its company and secret hash. */
export type ApiKeyView = Omit<ApiKeyRow, 'companyId' | 'secretHash'>;

// Field by field on purpose: a secret column added to a row later must not reach an answer.
export function userView(row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    systemAdmin: row.systemAdmin,
    disabled: row.disabled,
    mustChangePassword: row.mustChangePassword,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    updatedAt: row.updatedAt,
  };
}

export function apiKeyView(row: ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    station: row.station,
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
    createdBy: row.createdBy,
    revokedAt: row.revokedAt,
    revokedBy: row.revokedBy,
  };
}

export function userIdentity(user: UserRow, company: CompanyRow): Identity {
  return {
    kind: 'user',
    id: String(user.id),
    name: user.username,
    role: user.role,
    companyId: company.id,
    company: company.name,
    systemAdmin: user.systemAdmin,
    actor: `user:${user.username}`,
    station: null,
    mustChangePassword: user.mustChangePassword,
  };
}

export function keyIdentity(key: ApiKeyRow, company: CompanyRow): Identity {
  return {
    kind: 'key',
    id: key.id,
    name: key.name,
    role: key.role,
    companyId: company.id,
    company: company.name,
    systemAdmin: false,
    actor: `key:${key.name}#${key.id}`,
    station: key.station,
    mustChangePassword: false,
  };
}

export function checkUsername(username: unknown, problems: Problem[], field = 'username'): string {
  if (typeof username !== 'string' || !/^[A-Za-z0-9._@-]{1,64}$/.test(username)) {
    problems.push(problem('VALUE_INVALID', { field, reason: 'use 1 to 64 letters, digits, and . _ @ -' }));
    return '';
  }
  return username;
}

export function checkName(value: unknown, field: string, problems: Problem[]): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '' || text.length > 100) problems.push(problem('VALUE_INVALID', { field, reason: 'give 1 to 100 printable characters' }));
  else checkText(text, 'line', field, problems);
  return text;
}

export function readRole(value: unknown, problems: Problem[]): Role {
  return collectProblems(problems, () => parseRole(value)) ?? 'viewer';
}

/** The audit caller for an identity acting on its own account. */
export function callerOf(identity: Identity, where: Omit<Caller, 'companyId' | 'actor'> = {}): Caller {
  return { companyId: identity.companyId, actor: identity.actor, ...where, station: where.station ?? identity.station };
}
