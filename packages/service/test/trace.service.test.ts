import { completeKey } from '@serialtrace/core';
import { createSerialtrace, type Caller, type Serialtrace } from '@serialtrace/service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ManualClock, refused } from './harness.js';

const caller: Caller = { companyId: 1, actor: 'dock', station: 'DOCK-1' };
const GTIN = '09520123456788';
const unit = (n: number) => `(01)${GTIN}(21)U${n}`;
const unitLink = (n: number) => `https://id.gs1.org/01/${GTIN}/21/U${n}`;
const sscc = (n: number) => completeKey(`0952012340${String(n).padStart(7, '0')}`, 'SSCC');
const caseLink = (n: number) => `https://id.gs1.org/00/${sscc(n)}`;
const CBV = 'https://ref.gs1.org/cbv/';
const PO = 'urn:epcglobal:cbv:bt:0952012300007:PO-7';
const CUSTOMER = 'urn:epc:id:pgln:0614141.00001';
const CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';

for (const engine of ENGINES) {
  describe(`Shipping, receiving and a unit's story (${engine.name})`, () => {
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

    it('ships a pallet with its purchase order and customer: every unit inside moves with it, without an event of its own', async () => {
      await app.aggregation.packMany(caller, [
        { parent: caseLink(1), children: [unit(1), unit(2)] },
        { parent: caseLink(100), children: [caseLink(1)] },
      ]);
      clock.advance(60_000);
      const shipped = await app.trace.ship(caller, {
        codes: [caseLink(100)],
        bizTransactions: [{ type: 'po', id: PO }],
        sources: [{ type: 'owning_party', id: 'urn:epc:id:pgln:9520123.00001' }],
        destinations: [{ type: 'owning_party', id: CUSTOMER }],
        readPoint: 'urn:epc:id:sgln:9520123.00001.0',
      });
      expect(shipped).toMatchObject({ bizStep: 'shipping', identifiers: [caseLink(100)], contained: 3 });

      const story = await app.trace.trace(caller, unit(2));
      expect(story).toMatchObject({
        identifier: unitLink(2),
        disposition: `${CBV}Disp-in_transit`,
        bizStep: `${CBV}BizStep-shipping`,
        owner: 'https://id.gs1.org/417/0614141000012',
        parents: [caseLink(1), caseLink(100)],
        inheritedFrom: caseLink(100),
        ended: null,
      });
      // The unit's own events: the pack into its case, nothing for the shipment.
      expect(story.events.map((e) => [e.type, e.role])).toEqual([['AggregationEvent', 'child']]);
      // The shipment is an event of the repository, found by its purchase order.
      const page = await app.epcis.events(caller, { EQ_bizTransaction_po: PO });
      expect((page.body as any).epcisBody.queryResults.resultsBody.eventList.map((e: any) => e.eventID)).toEqual([shipped.eventID]);

      clock.advance(3600_000);
      const received = await app.trace.receive(caller, { codes: [caseLink(100)], bizLocation: 'urn:epc:id:sgln:0614141.00001.0' });
      expect(received.contained).toBe(3);
      expect(await app.trace.trace(caller, unit(1))).toMatchObject({ disposition: `${CBV}Disp-in_progress`, bizLocation: 'https://id.gs1.org/414/0614141000012' });
      // As it was before the receipt.
      expect((await app.trace.trace(caller, unit(1), { at: '2025-06-15T10:30:00Z' })).disposition).toBe(`${CBV}Disp-in_transit`);
    });

    it('keeps a unit’s own later events over its container’s older ones, and ends with a destruction', async () => {
      await app.aggregation.pack(caller, { parent: caseLink(1), children: [unit(1)] });
      clock.advance(60_000);
      await app.trace.ship(caller, { codes: [caseLink(1)] });
      await app.epcis.capture(caller, {
        '@context': [CONTEXT],
        type: 'EPCISDocument',
        schemaVersion: '2.0',
        creationDate: '2025-06-15T12:00:00Z',
        epcisBody: { eventList: [{ type: 'ObjectEvent', eventTime: '2025-06-15T10:30:00Z', eventTimeZoneOffset: '+00:00', epcList: [unitLink(1)], action: 'OBSERVE', bizStep: 'destroying', disposition: 'destroyed' }] },
      });
      clock.advance(3600_000);
      const story = await app.trace.trace(caller, unit(1));
      expect(story).toMatchObject({ ended: 'destroyed', disposition: `${CBV}Disp-destroyed`, inheritedFrom: null });
      await refused(app.trace.ship(caller, { codes: [unit(1)] }), 'UNIT_ENDED');
      await refused(app.trace.ship(caller, { codes: [] }), 'VALUE_INVALID');
      await refused(app.trace.ship(caller, { codes: [unit(2)], bizTransactions: [{ type: 'po', id: ' ' }] }), 'VALUE_INVALID');
    });
  });
}
