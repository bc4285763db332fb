import { problem, SerialtraceError, type Clock, type Problem } from '@serialtrace/core';
import type { Store } from '@serialtrace/store';
import { checkUsername, readRole, userView, type UserView } from './access-identity.js';
import { appendAudit } from './audit-writer.js';
import type { Caller } from './caller.js';
import { DEFAULT_COMPANY_ID } from './caller.js';
import { checkPassword } from './password-policy.js';
import { hashPassword, randomPassword } from './secrets.js';

export const ADMIN_USERNAME = 'admin';

export interface UserServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** A company's users: adding them, changing their role, disabling them, setting a new password. */
export class UserService {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(deps: UserServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  /**
   * On a fresh install, creates the system administrator `admin` in the first company, with the
   * given password or a generated one (returned once, to be printed once). Does nothing when any
   * user exists.
   */
  async bootstrap(initialPassword?: string): Promise<{ username: string; password: string; generated: boolean } | null> {
    // A restart finds users and stops here, without paying for a password hash.
    if ((await this.#store.read((tx) => tx.access.countUsers())) > 0) return null;
    const generated = initialPassword === undefined || initialPassword === '';
    const password = generated ? randomPassword() : initialPassword;
    const problems: Problem[] = [];
    checkPassword(password, problems, 'SERIALTRACE_ADMIN_PASSWORD', ADMIN_USERNAME);
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const passwordHash = await hashPassword(password);
    const at = this.#now();
    return this.#store.write(async (tx) => {
      if ((await tx.access.countUsers()) > 0) return null;
      const user = await tx.access.insertUser({
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

  async list(caller: Caller): Promise<UserView[]> {
    return (await this.#store.read((tx) => tx.access.listUsers(caller.companyId))).map(userView);
  }

  async create(caller: Caller, input: { username?: unknown; password?: unknown; role?: unknown }): Promise<UserView> {
    const problems: Problem[] = [];
    const username = checkUsername(input.username, problems);
    const password = checkPassword(input.password, problems, 'password', username);
    const role = readRole(input.role, problems);
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const passwordHash = await hashPassword(password);
    const at = this.#now();
    const user = await this.#store.write(async (tx) => {
      // Within the company only: whether another company uses the name is none of its admins' business.
      if ((await tx.access.findUserByName(caller.companyId, username)) !== undefined) throw new SerialtraceError('USERNAME_TAKEN', { field: 'username', username });
      const created = await tx.access.insertUser({
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
   * always keeps an active admin, and only a system administrator changes a system administrator.
   */
  async update(caller: Caller, username: string, changes: { role?: unknown; disabled?: unknown; password?: unknown }): Promise<UserView> {
    const problems: Problem[] = [];
    const role = changes.role === undefined ? undefined : readRole(changes.role, problems);
    const password = changes.password === undefined ? undefined : checkPassword(changes.password, problems, 'password', username);
    if (changes.disabled !== undefined && typeof changes.disabled !== 'boolean') {
      problems.push(problem('VALUE_INVALID', { field: 'disabled', reason: 'it must be true or false' }));
    }
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const disabled = changes.disabled as boolean | undefined;
    const passwordHash = password === undefined ? undefined : await hashPassword(password);
    const at = this.#now();
    const user = await this.#store.write(async (tx) => {
      const current = await tx.access.findUserByName(caller.companyId, username);
      if (current === undefined) throw new SerialtraceError('USER_NOT_FOUND', { field: 'username', username });
      // A company admin who could set the password of a system administrator would sign in as one.
      if (current.systemAdmin && caller.systemAdmin !== true) {
        throw new SerialtraceError('FORBIDDEN', { role: 'admin', permission: 'change a system administrator (system administrators only)' });
      }
      const losesAdmin = current.role === 'admin' && !current.disabled && ((role !== undefined && role !== 'admin') || disabled === true);
      if (losesAdmin && (await tx.access.countActiveAdmins(caller.companyId)) <= 1) throw new SerialtraceError('LAST_ADMIN', { username });
      const updated = await tx.access.updateUser(
        current.id,
        {
          ...(role === undefined ? {} : { role }),
          ...(disabled === undefined ? {} : { disabled }),
          ...(passwordHash === undefined ? {} : { passwordHash, mustChangePassword: true }),
        },
        at,
      );
      if (disabled === true || passwordHash !== undefined) await tx.access.deleteUserSessions(current.id);
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

  #now(): string {
    return this.#clock.now().toISOString();
  }
}
