import { SerialtraceError, type Clock, type Problem } from '@serialtrace/core';
import type { Store } from '@serialtrace/store';
import { callerOf, userIdentity, type Identity } from './access-identity.js';
import { appendAudit } from './audit-writer.js';
import { sha256Hex } from './hashing.js';
import { checkPassword } from './password-policy.js';
import { DUMMY_PASSWORD_HASH, hashPassword, randomSecret, verifyPassword } from './secrets.js';

export const DEFAULT_SESSION_HOURS = 12;

export interface SignInServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly sessionHours?: number;
}

/**
 * Signing in and out, the sessions that follow, and a user changing their own password. A
 * session token has 256 random bits and is stored only as its SHA-256.
 */
export class SignInService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #sessionMs: number;

  constructor(deps: SignInServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#sessionMs = (deps.sessionHours ?? DEFAULT_SESSION_HOURS) * 3_600_000;
  }

  /** How long a sign-in lasts, in seconds (the session cookie's Max-Age). */
  get sessionSeconds(): number {
    return this.#sessionMs / 1000;
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

  #now(): string {
    return this.#clock.now().toISOString();
  }
}
