import { parseInstant, problem, SerialtraceError, type Clock, type Problem } from '@serialtrace/core';
import type { ApiKeyRow, Store } from '@serialtrace/store';
import { apiKeyView, checkName, keyIdentity, readRole, type ApiKeyView, type Identity } from './access-identity.js';
import { appendAudit } from './audit-writer.js';
import type { Caller } from './caller.js';
import { sha256Hex } from './hashing.js';
import { newApiKey, parseApiKey, sameDigest } from './secrets.js';

/**
 * How old the last look at the database's access version may be when a key checked earlier is
 * trusted again: a key revoked on any server is refused everywhere within this (and one read).
 */
export const ACCESS_VERSION_MAX_AGE_MS = 500;

export interface ApiKeyServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Milliseconds of a clock that only moves forward (`performance.now`), for how old a look is. */
  readonly monotonicMs?: () => number;
}

interface CheckedKey {
  readonly identity: Identity;
  readonly secretHash: string;
  readonly expiresAt: number | null;
  /** The access version the key was read under. */
  readonly version: number;
}

/**
 * API keys: machines' credentials, `stk_<id>_<secret>`, of a company and a role. Only the
 * secret's SHA-256 is stored; a key's secret is seen once, when it is created.
 */
export class ApiKeyService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #monotonicMs: () => number;
  /**
   * Keys checked before, so that a machine's every request does not cost a read. Each is trusted
   * while the access version it was read under is the database's (see {@link #accessVersion}).
   */
  readonly #keys = new Map<string, CheckedKey>();
  /** The access version, and when the read that found it began. */
  #seen: { readonly version: number; readonly at: number } | undefined;
  #looking: Promise<number> | undefined;

  constructor(deps: ApiKeyServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#monotonicMs = deps.monotonicMs ?? (() => performance.now());
  }

  async list(caller: Caller): Promise<ApiKeyView[]> {
    return (await this.#store.read((tx) => tx.access.listApiKeys(caller.companyId))).map(apiKeyView);
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
      await tx.access.insertApiKey(row);
      await appendAudit(tx, caller, at, [{ action: 'api_key.created', entityType: 'api_key', entityId: row.id, data: { name, role, station, expiresAt } }]);
    });
    return { ...apiKeyView(row), key: generated.key };
  }

  async revoke(caller: Caller, id: string): Promise<void> {
    const at = this.#now();
    await this.#store.write(async (tx) => {
      const key = await tx.access.findApiKey(id);
      if (key === undefined || key.companyId !== caller.companyId) throw new SerialtraceError('API_KEY_NOT_FOUND', { field: 'id', id });
      if (key.revokedAt !== null) return;
      await tx.access.noteAccessChange(key.companyId);
      await tx.access.revokeApiKey(id, at, caller.actor);
      await appendAudit(tx, caller, at, [{ action: 'api_key.revoked', entityType: 'api_key', entityId: id, data: { name: key.name } }]);
    });
    this.#keys.delete(id);
  }

  /**
   * The key behind `Authorization: Bearer stk_...`, or undefined when it is malformed, unknown,
   * expired or revoked. A key checked before is trusted without reading it again while nothing
   * about keys has changed in the database: whether anything has is read at most every
   * {@link ACCESS_VERSION_MAX_AGE_MS} (one small read shared by the requests of that moment), so a
   * key revoked on another server is refused here within that time.
   */
  async authenticate(key: string): Promise<Identity | undefined> {
    const parsed = parseApiKey(key);
    if (parsed === undefined) return undefined;
    const secretHash = sha256Hex(parsed.secret);
    let checked = this.#keys.get(parsed.id);
    if (checked !== undefined && checked.version !== (await this.#accessVersion())) checked = undefined;
    if (checked === undefined) {
      const at = this.#monotonicMs();
      const found = await this.#store.read(async (tx) => {
        // In one snapshot: a revocation after this read raises the version it is kept under.
        const version = await tx.access.readAccessVersion();
        const row = await tx.access.findApiKey(parsed.id);
        return row === undefined ? undefined : { row, version, company: (await tx.access.findCompany(row.companyId))! };
      });
      if (found !== undefined) this.#saw(found.version, at);
      if (found === undefined || found.row.revokedAt !== null) {
        this.#keys.delete(parsed.id);
        return undefined;
      }
      checked = {
        identity: keyIdentity(found.row, found.company),
        secretHash: found.row.secretHash,
        expiresAt: found.row.expiresAt === null ? null : Date.parse(found.row.expiresAt),
        version: found.version,
      };
      this.#keys.set(parsed.id, checked);
    }
    if (!sameDigest(secretHash, checked.secretHash)) return undefined;
    if (checked.expiresAt !== null && checked.expiresAt <= this.#clock.now().getTime()) return undefined;
    return checked.identity;
  }

  /**
   * The database's access version as a read begun at most {@link ACCESS_VERSION_MAX_AGE_MS} ago
   * found it; requests arriving while a read is under way wait for that one.
   */
  async #accessVersion(): Promise<number> {
    const seen = this.#seen;
    if (seen !== undefined && this.#monotonicMs() - seen.at <= ACCESS_VERSION_MAX_AGE_MS) return seen.version;
    if (this.#looking === undefined) {
      const at = this.#monotonicMs();
      this.#looking = this.#store
        .read((tx) => tx.access.readAccessVersion())
        .then((version) => {
          this.#saw(version, at);
          return version;
        })
        .finally(() => (this.#looking = undefined));
    }
    return this.#looking;
  }

  /** Keeps what a read begun at `at` found, unless a later read's finding is kept already. */
  #saw(version: number, at: number): void {
    if (this.#seen === undefined || at > this.#seen.at) this.#seen = { version, at };
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }
}
