import { parseRole, type Role } from '@serialtrace/core';
import { columnsOf, insertText } from '../../schema/tables.js';
import { sql } from '../../sql/sql-query.js';
import type { SqlSession } from '../../sql/sql-session.js';
import { flag, type DbFlag } from '../change-stamp.js';

export interface CompanyRow {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
}

export interface UserRow {
  readonly id: number;
  readonly companyId: number;
  /** Unique within the company; other companies may have a user of the same name. */
  readonly username: string;
  /** `scrypt$N$r$p$salt$hash`, never the password. */
  readonly passwordHash: string;
  readonly role: Role;
  readonly systemAdmin: boolean;
  readonly disabled: boolean;
  readonly mustChangePassword: boolean;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly updatedAt: string;
}

export type NewUser = Omit<UserRow, 'id'>;

export interface UserChanges {
  readonly role?: Role;
  readonly disabled?: boolean;
  readonly passwordHash?: string;
  readonly mustChangePassword?: boolean;
}

export interface SessionRow {
  /** SHA-256 of the session token; the token itself is only ever in the browser's cookie. */
  readonly tokenHash: string;
  readonly userId: number;
  readonly companyId: number;
  readonly createdAt: string;
  readonly expiresAt: string;
}

export interface ApiKeyRow {
  /** The public part of the key, also its name in the audit trail. */
  readonly id: string;
  readonly companyId: number;
  readonly name: string;
  readonly role: Role;
  /** SHA-256 of the secret part. */
  readonly secretHash: string;
  readonly station: string | null;
  readonly expiresAt: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt: string | null;
  readonly revokedBy: string | null;
}

/**
 * Who may call: companies, their users, sign-in sessions and API keys, and the version every
 * server compares before trusting a key it checked earlier.
 *
 * @example const user = await tx.access.findUserByName(1, 'alice');
 */
export interface AccessStore {
  listCompanies(): Promise<CompanyRow[]>;
  findCompany(id: number): Promise<CompanyRow | undefined>;
  findCompanyByName(name: string): Promise<CompanyRow | undefined>;
  insertCompany(name: string, at: string): Promise<CompanyRow>;
  countUsers(): Promise<number>;
  findUserByName(companyId: number, username: string): Promise<UserRow | undefined>;
  /** Every company's users of one name (a sign-in that names no company). */
  findUsersByName(username: string): Promise<UserRow[]>;
  findUserById(id: number): Promise<UserRow | undefined>;
  listUsers(companyId: number): Promise<UserRow[]>;
  insertUser(user: NewUser): Promise<UserRow>;
  updateUser(id: number, changes: UserChanges, at: string): Promise<UserRow>;
  /** Admins of the company who are not disabled (the last one cannot be demoted or disabled). */
  countActiveAdmins(companyId: number): Promise<number>;
  insertSession(session: SessionRow): Promise<void>;
  findSession(tokenHash: string): Promise<SessionRow | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /** Ends a user's sessions, but for the one named (the session that changed the password). */
  deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<number>;
  insertApiKey(key: ApiKeyRow): Promise<void>;
  findApiKey(id: string): Promise<ApiKeyRow | undefined>;
  listApiKeys(companyId: number): Promise<ApiKeyRow[]>;
  revokeApiKey(id: string, at: string, by: string): Promise<void>;
  /** Counts a change to who may call that servers may hold in memory (a key revoked). */
  noteAccessChange(companyId: number): Promise<void>;
  /** The sum of every company's access version: it moves whenever any of them changes. */
  readAccessVersion(): Promise<number>;
}

interface CompanyDbRow {
  id: number;
  name: string;
  created_at: string;
}

interface UserDbRow {
  id: number;
  company_id: number;
  username: string;
  password_hash: string;
  role: string;
  system_admin: DbFlag;
  disabled: DbFlag;
  must_change_password: DbFlag;
  created_at: string;
  created_by: string;
  updated_at: string;
}

interface SessionDbRow {
  token_hash: string;
  user_id: number;
  company_id: number;
  created_at: string;
  expires_at: string;
}

