import type { NewUser } from '@serialtrace/store';
import { beforeEach, describe, expect, it } from 'vitest';
import { ENGINES, useStore } from './contract-harness.js';

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
for (const factory of ENGINES) {
  describe(`Store contract, access: ${factory.name}`, () => {
    const { h, write, read } = useStore(factory);

    beforeEach(async () => {
      await h.addCompany(2, 'Acme');
    });

    describe('users', () => {
      it('are unique by name within a company; another company may use the name', async () => {
        const alice = await write((tx) => tx.access.insertUser(newUser(1, 'alice')));
        const acmeAlice = await write((tx) => tx.access.insertUser(newUser(2, 'alice', { role: 'operator' })));
        await expect(write((tx) => tx.access.insertUser(newUser(1, 'alice')))).rejects.toThrow();
        await read(async (tx) => {
          expect(await tx.access.findUserByName(1, 'alice')).toEqual({ ...newUser(1, 'alice'), id: alice.id });
          expect(await tx.access.findUserByName(2, 'alice')).toMatchObject({ id: acmeAlice.id, role: 'operator' });
          expect(await tx.access.findUserByName(2, 'bob')).toBeUndefined();
          // Names compare exactly, as typed.
          expect(await tx.access.findUserByName(1, 'Alice')).toBeUndefined();
          expect((await tx.access.findUsersByName('alice')).map((u) => [u.id, u.companyId])).toEqual([
            [alice.id, 1],
            [acmeAlice.id, 2],
          ]);
          expect(await tx.access.findUsersByName('nobody')).toEqual([]);
          expect((await tx.access.listUsers(2)).map((u) => u.username)).toEqual(['alice']);
        });
        expect(await write((tx) => tx.access.updateUser(acmeAlice.id, { disabled: true }, LATER))).toMatchObject({ disabled: true, updatedAt: LATER });
        expect(await read((tx) => tx.access.findUserByName(1, 'alice'))).toMatchObject({ disabled: false });
      });
    });

    describe('sessions', () => {
      it('end for one user, all of them or all but one', async () => {
        const alice = await write((tx) => tx.access.insertUser(newUser(1, 'alice')));
        const bob = await write((tx) => tx.access.insertUser(newUser(1, 'bob')));
        const session = (tokenHash: string, userId: number) => ({ tokenHash, userId, companyId: 1, createdAt: AT, expiresAt: '2099-01-01T00:00:00.000Z' });
        await write(async (tx) => {
          for (const [hash, user] of [['a1', alice.id], ['a2', alice.id], ['a3', alice.id], ['b1', bob.id]] as const) await tx.access.insertSession(session(hash, user));
        });
        await write((tx) => tx.access.deleteUserSessions(alice.id, 'a2'));
        const left = async () =>
          read(async (tx) => {
            const found: (string | null)[] = [];
            for (const hash of ['a1', 'a2', 'a3', 'b1']) found.push((await tx.access.findSession(hash))?.tokenHash ?? null);
            return found;
          });
        expect(await left()).toEqual([null, 'a2', null, 'b1']);
        await write((tx) => tx.access.deleteUserSessions(alice.id));
        expect(await left()).toEqual([null, null, null, 'b1']);
      });
    });

    describe('access version', () => {
      it('grows with every change noted in any company, and only then', async () => {
        const start = await read((tx) => tx.access.readAccessVersion());
        expect(Number.isSafeInteger(start)).toBe(true);
        await write((tx) => tx.access.noteAccessChange(1));
        await write(async (tx) => {
          await tx.access.noteAccessChange(2);
          await tx.access.noteAccessChange(2);
        });
        expect(await read((tx) => tx.access.readAccessVersion())).toBe(start + 3);
        // A unit that rolls back leaves it as it was.
        await expect(
          write(async (tx) => {
            await tx.access.noteAccessChange(1);
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
        expect(await read((tx) => tx.access.readAccessVersion())).toBe(start + 3);
      });
    });
  });
}
