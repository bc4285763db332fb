import { collectProblems, parseInstant, parseRole, problem, SerialtraceError, type Clock, type Problem, type Role } from '@serialtrace/core';
import type { ApiKeyRow, CompanyRow, Store, UserRow } from '@serialtrace/store';
import { appendAudit } from './audit-writer.js';
import type { Caller } from './caller.js';
import { DEFAULT_COMPANY_ID } from './caller.js';
import { sha256Hex } from './hashing.js';
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  newApiKey,
  parseApiKey,
  randomPassword,
  randomSecret,
  sameDigest,
  verifyPassword,
} from './secrets.js';

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
}

/** A user as answered: the row without its company and password hash. */
export type UserView = Omit<UserRow, 'companyId' | 'passwordHash'>;

/** A key as answered: the row without its company and secret hash. */
export type ApiKeyView = Omit<ApiKeyRow, 'companyId' | 'secretHash'>;

export const ADMIN_USERNAME = 'admin';
export const MIN_PASSWORD_LENGTH = 10;
export const DEFAULT_SESSION_HOURS = 12;
/** How long a checked API key is trusted without reading the database again. */
const KEY_CACHE_MS = 10_000;

// Field by field on purpose: a secret column added to a row later must not reach an answer.
function userView(row: UserRow): UserView {
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

function apiKeyView(row: ApiKeyRow): ApiKeyView {
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

function userIdentity(user: UserRow, company: CompanyRow): Identity {
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
  };
}

function keyIdentity(key: ApiKeyRow, company: CompanyRow): Identity {
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
  };
}

function checkUsername(username: unknown, problems: Problem[], field = 'username'): string {
  if (typeof username !== 'string' || !/^[A-Za-z0-9._@-]{1,64}$/.test(username)) {
    problems.push(problem('VALUE_INVALID', { field, reason: 'use 1 to 64 letters, digits, and . _ @ -' }));
    return '';
  }
  return username;
}

function checkPassword(password: unknown, problems: Problem[], field = 'password'): string {
  if (typeof password !== 'string' || password.length < MIN_PASSWORD_LENGTH || password.length > 1000) {
    problems.push(problem('VALUE_INVALID', { field, reason: `a password needs at least ${MIN_PASSWORD_LENGTH} characters` }));
    return '';
  }
  return password;
}

function checkName(value: unknown, field: string, problems: Problem[]): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '' || text.length > 100 || /[\u0000-\u001f\u007f]/.test(text)) {
    problems.push(problem('VALUE_INVALID', { field, reason: 'give 1 to 100 printable characters' }));
  }
  return text;
}

export interface AccessServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly sessionHours?: number;
}

/**
 * Companies, users, sessions and API keys: who may call, and as whom the audit trail names them.
 * Deciding what a role may do is the caller's part (see `can` in core); this service assumes the
 * request was allowed.
 */
