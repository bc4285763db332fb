import { describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, type NewUser, type Store } from '@serialtrace/store';
import { MIGRATED_AT as AT, useOldDatabases, type Flag } from './migration-harness.js';

/*
 * A database a release with schema version 6 wrote, opened by this one: migration 7 makes
 * usernames unique per company instead of across the installation. Users keep their ids and
 * sessions, on both engines; two companies may then have a user of the same name, one company not.
 */

const LATER = '2025-06-02T08:00:00.000Z';

/** Rows version 6 wrote: a second company, a user in each, and a session of one of them. */
function version6Rows(flag: Flag): string[] {
  const [booleanTrue, booleanFalse] = [flag(true), flag(false)];
  return [
    `INSERT INTO companies (id, name, created_at) VALUES (2, 'Acme', '${AT}')`,
    `INSERT INTO users (id, company_id, username, password_hash, role, system_admin, disabled, must_change_password, created_at, created_by, updated_at)
     VALUES (4, 1, 'admin', 'scrypt$hash-of-admin', 'admin', ${booleanTrue}, ${booleanFalse}, ${booleanFalse}, '${AT}', 'serialtrace', '${AT}')`,
    `INSERT INTO users (id, company_id, username, password_hash, role, system_admin, disabled, must_change_password, created_at, created_by, updated_at)
     VALUES (7, 2, 'acme-admin', 'scrypt$hash-of-acme', 'admin', ${booleanFalse}, ${booleanFalse}, ${booleanTrue}, '${AT}', 'user:admin', '${AT}')`,
    `INSERT INTO sessions (token_hash, user_id, company_id, created_at, expires_at) VALUES ('token-of-acme', 7, 2, '${AT}', '2099-01-01T00:00:00.000Z')`,
  ];
}

const user = (companyId: number, username: string): NewUser => ({
  companyId,
  username,
  passwordHash: `scrypt$${username}`,
  role: 'viewer',
  systemAdmin: false,
  disabled: false,
  mustChangePassword: true,
  createdAt: LATER,
  createdBy: 'user:admin',
  updatedAt: LATER,
});

/** What the store reads from the upgraded database, and that usernames are now unique per company. */
async function checkUpgraded(store: Store): Promise<void> {
  await store.read(async (tx) => {
    expect(await tx.access.findUserByName(1, 'admin')).toMatchObject({ id: 4, companyId: 1, passwordHash: 'scrypt$hash-of-admin', systemAdmin: true });
    expect(await tx.access.findUserByName(2, 'acme-admin')).toMatchObject({ id: 7, companyId: 2, mustChangePassword: true });
    expect(await tx.access.findUserByName(2, 'admin')).toBeUndefined();
    expect(await tx.access.findSession('token-of-acme')).toMatchObject({ userId: 7, companyId: 2 });
  });
  // Acme may now have an "admin" of its own; the default company may not have a second one.
  const acmes = await store.write((tx) => tx.access.insertUser(user(2, 'admin')));
  expect(acmes.id).toBeGreaterThan(7);
  await expect(store.write((tx) => tx.access.insertUser(user(1, 'admin')))).rejects.toThrow();
  expect((await store.read((tx) => tx.access.findUsersByName('admin'))).map((u) => [u.id, u.companyId])).toEqual([
    [4, 1],
    [acmes.id, 2],
  ]);
  // The session's user is still the one it points at, and deleting users' sessions still works.
  await store.write((tx) => tx.access.deleteUserSessions(7));
  expect(await store.read((tx) => tx.access.findSession('token-of-acme'))).toBeUndefined();
}

describe('migration 7 on a database of version 6', () => {
  const old = useOldDatabases();

  it('upgrades a SQLite file: users keep their ids and sessions, and names become unique per company', async () => {
    const store = old.sqlite(6, version6Rows, { foreignKeys: true });
    expect(LATEST_SCHEMA_VERSION).toBeGreaterThanOrEqual(7);
    await checkUpgraded(store);
    // Foreign keys are on again after the migration: a session of nobody is refused.
    await expect(
      store.write((tx) => tx.access.insertSession({ tokenHash: 'orphan', userId: 999, companyId: 1, createdAt: LATER, expiresAt: '2099-01-01T00:00:00.000Z' })),
    ).rejects.toThrow(/FOREIGN KEY/);
  });

  it('upgrades a PostgreSQL schema: users keep their ids and sessions, and names become unique per company', async () => {
    const store = await old.postgres(6, version6Rows, (client) => client.query(`SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))`));
    await checkUpgraded(store);
  });
});
