import { parseInstant, problem, SerialtraceError, type Clock, type Problem } from '@serialtrace/core';
import type { ApiKeyRow, Store } from '@serialtrace/store';
import { apiKeyView, checkName, keyIdentity, readRole, type ApiKeyView, type Identity } from './access-identity.js';
import { appendAudit } from './audit-writer.js';
import type { Caller } from './caller.js';
import { sha256Hex } from './hashing.js';
import { newApiKey, parseApiKey, sameDigest } from './secrets.js';

/** How long a checked API key is trusted without reading the database again. */
const KEY_CACHE_MS = 10_000;

export interface ApiKeyServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/**
 * API keys: machines' credentials, `stk_<id>_<secret>`, of a company and a role. Only the
 * secret's SHA-256 is stored; a key's secret is seen once, when it is created.
 */
export class ApiKeyService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #keys = new Map<string, { identity: Identity; secretHash: string; expiresAt: number | null; checkedAt: number }>();

  constructor(deps: ApiKeyServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  async list(caller: Caller): Promise<ApiKeyView[]> {
    return (await this.#store.read((tx) => tx.listApiKeys(caller.companyId))).map(apiKeyView);
  }

  /** Creates a key; the returned `key` is the only time its secret is seen. */
  async create(caller: Caller, input: { name?: unknown; role?: unknown; expiresAt?: unknown; station?: unknown }): Promise<ApiKeyView & { key: string }> {
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

  async revoke(caller: Caller, id: string): Promise<void> {
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

  /**
   * The key behind `Authorization: Bearer stk_...`, or undefined when it is malformed, unknown,
   * expired or revoked. A checked key is trusted for a few seconds without a database read;
   * revoking it here forgets it at once.
   */
  async authenticate(key: string): Promise<Identity | undefined> {
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

  #now(): string {
    return this.#clock.now().toISOString();
  }
}
