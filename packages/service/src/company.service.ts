import { SerialtraceError, type Clock, type Problem } from '@serialtrace/core';
import type { CompanyRow, Store } from '@serialtrace/store';
import { checkName, checkUsername, userView, type UserView } from './access-identity.js';
import { appendAudit } from './audit-writer.js';
import type { Caller } from './caller.js';
import { checkPassword } from './password-policy.js';
import { hashPassword, randomPassword } from './secrets.js';

export interface CompanyServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** Companies: the tenants of an installation, each with its own users, keys, data and audit chain. */
export class CompanyService {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(deps: CompanyServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  async list(): Promise<CompanyRow[]> {
    return this.#store.read((tx) => tx.access.listCompanies());
  }

  /**
   * Adds a company with its first admin. The new company's audit chain starts with its creation;
   * the creator's company records it too.
   */
  async create(
    caller: Caller,
    input: { name?: unknown; adminUsername?: unknown; adminPassword?: unknown },
  ): Promise<{ company: CompanyRow; admin: UserView; initialPassword: string | null }> {
    const problems: Problem[] = [];
    const name = checkName(input.name, 'name', problems);
    const username = checkUsername(input.adminUsername, problems, 'adminUsername');
    const generated = input.adminPassword === undefined || input.adminPassword === null || input.adminPassword === '';
    const password = generated ? randomPassword() : checkPassword(input.adminPassword, problems, 'adminPassword', username);
    if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
    const passwordHash = await hashPassword(password);
    const at = this.#clock.now().toISOString();
    return this.#store.write(async (tx) => {
      if ((await tx.access.findCompanyByName(name)) !== undefined) throw new SerialtraceError('COMPANY_NAME_TAKEN', { field: 'name', company: name });
      const company = await tx.access.insertCompany(name, at);
      const admin = await tx.access.insertUser({
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
}
