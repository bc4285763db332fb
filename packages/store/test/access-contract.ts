import type { NewUser, StoreTransaction } from '@serialtrace/store';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreFactory, StoreHarness } from './store-harness.js';

const AT = '2025-06-01T08:00:00.000Z';
const LATER = '2025-06-02T08:00:00.000Z';

function newUser(companyId: number, username: string, overrides: Partial<NewUser> = {}): NewUser {
  return {
    companyId,
    username,
    passwordHash: `scrypt$${companyId}$${username}`,
    role: 'viewer',
    systemAdmin: false,
    disabled: false,
    mustChangePassword: false,
    createdAt: AT,
    createdBy: 'user:admin',
    updatedAt: AT,
    ...overrides,
  };
}

/**
 * The store contract of companies, users, sessions and the access version: what sign-in, user
 * management and API key checks rely on, run against every engine like the rest of the contract.
 */
export function accessContract(factory: StoreFactory): void {
  describe(`Store contract, access: ${factory.name}`, () => {
    let h: StoreHarness;
    const write = <T>(work: (tx: StoreTransaction) => Promise<T>) => h.store.write(work);
    const read = <T>(work: (tx: StoreTransaction) => Promise<T>) => h.store.read(work);

    beforeEach(async () => {
      h = await factory.create();
      await h.addCompany(2, 'Acme');
    });
    afterEach(async () => {
      await h.dispose();
    });

    describe('users', () => {
      it('are unique by name within a company; another company may use the name', async () => {
        const alice = await write((tx) => tx.insertUser(newUser(1, 'alice')));
        const acmeAlice = await write((tx) => tx.insertUser(newUser(2, 'alice', { role: 'operator' })));
        await expect(write((tx) => tx.insertUser(newUser(1, 'alice')))).rejects.toThrow();
        await read(async (tx) => {
          expect(await tx.findUserByName(1, 'alice')).toEqual({ ...newUser(1, 'alice'), id: alice.id });
          expect(await tx.findUserByName(2, 'alice')).toMatchObject({ id: acmeAlice.id, role: 'operator' });
          expect(await tx.findUserByName(2, 'bob')).toBeUndefined();
          // Names compare exactly, as typed.
          expect(await tx.findUserByName(1, 'Alice')).toBeUndefined();
          expect((await tx.findUsersByName('alice')).map((u) => [u.id, u.companyId])).toEqual([
            [alice.id, 1],
            [acmeAlice.id, 2],
          ]);
          expect(await tx.findUsersByName('nobody')).toEqual([]);
          expect((await tx.listUsers(2)).map((u) => u.username)).toEqual(['alice']);
        });
        expect(await write((tx) => tx.updateUser(acmeAlice.id, { disabled: true }, LATER))).toMatchObject({ disabled: true, updatedAt: LATER });
        expect(await read((tx) => tx.findUserByName(1, 'alice'))).toMatchObject({ disabled: false });
      });
    });

    describe('sessions', () => {
      it('end for one user, all of them or all but one', async () => {
        const alice = await write((tx) => tx.insertUser(newUser(1, 'alice')));
        const bob = await write((tx) => tx.insertUser(newUser(1, 'bob')));
        const session = (tokenHash: string, userId: number) => ({ tokenHash, userId, companyId: 1, createdAt: AT, expiresAt: '2099-01-01T00:00:00.000Z' });
        await write(async (tx) => {
          for (const [hash, user] of [['a1', alice.id], ['a2', alice.id], ['a3', alice.id], ['b1', bob.id]] as const) await tx.insertSession(session(hash, user));
        });
        await write((tx) => tx.deleteUserSessions(alice.id, 'a2'));
        const left = async () =>
          read(async (tx) => {
            const found: (string | null)[] = [];
            for (const hash of ['a1', 'a2', 'a3', 'b1']) found.push((await tx.findSession(hash))?.tokenHash ?? null);
            return found;
          });
        expect(await left()).toEqual([null, 'a2', null, 'b1']);
        await write((tx) => tx.deleteUserSessions(alice.id));
        expect(await left()).toEqual([null, null, null, 'b1']);
      });
    });

    describe('access version', () => {
      it('grows with every change noted in any company, and only then', async () => {
        const start = await read((tx) => tx.readAccessVersion());
        expect(Number.isSafeInteger(start)).toBe(true);
        await write((tx) => tx.noteAccessChange(1));
        await write(async (tx) => {
          await tx.noteAccessChange(2);
          await tx.noteAccessChange(2);
        });
        expect(await read((tx) => tx.readAccessVersion())).toBe(start + 3);
        // A unit that rolls back leaves it as it was.
        await expect(
          write(async (tx) => {
            await tx.noteAccessChange(1);
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
        expect(await read((tx) => tx.readAccessVersion())).toBe(start + 3);
      });
    });
  });
}