interface ApiKeyDbRow {
  id: string;
  company_id: number;
  name: string;
  role: string;
  secret_hash: string;
  station: string | null;
  expires_at: string | null;
  created_at: string;
  created_by: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

const companyFromRow = (row: CompanyDbRow): CompanyRow => ({ id: row.id, name: row.name, createdAt: row.created_at });

function userFromRow(row: UserDbRow): UserRow {
  return {
    id: row.id,
    companyId: row.company_id,
    username: row.username,
    passwordHash: row.password_hash,
    role: parseRole(row.role),
    systemAdmin: flag(row.system_admin),
    disabled: flag(row.disabled),
    mustChangePassword: flag(row.must_change_password),
    createdAt: row.created_at,
    createdBy: row.created_by,
    updatedAt: row.updated_at,
  };
}

const sessionFromRow = (row: SessionDbRow): SessionRow => ({
  tokenHash: row.token_hash,
  userId: row.user_id,
  companyId: row.company_id,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

function apiKeyFromRow(row: ApiKeyDbRow): ApiKeyRow {
  return {
    id: row.id,
    companyId: row.company_id,
    name: row.name,
    role: parseRole(row.role),
    secretHash: row.secret_hash,
    station: row.station,
    expiresAt: row.expires_at,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
    revokedBy: row.revoked_by,
  };
}

const COMPANIES = sql<CompanyDbRow>('companies_list', 'SELECT id, name, created_at FROM companies ORDER BY id');
const COMPANY = sql<CompanyDbRow>('company_find', 'SELECT id, name, created_at FROM companies WHERE id = :id');
const COMPANY_BY_NAME = sql<CompanyDbRow>('company_by_name', 'SELECT id, name, created_at FROM companies WHERE name = :name');
const INSERT_COMPANY = sql<{ id: number }>('company_insert', insertText('companies', ['name', 'created_at'], 'RETURNING id'));
const COUNT_USERS = sql<{ n: number | string }>('users_count', 'SELECT COUNT(*) AS n FROM users');
const USER_BY_NAME = sql<UserDbRow>('user_by_name', 'SELECT * FROM users WHERE company_id = :company AND username = :username');
const USERS_BY_NAME = sql<UserDbRow>('users_by_name', 'SELECT * FROM users WHERE username = :username ORDER BY id');
const USER_BY_ID = sql<UserDbRow>('user_by_id', 'SELECT * FROM users WHERE id = :id');
const USERS = sql<UserDbRow>('users_list', 'SELECT * FROM users WHERE company_id = :company ORDER BY username');
const INSERT_USER = sql<{ id: number }>('user_insert', insertText('users', columnsOf('users', { except: ['id'] }), 'RETURNING id'));
const UPDATE_USER = sql(
  'user_update',
  'UPDATE users SET role = :role, disabled = :disabled, password_hash = :hash, must_change_password = :must, updated_at = :at WHERE id = :id',
);
const ACTIVE_ADMINS = sql<{ n: number | string }>('users_active_admins', "SELECT COUNT(*) AS n FROM users WHERE company_id = :company AND role = 'admin' AND disabled = :no");
const INSERT_SESSION = sql('session_insert', insertText('sessions', columnsOf('sessions')));
const SESSION = sql<SessionDbRow>('session_find', 'SELECT * FROM sessions WHERE token_hash = :hash');
const DELETE_SESSION = sql('session_delete', 'DELETE FROM sessions WHERE token_hash = :hash');
const DELETE_USER_SESSIONS = sql('sessions_delete_user', 'DELETE FROM sessions WHERE user_id = :user AND token_hash IS DISTINCT FROM :except');
const DELETE_EXPIRED = sql('sessions_delete_expired', 'DELETE FROM sessions WHERE expires_at <= :now');
const INSERT_KEY = sql('api_key_insert', insertText('api_keys', columnsOf('api_keys')));
const KEY = sql<ApiKeyDbRow>('api_key_find', 'SELECT * FROM api_keys WHERE id = :id');
const KEYS = sql<ApiKeyDbRow>('api_keys_list', 'SELECT * FROM api_keys WHERE company_id = :company ORDER BY created_at, id');
const REVOKE_KEY = sql('api_key_revoke', 'UPDATE api_keys SET revoked_at = :at, revoked_by = :by WHERE id = :id AND revoked_at IS NULL');
const NOTE_ACCESS = sql('access_note', 'UPDATE companies SET access_version = access_version + 1 WHERE id = :company');
const ACCESS_VERSION = sql<{ version: number | string }>('access_version', 'SELECT COALESCE(SUM(access_version), 0) AS version FROM companies');

/** {@link AccessStore} written once for both engines. */
export class SqlAccessStore implements AccessStore {
  constructor(private readonly db: SqlSession) {}

  async listCompanies(): Promise<CompanyRow[]> {
    return (await this.db.all(COMPANIES)).map(companyFromRow);
  }

  async findCompany(id: number): Promise<CompanyRow | undefined> {
    const row = await this.db.get(COMPANY, { id });
    return row === undefined ? undefined : companyFromRow(row);
  }

  async findCompanyByName(name: string): Promise<CompanyRow | undefined> {
    const row = await this.db.get(COMPANY_BY_NAME, { name });
    return row === undefined ? undefined : companyFromRow(row);
  }

  async insertCompany(name: string, at: string): Promise<CompanyRow> {
    const row = await this.db.get(INSERT_COMPANY, { name, created_at: at });
    return { id: row!.id, name, createdAt: at };
  }

  async countUsers(): Promise<number> {
    return Number((await this.db.get(COUNT_USERS))!.n);
  }

  async findUserByName(companyId: number, username: string): Promise<UserRow | undefined> {
    const row = await this.db.get(USER_BY_NAME, { company: companyId, username });
    return row === undefined ? undefined : userFromRow(row);
  }

  async findUsersByName(username: string): Promise<UserRow[]> {
    return (await this.db.all(USERS_BY_NAME, { username })).map(userFromRow);
  }

  async findUserById(id: number): Promise<UserRow | undefined> {
    const row = await this.db.get(USER_BY_ID, { id });
    return row === undefined ? undefined : userFromRow(row);
  }

  async listUsers(companyId: number): Promise<UserRow[]> {
    return (await this.db.all(USERS, { company: companyId })).map(userFromRow);
  }

  async insertUser(user: NewUser): Promise<UserRow> {
    const row = await this.db.get(INSERT_USER, {
      company_id: user.companyId,
      username: user.username,
      password_hash: user.passwordHash,
      role: user.role,
      system_admin: user.systemAdmin,
      disabled: user.disabled,
      must_change_password: user.mustChangePassword,
      created_at: user.createdAt,
      created_by: user.createdBy,
      updated_at: user.updatedAt,
    });
    return { id: row!.id, ...user };
  }

  async updateUser(id: number, changes: UserChanges, at: string): Promise<UserRow> {
    const current = await this.findUserById(id);
    if (current === undefined) throw new Error(`no user ${id}`);
    const next = { ...current, ...changes, updatedAt: at };
    await this.db.run(UPDATE_USER, { role: next.role, disabled: next.disabled, hash: next.passwordHash, must: next.mustChangePassword, at, id });
    return next;
  }

  async countActiveAdmins(companyId: number): Promise<number> {
    return Number((await this.db.get(ACTIVE_ADMINS, { company: companyId, no: false }))!.n);
  }

  async insertSession(session: SessionRow): Promise<void> {
    await this.db.run(INSERT_SESSION, {
      token_hash: session.tokenHash,
      user_id: session.userId,
      company_id: session.companyId,
      created_at: session.createdAt,
      expires_at: session.expiresAt,
    });
  }

  async findSession(tokenHash: string): Promise<SessionRow | undefined> {
    const row = await this.db.get(SESSION, { hash: tokenHash });
    return row === undefined ? undefined : sessionFromRow(row);
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.run(DELETE_SESSION, { hash: tokenHash });
  }

  async deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<void> {
    await this.db.run(DELETE_USER_SESSIONS, { user: userId, except: exceptTokenHash ?? null });
  }

  deleteExpiredSessions(now: string): Promise<number> {
    return this.db.run(DELETE_EXPIRED, { now });
  }

  async insertApiKey(key: ApiKeyRow): Promise<void> {
    await this.db.run(INSERT_KEY, {
      id: key.id,
      company_id: key.companyId,
      name: key.name,
      role: key.role,
      secret_hash: key.secretHash,
      station: key.station,
      expires_at: key.expiresAt,
      created_at: key.createdAt,
      created_by: key.createdBy,
      revoked_at: key.revokedAt,
      revoked_by: key.revokedBy,
    });
  }

  async findApiKey(id: string): Promise<ApiKeyRow | undefined> {
    const row = await this.db.get(KEY, { id });
    return row === undefined ? undefined : apiKeyFromRow(row);
  }

  async listApiKeys(companyId: number): Promise<ApiKeyRow[]> {
    return (await this.db.all(KEYS, { company: companyId })).map(apiKeyFromRow);
  }

  async revokeApiKey(id: string, at: string, by: string): Promise<void> {
    await this.db.run(REVOKE_KEY, { at, by, id });
  }

  async noteAccessChange(companyId: number): Promise<void> {
    await this.db.run(NOTE_ACCESS, { company: companyId });
  }

  async readAccessVersion(): Promise<number> {
    return Number((await this.db.get(ACCESS_VERSION))!.version);
  }
}