export class AccessService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #sessionMs: number;
  readonly #keys = new Map<string, { identity: Identity; secretHash: string; expiresAt: number | null; checkedAt: number }>();

  constructor(deps: AccessServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#sessionMs = (deps.sessionHours ?? DEFAULT_SESSION_HOURS) * 3_600_000;
  }

  /** How long a sign-in lasts, in seconds (the session cookie's Max-Age). */
  get sessionSeconds(): number {
    return this.#sessionMs / 1000;
  }

  /**
   * On a fresh install, creates the system administrator `admin` in the first company, with the
   * given password or a generated one (returned once, to be printed once). Does nothing when any
   * user exists.
   */
  async bootstrap(initialPassword?: string): Promise<{ username: string; password: string; generated: boolean } | null> {
    // A restart finds users and stops here, without paying for a password hash.
    if ((await this.#store.read((tx) => tx.countUsers())) > 0) return null;
    const generated = initialPassword === undefined || initialPassword === '';
    const password = generated ? randomPassword() : initialPassword;
    const problems: Problem[] = [];
    checkPassword(password, problems, 'SERIALTRACE_ADMIN_PASSWORD');
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const passwordHash = await hashPassword(password);
    const at = this.#now();
    return this.#store.write(async (tx) => {
      if ((await tx.countUsers()) > 0) return null;
      const user = await tx.insertUser({
        companyId: DEFAULT_COMPANY_ID,
        username: ADMIN_USERNAME,
        passwordHash,
        role: 'admin',
        systemAdmin: true,
        disabled: false,
        mustChangePassword: generated,
        createdAt: at,
        createdBy: 'serialtrace',
        updatedAt: at,
      });
      await appendAudit(tx, { companyId: DEFAULT_COMPANY_ID, actor: 'serialtrace', reason: 'first start' }, at, [
        { action: 'user.created', entityType: 'user', entityId: String(user.id), data: { username: user.username, role: user.role, systemAdmin: true } },
      ]);
      return { username: ADMIN_USERNAME, password, generated };
    });
  }

  /** Checks a username and password and opens a session; the token goes only into the cookie. */
  async login(username: string, password: string): Promise<{ token: string; identity: Identity; expiresAt: string; mustChangePassword: boolean }> {
    const found = await this.#store.read(async (tx) => {
      const user = await tx.findUserByName(username);
      return user === undefined ? undefined : { user, company: (await tx.findCompany(user.companyId))! };
    });
    // Verify even for an unknown user, so the answer takes as long and reveals nothing.
    const ok = await verifyPassword(password, found?.user.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (found === undefined || !ok || found.user.disabled) throw new SerialtraceError('CREDENTIALS_INVALID');
    const token = randomSecret(32);
    const now = this.#clock.now().getTime();
    const expiresAt = new Date(now + this.#sessionMs).toISOString();
    await this.#store.write(async (tx) => {
      await tx.deleteExpiredSessions(new Date(now).toISOString());
      await tx.insertSession({
        tokenHash: sha256Hex(token),
        userId: found.user.id,
        companyId: found.user.companyId,
        createdAt: new Date(now).toISOString(),
        expiresAt,
      });
    });
    return { token, identity: userIdentity(found.user, found.company), expiresAt, mustChangePassword: found.user.mustChangePassword };
  }

  async logout(token: string): Promise<void> {
    await this.#store.write((tx) => tx.deleteSession(sha256Hex(token)));
  }

  /** The user behind a session token, or undefined when it is unknown, expired or the user disabled. */
  async authenticateSession(token: string): Promise<Identity | undefined> {
    const now = this.#now();
    return this.#store.read(async (tx) => {
      const session = await tx.findSession(sha256Hex(token));
      if (session === undefined || session.expiresAt <= now) return undefined;
      const user = await tx.findUserById(session.userId);
      if (user === undefined || user.disabled) return undefined;
      return userIdentity(user, (await tx.findCompany(user.companyId))!);
    });
  }

  /**
   * The key behind `Authorization: Bearer stk_...`, or undefined when it is malformed, unknown,
   * expired or revoked. A checked key is trusted for a few seconds without a database read;
   * revoking it here forgets it at once.
   */
  async authenticateKey(key: string): Promise<Identity | undefined> {
    const parsed = parseApiKey(key);
    if (parsed === undefined) return undefined;
    const secretHash = sha256Hex(parsed.secret);
    const now = this.#clock.now().getTime();
    let cached = this.#keys.get(parsed.id);
    if (cached === undefined || now - cached.checkedAt > KEY_CACHE_MS) {
      const found = await this.#store.read(async (tx) => {
        const row = await tx.findApiKey(parsed.id);
        return row === undefined ? undefined : { row, company: (await tx.findCompany(row.companyId))! };
      });
      if (found === undefined || found.row.revokedAt !== null) {
        this.#keys.delete(parsed.id);
        return undefined;
      }
      cached = {
        identity: keyIdentity(found.row, found.company),
        secretHash: found.row.secretHash,
        expiresAt: found.row.expiresAt === null ? null : Date.parse(found.row.expiresAt),
        checkedAt: now,
      };
      this.#keys.set(parsed.id, cached);
    }
    if (!sameDigest(secretHash, cached.secretHash)) return undefined;
    if (cached.expiresAt !== null && cached.expiresAt <= now) return undefined;
    return cached.identity;
  }

  async changePassword(identity: Identity, currentPassword: string, newPassword: string): Promise<void> {
    if (identity.kind !== 'user') throw new SerialtraceError('VALUE_INVALID', { field: 'identity', reason: 'API keys have no password' });
    const user = await this.#store.read(async (tx) => tx.findUserById(Number(identity.id)));
    // A wrong current password is a bad value here, not a lost sign-in: the session stays valid.
    if (user === undefined || !(await verifyPassword(currentPassword, user.passwordHash))) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'currentPassword', reason: 'it is not the current password' });
    }
    const problems: Problem[] = [];
    checkPassword(newPassword, problems, 'newPassword');
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const passwordHash = await hashPassword(newPassword);
    const at = this.#now();
    await this.#store.write(async (tx) => {
      await tx.updateUser(user.id, { passwordHash, mustChangePassword: false }, at);
      await appendAudit(tx, callerOf(identity), at, [{ action: 'user.password_changed', entityType: 'user', entityId: String(user.id), data: { username: user.username } }]);
    });
  }

  async listUsers(caller: Caller): Promise<UserView[]> {
    return (await this.#store.read((tx) => tx.listUsers(caller.companyId))).map(userView);
  }

  async createUser(caller: Caller, input: { username?: unknown; password?: unknown; role?: unknown }): Promise<UserView> {
    const problems: Problem[] = [];
    const username = checkUsername(input.username, problems);
    const password = checkPassword(input.password, problems);
    const role = readRole(input.role, problems);
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const passwordHash = await hashPassword(password);
    const at = this.#now();
    const user = await this.#store.write(async (tx) => {
      if ((await tx.findUserByName(username)) !== undefined) throw new SerialtraceError('USERNAME_TAKEN', { field: 'username', username });
      const created = await tx.insertUser({
        companyId: caller.companyId,
        username,
        passwordHash,
        role,
        systemAdmin: false,
        disabled: false,
        mustChangePassword: true,
        createdAt: at,
        createdBy: caller.actor,
        updatedAt: at,
      });
      await appendAudit(tx, caller, at, [{ action: 'user.created', entityType: 'user', entityId: String(created.id), data: { username, role } }]);
      return created;
    });
    return userView(user);
  }

  /**
   * Changes a user's role, disables or re-enables them, or sets a new password (which they must
   * change at their next sign-in). Disabling or a new password ends their sessions. The company
   * always keeps an active admin.
   */
  async updateUser(caller: Caller, username: string, changes: { role?: unknown; disabled?: unknown; password?: unknown }): Promise<UserView> {
    const problems: Problem[] = [];
    const role = changes.role === undefined ? undefined : readRole(changes.role, problems);
    const password = changes.password === undefined ? undefined : checkPassword(changes.password, problems);
    if (changes.disabled !== undefined && typeof changes.disabled !== 'boolean') {
      problems.push(problem('VALUE_INVALID', { field: 'disabled', reason: 'it must be true or false' }));
    }
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const disabled = changes.disabled as boolean | undefined;
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const at = this.#now();
    const user = await this.#store.write(async (tx) => {
      const current = await tx.findUserByName(username);
      if (current === undefined || current.companyId !== caller.companyId) throw new SerialtraceError('USER_NOT_FOUND', { field: 'username', username });
      const losesAdmin = current.role === 'admin' && !current.disabled && ((role !== undefined && role !== 'admin') || disabled === true);
      if (losesAdmin && (await tx.countActiveAdmins(caller.companyId)) <= 1) throw new SerialtraceError('LAST_ADMIN', { username });
      const updated = await tx.updateUser(
        current.id,
        {
          ...(role === undefined ? {} : { role }),
          ...(disabled === undefined ? {} : { disabled }),
          ...(passwordHash === undefined ? {} : { passwordHash, mustChangePassword: true }),
        },
        at,
      );
      if (disabled === true || passwordHash !== undefined) await tx.deleteUserSessions(current.id);
      await appendAudit(tx, caller, at, [
        {
          action: 'user.updated',
          entityType: 'user',
          entityId: String(current.id),
          data: {
            username,
            ...(role === undefined ? {} : { role: { from: current.role, to: role } }),
            ...(disabled === undefined ? {} : { disabled }),
            ...(passwordHash === undefined ? {} : { passwordReset: true }),
          },
        },
      ]);
      return updated;
    });
    return userView(user);
  }

  async listApiKeys(caller: Caller): Promise<ApiKeyView[]> {
    return (await this.#store.read((tx) => tx.listApiKeys(caller.companyId))).map(apiKeyView);
  }

  /** Creates a key; the returned `key` is the only time its secret is seen. */
  async createApiKey(
    caller: Caller,
    input: { name?: unknown; role?: unknown; expiresAt?: unknown; station?: unknown },
  ): Promise<ApiKeyView & { key: string }> {
    const problems: Problem[] = [];
    const name = checkName(input.name, 'name', problems);
    const role = readRole(input.role, problems);
    const station = input.station === undefined || input.station === null ? null : checkName(input.station, 'station', problems);
    let expiresAt: string | null = null;
    if (input.expiresAt !== undefined && input.expiresAt !== null) {
      try {
        expiresAt = parseInstant(typeof input.expiresAt === 'string' ? input.expiresAt : '', 'expiresAt').toISOString();
        if (Date.parse(expiresAt) <= this.#clock.now().getTime()) problems.push(problem('VALUE_INVALID', { field: 'expiresAt', reason: 'it is in the past' }));
      } catch {
        problems.push(problem('VALUE_INVALID', { field: 'expiresAt', reason: 'it is not an ISO-8601 instant such as 2026-01-01T00:00:00Z' }));
      }
    }
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const generated = newApiKey();
    const at = this.#now();
    const row: ApiKeyRow = {
      id: generated.id,
      companyId: caller.companyId,
      name,
      role,
      secretHash: generated.secretHash,
      station,
      expiresAt,
      createdAt: at,
      createdBy: caller.actor,
      revokedAt: null,
      revokedBy: null,
    };
    await this.#store.write(async (tx) => {
      await tx.insertApiKey(row);
      await appendAudit(tx, caller, at, [{ action: 'api_key.created', entityType: 'api_key', entityId: row.id, data: { name, role, station, expiresAt } }]);
    });
    return { ...apiKeyView(row), key: generated.key };
  }

  async revokeApiKey(caller: Caller, id: string): Promise<void> {
    const at = this.#now();
    await this.#store.write(async (tx) => {
      const key = await tx.findApiKey(id);
      if (key === undefined || key.companyId !== caller.companyId) throw new SerialtraceError('API_KEY_NOT_FOUND', { field: 'id', id });
      if (key.revokedAt !== null) return;
      await tx.revokeApiKey(id, at, caller.actor);
      await appendAudit(tx, caller, at, [{ action: 'api_key.revoked', entityType: 'api_key', entityId: id, data: { name: key.name } }]);
    });
    this.#keys.delete(id);
  }

  async listCompanies(): Promise<CompanyRow[]> {
    return this.#store.read((tx) => tx.listCompanies());
  }

  /**
   * Adds a company with its first admin. The new company's audit chain starts with its creation;
   * the creator's company records it too.
   */
  async createCompany(
    caller: Caller,
    input: { name?: unknown; adminUsername?: unknown; adminPassword?: unknown },
  ): Promise<{ company: CompanyRow; admin: UserView; initialPassword: string | null }> {
    const problems: Problem[] = [];
    const name = checkName(input.name, 'name', problems);
    const username = checkUsername(input.adminUsername, problems, 'adminUsername');
    const generated = input.adminPassword === undefined || input.adminPassword === null || input.adminPassword === '';
    const password = generated ? randomPassword() : checkPassword(input.adminPassword, problems, 'adminPassword');
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const passwordHash = await hashPassword(password);
    const at = this.#now();
    return this.#store.write(async (tx) => {
      if ((await tx.findCompanyByName(name)) !== undefined) throw new SerialtraceError('COMPANY_NAME_TAKEN', { field: 'name', company: name });
      if ((await tx.findUserByName(username)) !== undefined) throw new SerialtraceError('USERNAME_TAKEN', { field: 'adminUsername', username });
      const company = await tx.insertCompany(name, at);
      const admin = await tx.insertUser({
        companyId: company.id,
        username,
        passwordHash,
        role: 'admin',
        systemAdmin: false,
        disabled: false,
        mustChangePassword: true,
        createdAt: at,
        createdBy: caller.actor,
        updatedAt: at,
      });
      const data = { companyId: company.id, name, admin: username };
      await appendAudit(tx, { ...caller, companyId: company.id }, at, [
        { action: 'company.created', entityType: 'company', entityId: String(company.id), data },
        { action: 'user.created', entityType: 'user', entityId: String(admin.id), data: { username, role: 'admin' } },
      ]);
      await appendAudit(tx, caller, at, [{ action: 'company.created', entityType: 'company', entityId: String(company.id), data }]);
      return { company, admin: userView(admin), initialPassword: generated ? password : null };
    });
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }
}

function readRole(value: unknown, problems: Problem[]): Role {
  return collectProblems(problems, () => parseRole(value)) ?? 'viewer';
}

/** The audit caller for an identity acting on its own account. */
export function callerOf(identity: Identity, where: Omit<Caller, 'companyId' | 'actor'> = {}): Caller {
  return { companyId: identity.companyId, actor: identity.actor, ...where, station: where.station ?? identity.station };
}

