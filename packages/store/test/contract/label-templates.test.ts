import { describe, expect, it } from 'vitest';
import { type ChangeStamp } from '@serialtrace/store';
import { ENGINES, useStore, AT, STAMP } from './contract-harness.js';

for (const factory of ENGINES) {
  describe(`Store contract, label templates: ${factory.name}`, () => {
    const { h, write, read } = useStore(factory);

    describe('label templates', () => {
      const definition = (title: string) => JSON.stringify({ size: { width: 50, height: 25 }, elements: [{ kind: 'text', value: title }] });
      const LATER: ChangeStamp = { at: '2025-06-02T10:00:00.000Z', actor: 'bob' };

      it('creates a template as version 1, then replaces its definition as version 2, keeping its creation', async () => {
        const v1 = await write((tx) => tx.labelTemplates.save(1, 'Carton', definition('first'), STAMP));
        expect(v1).toEqual({
          id: v1.id,
          companyId: 1,
          name: 'Carton',
          definition: definition('first'),
          version: 1,
          createdAt: AT,
          createdBy: 'alice',
          updatedAt: AT,
          updatedBy: 'alice',
        });
        expect(Number.isInteger(v1.id)).toBe(true);
        expect(await read((tx) => tx.labelTemplates.find(1, 'Carton'))).toEqual(v1);

        const v2 = await write((tx) => tx.labelTemplates.save(1, 'Carton', definition('second ✓ "quoted"'), LATER));
        expect(v2).toEqual({ ...v1, definition: definition('second ✓ "quoted"'), version: 2, updatedAt: LATER.at, updatedBy: 'bob' });
        expect(await read((tx) => tx.labelTemplates.find(1, 'Carton'))).toEqual(v2);
        const v3 = await write((tx) => tx.labelTemplates.save(1, 'Carton', definition('second ✓ "quoted"'), STAMP));
        expect(v3).toMatchObject({ id: v1.id, version: 3, createdAt: AT, createdBy: 'alice' });
      });

      it('lists a company’s templates by name, and finds one by its exact name', async () => {
        for (const name of ['pallet', 'Carton', 'box-10', 'box-2']) await write((tx) => tx.labelTemplates.save(1, name, definition(name), STAMP));
        const listed = await read((tx) => tx.labelTemplates.list(1));
        expect(listed.map((t) => t.name)).toEqual(['Carton', 'box-10', 'box-2', 'pallet']);
        expect(listed.map((t) => t.definition)).toEqual(['Carton', 'box-10', 'box-2', 'pallet'].map(definition));
        await read(async (tx) => {
          expect(await tx.labelTemplates.find(1, 'box-2')).toEqual(listed[2]);
          expect(await tx.labelTemplates.find(1, 'carton')).toBeUndefined();
          expect(await tx.labelTemplates.find(1, 'Unknown')).toBeUndefined();
          expect(await tx.labelTemplates.list(2)).toEqual([]);
        });
      });

      it('keeps each company’s names apart: two companies may use one name', async () => {
        await h.addCompany(2, 'second');
        const mine = await write((tx) => tx.labelTemplates.save(1, 'Carton', definition('mine'), STAMP));
        const theirs = await write((tx) => tx.labelTemplates.save(2, 'Carton', definition('theirs'), LATER));
        expect(theirs.id).not.toBe(mine.id);
        expect(theirs).toMatchObject({ companyId: 2, version: 1, definition: definition('theirs') });
        const again = await write((tx) => tx.labelTemplates.save(2, 'Carton', definition('theirs 2'), LATER));
        expect(again.version).toBe(2);
        await read(async (tx) => {
          expect(await tx.labelTemplates.find(1, 'Carton')).toEqual(mine);
          expect(await tx.labelTemplates.list(1)).toEqual([mine]);
          expect(await tx.labelTemplates.list(2)).toEqual([again]);
        });
        expect(await write((tx) => tx.labelTemplates.delete(2, 'Carton'))).toBe(true);
        expect(await read((tx) => tx.labelTemplates.find(1, 'Carton'))).toEqual(mine);
      });

      it('deletes a template once: true, then false; the name may then start over at version 1', async () => {
        await write((tx) => tx.labelTemplates.save(1, 'Carton', definition('a'), STAMP));
        await write((tx) => tx.labelTemplates.save(1, 'Pallet', definition('b'), STAMP));
        expect(await write((tx) => tx.labelTemplates.delete(1, 'Carton'))).toBe(true);
        expect(await write((tx) => tx.labelTemplates.delete(1, 'Carton'))).toBe(false);
        expect(await write((tx) => tx.labelTemplates.delete(1, 'Unknown'))).toBe(false);
        expect(await write((tx) => tx.labelTemplates.delete(2, 'Pallet'))).toBe(false);
        await read(async (tx) => {
          expect(await tx.labelTemplates.find(1, 'Carton')).toBeUndefined();
          expect((await tx.labelTemplates.list(1)).map((t) => t.name)).toEqual(['Pallet']);
        });
        expect(await write((tx) => tx.labelTemplates.save(1, 'Carton', definition('c'), LATER))).toMatchObject({ version: 1, createdAt: LATER.at });
      });
    });
  });
}
