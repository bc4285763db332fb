import { problem, SerialtraceError, type Clock, type Problem } from '@serialtrace/core';
import type { CompanyRow, Store, UserRow } from '@serialtrace/store';
import { callerOf, userIdentity, type Identity } from './access-identity.js';
import { appendAudit } from './audit-writer.js';
import { sha256Hex } from './hashing.js';
import { LoginThrottle } from './login-throttle.js';
import { checkPassword } from './password-policy.js';
import { DUMMY_PASSWORD_HASH, hashPassword, randomSecret, verifyPassword } from './secrets.js';

export const DEFAULT_SESSION_HOURS = 12;
/**
 * The most users of one name that a sign-in without a company checks the password against; with
 * more, the user must name their company.
 */
export const MAX_SIGN_IN_CANDIDATES = 8;

export interface SignInServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly sessionHours?: number;
  /** Slows password guessing; one per process by default. */
  readonly throttle?: LoginThrottle;
}

/**
 * Signing in and out, the sessions that follow, and a user changing their own password. A
 * session token has 256 random bits and is stored only as its SHA-256.
 */
export class SignInService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #sessionMs: number;
  readonly #throttle: LoginThrottle;

  constructor(deps: SignInServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#sessionMs = (deps.sessionHours ?? DEFAULT_SESSION_HOURS) * 3_600_000;
    this.#throttle = deps.throttle ?? new LoginThrottle();
  }

  /** How long a sign-in lasts, in seconds (the session cookie's Max-Age). */
  get sessionSeconds(): number {
    return this.#sessionMs / 1000;
  }

  /**
   * Checks a username and password and opens a session; the token goes only into the cookie.
   * Usernames are unique per company: with `company` (its name) only that company's user is a
   * candidate; without it, every company's user of that name is, and the one whose password
   * matches signs in. Every refusal is the same CREDENTIALS_INVALID, whether the name exists in no
   * company, one or several. Guessing is slowed per account and per client `address` (see
   * {@link LoginThrottle}): while either must wait, the attempt is refused with RATE_LIMITED
   * before any password is checked.
   */
  async login(
    username: string,
    password: string,
    options: { readonly company?: string; readonly address?: string } = {},
  ): Promise<{ token: string; identity: Identity; expiresAt: string; mustChangePassword: boolean }> {
    const attempt = this.#throttle.begin({ username, ...options });
    let wrong = false;
    try {
      return await this.#login(username, password, options.company, () => (wrong = true));
    } finally {
      // Only a wrong password counts: a database that is down is no guess.
      attempt.end(wrong);
    }
  }

  async #login(
    username: string,
    password: string,
    companyName: string | undefined,
    refused: () => void,
  ): Promise<{ token: string; identity: Identity; expiresAt: string; mustChangePassword: boolean }> {
    const candidates = await this.#store.read(async (tx) => {
      let users: UserRow[];
      if (companyName === undefined) {
        users = await tx.access.findUsersByName(username);
      } else {
        const company = await tx.access.findCompanyByName(companyName);
        const user = company === undefined ? undefined : await tx.access.findUserByName(company.id, username);
        users = user === undefined ? [] : [user];
      }
      // More candidates than that would make one attempt cost a hash each: the company is needed.
      if (users.length > MAX_SIGN_IN_CANDIDATES) return [];
      // One query after another: a transaction is one connection.
      const found: { user: UserRow; company: CompanyRow }[] = [];
      for (const user of users) found.push({ user, company: (await tx.access.findCompany(user.companyId))! });
      return found;
    });
    // Verify even for an unknown user, so the answer takes as long and reveals nothing. Several
    // candidates are verified at once (scrypt runs on the thread pool), so they take about as long.
    const hashes = candidates.length === 0 ? [DUMMY_PASSWORD_HASH] : candidates.map((c) => c.user.passwordHash);
    const verified = await Promise.all(hashes.map((hash) => verifyPassword(password, hash)));
    const matches = candidates.filter((c, i) => verified[i] === true && !c.user.disabled);
    // Two companies' users with one name and one password: which one is meant is not guessed.
    if (matches.length !== 1) {
      refused();
      throw new SerialtraceError('CREDENTIALS_INVALID');
    }
    const found = matches[0]!;
    const token = randomSecret(32);
    const now = this.#clock.now().getTime();
    const expiresAt = new Date(now + this.#sessionMs).toISOString();
    await this.#store.write(async (tx) => {
      await tx.access.deleteExpiredSessions(new Date(now).toISOString());
      await tx.access.insertSession({
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
    await this.#store.write((tx) => tx.access.deleteSession(sha256Hex(token)));
  }

  /** The user behind a session token, or undefined when it is unknown, expired or the user disabled. */
  async authenticateSession(token: string): Promise<Identity | undefined> {
    const now = this.#now();
    return this.#store.read(async (tx) => {
      const session = await tx.access.findSession(sha256Hex(token));
      if (session === undefined || session.expiresAt <= now) return undefined;
      const user = await tx.access.findUserById(session.userId);
      if (user === undefined || user.disabled) return undefined;
      return userIdentity(user, (await tx.access.findCompany(user.companyId))!);
    });
  }

  /**
   * Changes the signed-in user's own password, after checking the current one. Every other
   * session of the user ends (one opened with the old password elsewhere, by whoever knew it);
   * `sessionToken`, the session the change comes from, stays.
   */
  async changePassword(identity: Identity, currentPassword: string, newPassword: string, sessionToken?: string): Promise<void> {
    if (identity.kind !== 'user') throw new SerialtraceError('VALUE_INVALID', { field: 'identity', reason: 'API keys have no password' });
    const user = await this.#store.read(async (tx) => tx.access.findUserById(Number(identity.id)));
    // A wrong current password is a bad value here, not a lost sign-in: the session stays valid.
    if (user === undefined || !(await verifyPassword(currentPassword, user.passwordHash))) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'currentPassword', reason: 'it is not the current password' });
    }
    const problems: Problem[] = [];
    checkPassword(newPassword, problems, 'newPassword', user.username);
    // The one who set it knows the old password: keeping it would defeat having to change it.
    if (problems.length === 0 && newPassword === currentPassword) {
      problems.push(problem('VALUE_INVALID', { field: 'newPassword', reason: 'it is the current password; choose another' }));
    }
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const passwordHash = await hashPassword(newPassword);
    const at = this.#now();
    await this.#store.write(async (tx) => {
      await tx.access.updateUser(user.id, { passwordHash, mustChangePassword: false }, at);
      await tx.access.deleteUserSessions(user.id, sessionToken === undefined ? undefined : sha256Hex(sessionToken));
      await appendAudit(tx, callerOf(identity), at, [{ action: 'user.password_changed', entityType: 'user', entityId: String(user.id), data: { username: user.username } }]);
    });
  }

  #now(): string {
    return this.#clock.now().toISOString();
  }
}
