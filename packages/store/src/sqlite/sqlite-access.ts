import type { ApiKeyRow, CompanyRow, NewUser, SessionRow, UserChanges, UserRow } from '../access-types.js';
import { apiKeyFromRow, userFromRow, type ApiKeyDbRow, type UserDbRow } from '../row-mapping.js';
import type { SqliteStatement } from './sqlite-connection.js';

/**
 * The SQLite side of companies, users, sessions and API keys, mixed into the transaction class.
 * Kept apart from the serial tables because none of it is on the generation path.
 */
export class SqliteAccess {
  readonly #sql: (sql: string) => SqliteStatement;

  constructor(sql: (sql: string) => SqliteStatement) {
    this.#sql = sql;
  }

  async listCompanies(): Promise<CompanyRow[]> {
    return this.#sql('SELECT id, name, created_at AS createdAt FROM companies ORDER BY id').all() as CompanyRow[];
  }

  async findCompany(id: number): Promise<CompanyRow | undefined> {
    return this.#sql('SELECT id, name, created_at AS createdAt FROM companies WHERE id = ?').get(id) as CompanyRow | undefined;
  }

  async findCompanyByName(name: string): Promise<CompanyRow | undefined> {
    return this.#sql('SELECT id, name, created_at AS createdAt FROM companies WHERE name = ?').get(name) as CompanyRow | undefined;
  }

  async insertCompany(name: string, at: string): Promise<CompanyRow> {
    const info = this.#sql('INSERT INTO companies (name, created_at) VALUES (?, ?)').run(name, at);
    return { id: Number(info.lastInsertRowid), name, createdAt: at };
  }

  async countUsers(): Promise<number> {
    return (this.#sql('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  async findUserByName(companyId: number, username: string): Promise<UserRow | undefined> {
    const row = this.#sql('SELECT * FROM users WHERE company_id = ? AND username = ?').get(companyId, username) as UserDbRow | undefined;
    return row === undefined ? undefined : userFromRow(row);
  }

  async findUsersByName(username: string): Promise<UserRow[]> {
    return (this.#sql('SELECT * FROM users WHERE username = ? ORDER BY id').all(username) as UserDbRow[]).map(userFromRow);
  }

  async findUserById(id: number): Promise<UserRow | undefined> {
    const row = this.#sql('SELECT * FROM users WHERE id = ?').get(id) as UserDbRow | undefined;
    return row === undefined ? undefined : userFromRow(row);
  }

  async listUsers(companyId: number): Promise<UserRow[]> {
    return (this.#sql('SELECT * FROM users WHERE company_id = ? ORDER BY username').all(companyId) as UserDbRow[]).map(userFromRow);
  }

  async insertUser(user: NewUser): Promise<UserRow> {
    const info = this.#sql(
      `INSERT INTO users (company_id, username, password_hash, role, system_admin, disabled, must_change_password, created_at, created_by, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      user.companyId,
      user.username,
      user.passwordHash,
      user.role,
      user.systemAdmin ? 1 : 0,
      user.disabled ? 1 : 0,
      user.mustChangePassword ? 1 : 0,
      user.createdAt,
      user.createdBy,
      user.updatedAt,
    );
    return { id: Number(info.lastInsertRowid), ...user };
  }

  async updateUser(id: number, changes: UserChanges, at: string): Promise<UserRow> {
    const current = await this.findUserById(id);
    if (current === undefined) throw new Error(`no user ${id}`);
    const next = { ...current, ...changes, updatedAt: at };
    this.#sql('UPDATE users SET role = ?, disabled = ?, password_hash = ?, must_change_password = ?, updated_at = ? WHERE id = ?').run(
      next.role,
      next.disabled ? 1 : 0,
      next.passwordHash,
      next.mustChangePassword ? 1 : 0,
      at,
      id,
    );
    return next;
  }

  async countActiveAdmins(companyId: number): Promise<number> {
    return (this.#sql("SELECT COUNT(*) AS n FROM users WHERE company_id = ? AND role = 'admin' AND disabled = 0").get(companyId) as { n: number }).n;
  }

  async insertSession(session: SessionRow): Promise<void> {
    this.#sql('INSERT INTO sessions (token_hash, user_id, company_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)').run(
      session.tokenHash,
      session.userId,
      session.companyId,
      session.createdAt,
      session.expiresAt,
    );
  }

  async findSession(tokenHash: string): Promise<SessionRow | undefined> {
    return this.#sql(
      'SELECT token_hash AS tokenHash, user_id AS userId, company_id AS companyId, created_at AS createdAt, expires_at AS expiresAt FROM sessions WHERE token_hash = ?',
    ).get(tokenHash) as SessionRow | undefined;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.#sql('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  async deleteUserSessions(userId: number, exceptTokenHash?: string): Promise<void> {
    this.#sql('DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?').run(userId, exceptTokenHash ?? null);
  }

  async deleteExpiredSessions(now: string): Promise<number> {
    return this.#sql('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }

  async insertApiKey(key: ApiKeyRow): Promise<void> {
    this.#sql(
      `INSERT INTO api_keys (id, company_id, name, role, secret_hash, station, expires_at, created_at, created_by, revoked_at, revoked_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(key.id, key.companyId, key.name, key.role, key.secretHash, key.station, key.expiresAt, key.createdAt, key.createdBy, key.revokedAt, key.revokedBy);
  }

  async findApiKey(id: string): Promise<ApiKeyRow | undefined> {
    const row = this.#sql('SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyDbRow | undefined;
    return row === undefined ? undefined : apiKeyFromRow(row);
  }

  async listApiKeys(companyId: number): Promise<ApiKeyRow[]> {
    return (this.#sql('SELECT * FROM api_keys WHERE company_id = ? ORDER BY created_at, id').all(companyId) as ApiKeyDbRow[]).map(apiKeyFromRow);
  }

  async revokeApiKey(id: string, at: string, by: string): Promise<void> {
    this.#sql('UPDATE api_keys SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL').run(at, by, id);
  }

  async noteAccessChange(companyId: number): Promise<void> {
    this.#sql('UPDATE companies SET access_version = access_version + 1 WHERE id = ?').run(companyId);
  }

  async readAccessVersion(): Promise<number> {
    return (this.#sql('SELECT COALESCE(SUM(access_version), 0) AS version FROM companies').get() as { version: number }).version;
  }
}
