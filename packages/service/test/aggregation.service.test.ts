import { completeKey, ssccUrn } from '@serialtrace/core';
import { createSerialtrace, type Caller, type ContentsNode, type Serialtrace } from '@serialtrace/service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ManualClock, refused } from './harness.js';

const caller: Caller = { companyId: 1, actor: 'packer', station: 'PACK-1' };
const GTIN = '09520123456788';
/** A unit in three notations: bracketed, element string with GS and a symbology id, Digital Link. */
const unit = (n: number) => `(01)${GTIN}(21)U${n}`;
const unitScanned = (n: number) => `]d201${GTIN}21U${n}`;
const unitLink = (n: number) => `https://id.gs1.org/01/${GTIN}/21/U${n}`;
const sscc = (n: number) => completeKey(`0952012340${String(n).padStart(7, '0')}`, 'SSCC');
const caseCode = (n: number) => `(00)${sscc(n)}`;
const caseLink = (n: number) => `https://id.gs1.org/00/${sscc(n)}`;
const CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';

/** The identifiers of a contents tree, as nested arrays. */
const shape = (node: ContentsNode): unknown => (node.children.length === 0 ? node.identifier : { [node.identifier]: node.children.map(shape) });

for (const engine of ENGINES) {
  describe(`Aggregation (${engine.name})`, () => {
    let app: Serialtrace;
    let clock: ManualClock;
    let cleanup: () => Promise<void>;
    beforeEach(() => {
      const opened = engine.open();
      cleanup = opened.cleanup;
      clock = new ManualClock('2025-06-15T10:00:00Z');
      app = createSerialtrace({ store: opened.stores(), clock, defaultTimeZone: 'UTC' });
    });
    afterEach(async () => {
      await cleanup();
    });

    it('packs units into cases and cases onto a pallet, one AggregationEvent per pack, and reads the contents at every level', async () => {
      for (let c = 1; c <= 2; c++) {
        const packed = await app.aggregation.pack(caller, { parent: caseCode(c), children: [1, 2, 3].map((u) => unit(c * 10 + u)) });
        expect(packed).toMatchObject({ action: 'ADD', parent: caseLink(c), children: [1, 2, 3].map((u) => unitLink(c * 10 + u)), moved: [] });
      }
      const pallet = await app.aggregation.pack(caller, { parent: caseCode(100), children: [caseLink(1), ssccUrn(sscc(2), 7)] });
      expect(pallet.children).toEqual([caseLink(1), caseLink(2)]);

      const contents = await app.aggregation.contents(caller, caseCode(100));
      expect(contents.total).toBe(8);
      expect(shape(contents)).toEqual({ [caseLink(100)]: [{ [caseLink(1)]: [11, 12, 13].map(unitLink) }, { [caseLink(2)]: [21, 22, 23].map(unitLink) }] });
      expect((await app.aggregation.parents(caller, unitScanned(22))).parents).toEqual([caseLink(2), caseLink(100)]);

      // Each pack is an AggregationEvent of the repository, queried like a captured one.
      const page = await app.epcis.events(caller, { eventType: 'AggregationEvent', MATCH_parentID: caseLink(100) });
      const [event] = (page.body as any).epcisBody.queryResults.resultsBody.eventList;
      expect(event).toMatchObject({ eventID: pallet.eventID, action: 'ADD', bizStep: 'https://ref.gs1.org/cbv/BizStep-packing', parentID: caseLink(100), childEPCs: [caseLink(1), caseLink(2)] });
      // And one journal entry per pack, about the container.
      const audit = await app.audit.list(caller, { entityType: 'container' });
      expect(audit.entries.map((e) => [e.action, e.entityId])).toEqual([
        ['container.packed', caseLink(1)],
        ['container.packed', caseLink(2)],
        ['container.packed', caseLink(100)],
      ].reverse());
    });

    it('keeps a unit in one parent at a time, refuses cycles and self, and moves a unit only when asked', async () => {
      await app.aggregation.pack(caller, { parent: caseCode(1), children: [unit(1), unit(2)] });
      await app.aggregation.pack(caller, { parent: caseCode(100), children: [caseCode(1)] });
      const packed = await refused(app.aggregation.pack(caller, { parent: caseCode(2), children: [unit(3), unit(1)] }), 'AGGREGATION_CHILD_PACKED');
      expect(packed.details).toMatchObject({ child: unitLink(1), parent: caseLink(1) });
      await refused(app.aggregation.pack(caller, { parent: caseCode(1), children: [unit(1)] }), 'AGGREGATION_CHILD_PACKED');
      await refused(app.aggregation.pack(caller, { parent: caseCode(1), children: [caseCode(100)] }), 'AGGREGATION_CYCLE');
      await refused(app.aggregation.pack(caller, { parent: unit(1), children: [caseCode(1)] }), 'AGGREGATION_CYCLE');
      await refused(app.aggregation.pack(caller, { parent: caseCode(5), children: [caseLink(5)] }), 'AGGREGATION_SELF');
      // Nothing of a refused pack stayed: unit 3 is in no case.
      expect((await app.aggregation.parents(caller, unit(3))).parents).toEqual([]);

      const moved = await app.aggregation.pack(caller, { parent: caseCode(2), children: [unit(3), unit(1)], move: true });
      expect(moved.moved).toEqual([{ child: unitLink(1), from: caseLink(1) }]);
      expect(shape(await app.aggregation.contents(caller, caseCode(1)))).toEqual({ [caseLink(1)]: [unitLink(2)] });
      expect((await app.aggregation.contents(caller, caseCode(2))).children.map((c) => c.identifier)).toEqual([unitLink(1), unitLink(3)]);
    });

    it('unpacks named children or everything, and answers the contents as of any past instant', async () => {
      await app.aggregation.pack(caller, { parent: caseCode(1), children: [unit(1), unit(2), unit(3)] });
      const packedAt = clock.now().toISOString();
      clock.advance(60_000);
      const one = await app.aggregation.unpack(caller, { parent: caseCode(1), children: [unit(2)] });
      expect(one).toMatchObject({ action: 'DELETE', children: [unitLink(2)] });
      await refused(app.aggregation.unpack(caller, { parent: caseCode(1), children: [unit(2)] }), 'AGGREGATION_NOT_CONTAINED');
      const unpackedOneAt = clock.now().toISOString();
      clock.advance(60_000);
      const all = await app.aggregation.unpack(caller, { parent: caseCode(1) });
      expect(all.children).toEqual([unitLink(1), unitLink(3)]);
      await refused(app.aggregation.unpack(caller, { parent: caseCode(1) }), 'AGGREGATION_EMPTY');

      const at = async (instant: string) => (await app.aggregation.contents(caller, caseCode(1), { at: instant })).children.map((c) => c.identifier);
      expect(await at('2025-06-15T09:59:59Z')).toEqual([]);
      expect(await at(packedAt)).toEqual([unitLink(1), unitLink(2), unitLink(3)]);
      expect(await at(unpackedOneAt)).toEqual([unitLink(1), unitLink(3)]);
      expect(await at(clock.now().toISOString())).toEqual([]);
      expect((await app.aggregation.parents(caller, unit(1), { at: packedAt })).parents).toEqual([caseLink(1)]);
      await refused(app.aggregation.contents(caller, caseCode(1), { at: 'yesterday' }), 'VALUE_INVALID');
    });

    it('counts partners’ captured events in event-time order: a late unpack lands in its place, a declared error drops out', async () => {
      await app.aggregation.pack(caller, { parent: caseCode(1), children: [unit(1), unit(2)] });
      // A partner reports, late, that unit 2 was taken out a minute after the pack.
      const lateUnpack = {
        type: 'AggregationEvent',
        eventID: 'urn:uuid:late-unpack',
        eventTime: '2025-06-15T10:01:00Z',
        eventTimeZoneOffset: '+00:00',
        parentID: caseLink(1),
        childEPCs: [unitLink(2)],
        action: 'DELETE',
        bizStep: 'unpacking',
      };
      clock.advance(3600_000);
      await app.epcis.capture(caller, { '@context': [CONTEXT], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2025-06-15T11:00:00Z', epcisBody: { eventList: [lateUnpack] } });
      expect((await app.aggregation.contents(caller, caseCode(1))).children.map((c) => c.identifier)).toEqual([unitLink(1)]);
      expect((await app.aggregation.contents(caller, caseCode(1), { at: '2025-06-15T10:00:30Z' })).total).toBe(2);
      // Then declares it wrong: unit 2 was never taken out.
      const declaration = { ...lateUnpack, errorDeclaration: { declarationTime: '2025-06-15T11:30:00Z', reason: 'incorrect_data' } };
      await app.epcis.capture(caller, { '@context': [CONTEXT], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2025-06-15T11:30:00Z', epcisBody: { eventList: [declaration] } });
      expect((await app.aggregation.contents(caller, caseCode(1))).total).toBe(2);
    });

    it('refuses to pack a unit that was decommissioned, destroyed or recalled', async () => {
      const observe = (n: number, extra: Record<string, unknown>) => ({
        type: 'ObjectEvent',
        eventTime: '2025-06-15T09:00:00Z',
        eventTimeZoneOffset: '+00:00',
        epcList: [unitLink(n)],
        action: 'OBSERVE',
        ...extra,
      });
      await app.epcis.capture(caller, {
        '@context': [CONTEXT],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2025-06-15T09:00:00Z',
        epcisBody: {
          eventList: [observe(1, { disposition: 'destroyed', bizStep: 'destroying' }), observe(2, { disposition: 'recalled' }), observe(3, { action: 'DELETE', bizStep: 'decommissioning' })],
        },
      });
      for (const [n, reason] of [[1, 'destroyed'], [2, 'recalled'], [3, 'decommissioned']] as const) {
        const error = await refused(app.aggregation.pack(caller, { parent: caseCode(1), children: [unit(n)] }), 'UNIT_ENDED');
        expect(error.details).toMatchObject({ unit: unitLink(n), reason, operation: 'packed' });
      }
      await app.aggregation.pack(caller, { parent: caseCode(1), children: [unit(4)] });
    });

    it('accepts a record’s serial for its GS1 identity, and refuses a code it cannot identify', async () => {
      await app.series.create(caller, { name: 'Drug A', format: 'A{#######}', gtin: GTIN });
      const { serials } = await app.generation.generate(caller, 'Drug A', { quantity: 2 });
      const packed = await app.aggregation.pack(caller, { parent: caseCode(1), children: serials });
      expect(packed.children).toEqual(serials.map((s) => `https://id.gs1.org/01/${GTIN}/21/${s}`));
      await app.series.create(caller, { name: 'Plain', format: 'P-{####}' });
      const plain = await app.generation.generate(caller, 'Plain', { quantity: 1 });
      await refused(app.aggregation.pack(caller, { parent: caseCode(1), children: plain.serials }), 'UNIT_CODE_UNKNOWN');
      await refused(app.aggregation.pack(caller, { parent: caseCode(1), children: ['NO-SUCH-SERIAL'] }), 'UNIT_CODE_UNKNOWN');
    });

    it('packs a list of parents in one request, all or nothing', async () => {
      const views = await app.aggregation.packMany(caller, [
        { parent: caseCode(1), children: [unit(1)] },
        { parent: caseCode(2), children: [unit(2)] },
        { parent: caseCode(100), children: [caseCode(1), caseCode(2)] },
      ]);
      expect(views.map((v) => v.parent)).toEqual([caseLink(1), caseLink(2), caseLink(100)]);
      expect((await app.aggregation.contents(caller, caseCode(100))).total).toBe(4);
      await refused(app.aggregation.packMany(caller, [{ parent: caseCode(3), children: [unit(3)] }, { parent: caseCode(4), children: [unit(3)] }]), 'AGGREGATION_CHILD_PACKED');
      expect((await app.aggregation.parents(caller, unit(3))).parents).toEqual([]);
    });

    it('lets two concurrent packs of one unit into different cases both finish, one of them refused', async () => {
      const results = await Promise.allSettled([
        app.aggregation.pack(caller, { parent: caseCode(1), children: [unit(1)] }),
        app.aggregation.pack(caller, { parent: caseCode(2), children: [unit(1)] }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'AGGREGATION_CHILD_PACKED' });
    });
  });
}
