import { describe, expect, it } from 'vitest';
import { ENGINES, useStore, AT } from './contract-harness.js';

for (const factory of ENGINES) {
  describe(`Store contract, idempotency keys: ${factory.name}`, () => {
    const { h, write, read } = useStore(factory);

    describe('idempotency keys', () => {
      it('stores a key per company and refuses the same key twice in one company', async () => {
        const row = { key: 'req-1', requestHash: 'abc', response: '{"z":1,"a":[1,2],"big":"18446744073709551617"}', createdAt: AT };
        expect(await read((tx) => tx.idempotency.find(1, 'req-1'))).toBeUndefined();
        await write((tx) => tx.idempotency.insert(1, row));
        expect(await read((tx) => tx.idempotency.find(1, 'req-1'))).toEqual(row);
        expect(await read((tx) => tx.idempotency.find(1, 'REQ-1'))).toBeUndefined();
        expect(await read((tx) => tx.idempotency.find(2, 'req-1'))).toBeUndefined();

        await expect(write((tx) => tx.idempotency.insert(1, { ...row, requestHash: 'other' }))).rejects.toThrow();
        expect(await read((tx) => tx.idempotency.find(1, 'req-1'))).toEqual(row);

        await h.addCompany(2, 'second');
        const theirs = { ...row, requestHash: 'def', response: '{}' };
        await write((tx) => tx.idempotency.insert(2, theirs));
        expect(await read((tx) => tx.idempotency.find(2, 'req-1'))).toEqual(theirs);
        expect(await read((tx) => tx.idempotency.find(1, 'req-1'))).toEqual(row);
      });
    });
  });
}
