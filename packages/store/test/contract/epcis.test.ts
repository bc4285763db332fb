import { describe, expect, it } from 'vitest';
import { type EpcisEventFilter, type EpcisEventRow, type EpcisIdentifierRole, type NewEpcisEvent, type StoreTransaction } from '@serialtrace/store';
import { ENGINES, useStore, AT, STAMP, must, pause } from './contract-harness.js';

/** Second `n` of {@link AT}'s hour, as an event or record time. */
const at = (n: number) => new Date(Date.UTC(2025, 5, 1, 8, 0, 0) + n * 1000).toISOString();
const dl = (serial: string) => `https://id.gs1.org/01/09506000134352/21/${serial}`;
const CLASS = 'https://id.gs1.org/01/09506000134352';
const SSCC = 'https://id.gs1.org/00/095060000000000017';
const ANY_EPC: readonly EpcisIdentifierRole[] = ['epc', 'parent', 'child', 'input', 'output'];

/** An ObjectEvent of company 1 named `name`, at second `n`, with every optional field set. */
function epcisEvent(name: string, n: number, overrides: Partial<NewEpcisEvent> = {}): NewEpcisEvent {
  return {
    companyId: 1,
    eventId: `urn:uuid:${name}`,
    eventHash: `ni:///sha-256;${name}?ver=CBV2.0`,
    type: 'ObjectEvent',
    eventTime: at(n),
    eventTimeZoneOffset: '+02:00',
    recordTime: at(n + 100),
    action: 'OBSERVE',
    bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping',
    disposition: 'https://ref.gs1.org/cbv/Disp-in_transit',
    readPoint: 'https://id.gs1.org/414/9506000000017',
    bizLocation: 'https://id.gs1.org/414/9506000000024',
    errorDeclared: false,
    captureId: null,
    document: JSON.stringify({ type: 'ObjectEvent', name, note: 'ünïcödé ✓ "q" \\' }),
    identifiers: [{ role: 'epc', identifier: dl(name) }],
    ...overrides,
  };
}

/** The row an inserted event reads back as. */
function stored(id: number, event: NewEpcisEvent): EpcisEventRow {
  const { identifiers: _identifiers, ...row } = event;
  return { ...row, id };
}

for (const factory of ENGINES) {
  describe(`Store contract, EPCIS events: ${factory.name}`, () => {
    const { h, write, read } = useStore(factory);

    /** The names (eventID without its prefix) a query selects, in its order. */
    const names = async (filter: Partial<EpcisEventFilter>) =>
      (await read((tx) => tx.epcis.find({ companyId: 1, orderBy: 'eventTime', direction: 'asc', limit: 100, ...filter }))).map((e) => e.eventId.slice('urn:uuid:'.length));

    describe('events', () => {
      it('inserts events in order, answers their ids in order, and reads them back whole, nulls and flags too', async () => {
        const capture = await write((tx) => tx.epcis.createCapture(1, 'rollback', 3, STAMP));
        const events = [
          epcisEvent('b', 2, { captureId: capture.id, errorDeclared: true }),
          epcisEvent('a', 1, { action: null, bizStep: null, disposition: null, readPoint: null, bizLocation: null, type: 'TransformationEvent', identifiers: [] }),
          epcisEvent('c', 3, { eventTimeZoneOffset: '-05:30', identifiers: [{ role: 'parent', identifier: SSCC }, { role: 'child', identifier: dl('c') }] }),
        ];
        const ids = await write((tx) => tx.epcis.insertEvents(events));
        expect(ids).toHaveLength(3);
        expect([...ids].sort((x, y) => x - y)).toEqual(ids);
        expect(new Set(ids).size).toBe(3);
        expect(await write((tx) => tx.epcis.insertEvents([]))).toEqual([]);

        const found = await read((tx) => tx.epcis.findByEventIds(1, ['urn:uuid:c', 'urn:uuid:a', 'urn:uuid:b']));
        expect(found).toEqual(events.map((e, i) => stored(must(ids[i]), e)));
        expect(found[0]!.errorDeclared).toBe(true);
        expect(found[1]!.errorDeclared).toBe(false);
        const byHash = await read((tx) => tx.epcis.findByHashes(1, [events[1]!.eventHash]));
        expect(byHash).toEqual([stored(must(ids[1]), must(events[1]))]);
      });

      it('refuses an eventID the company holds already, keeping nothing of that write, and allows it in another company', async () => {
        await h.addCompany(2, 'second');
        const [first] = await write((tx) => tx.epcis.insertEvents([epcisEvent('one', 1)]));
        await expect(write((tx) => tx.epcis.insertEvents([epcisEvent('two', 2), epcisEvent('one', 3, { eventHash: 'other' })]))).rejects.toThrow();
        // Twice in one batch is refused as well.
        await expect(write((tx) => tx.epcis.insertEvents([epcisEvent('three', 2), epcisEvent('three', 3)]))).rejects.toThrow();
        expect(await names({})).toEqual(['one']);
        expect(await names({ identifiers: [{ roles: ['epc'], values: [dl('two'), dl('three')] }] })).toEqual([]);

        const [theirs] = await write((tx) => tx.epcis.insertEvents([epcisEvent('one', 4, { companyId: 2 })]));
        expect(theirs).not.toBe(first);
        expect((await read((tx) => tx.epcis.findByEventIds(2, ['urn:uuid:one']))).map((e) => [e.id, e.companyId])).toEqual([[theirs, 2]]);
      });

      it('refuses an event of a company that does not exist', async () => {
        await expect(write((tx) => tx.epcis.insertEvents([epcisEvent('ghost', 1, { companyId: 77 })]))).rejects.toThrow();
        await expect(write((tx) => tx.epcis.insertEvents([epcisEvent('orphan', 1, { captureId: 987_654 })]))).rejects.toThrow();
        expect(await names({})).toEqual([]);
      });

      it('finds events by eventID and by hash within the company only, ignoring unknown ones', async () => {
        await h.addCompany(2, 'second');
        const [mine] = await write((tx) => tx.epcis.insertEvents([epcisEvent('shared', 1, { eventHash: 'hash-1' }), epcisEvent('only-mine', 2, { eventHash: 'hash-2' })]));
        const [theirs] = await write((tx) => tx.epcis.insertEvents([epcisEvent('shared', 3, { companyId: 2, eventHash: 'hash-1' })]));
        await read(async (tx) => {
          expect((await tx.epcis.findByEventIds(1, ['urn:uuid:shared', 'urn:uuid:unknown'])).map((e) => e.id)).toEqual([mine]);
          expect((await tx.epcis.findByEventIds(2, ['urn:uuid:shared', 'urn:uuid:only-mine'])).map((e) => e.id)).toEqual([theirs]);
          expect(await tx.epcis.findByEventIds(1, [])).toEqual([]);
          expect(await tx.epcis.findByEventIds(3, ['urn:uuid:shared'])).toEqual([]);
          expect((await tx.epcis.findByHashes(1, ['hash-1', 'hash-2'])).map((e) => e.eventId)).toEqual(['urn:uuid:shared', 'urn:uuid:only-mine']);
          expect((await tx.epcis.findByHashes(2, ['hash-1', 'hash-2'])).map((e) => e.id)).toEqual([theirs]);
          expect(await tx.epcis.findByHashes(1, [])).toEqual([]);
          expect(await tx.epcis.findByHashes(1, ['HASH-1'])).toEqual([]);
        });
      });

      it('a rolled-back write leaves no event and no identifier behind', async () => {
        const boom = new Error('boom');
        await expect(
          write(async (tx) => {
            await tx.epcis.insertEvents([epcisEvent('doomed', 1, { identifiers: [{ role: 'epc', identifier: dl('doomed') }, { role: 'class', identifier: CLASS }] })]);
            await pause(5);
            throw boom;
          }),
        ).rejects.toBe(boom);
        await read(async (tx) => {
          expect(await tx.epcis.findByEventIds(1, ['urn:uuid:doomed'])).toEqual([]);
          expect(await tx.epcis.find({ companyId: 1, orderBy: 'eventTime', direction: 'asc', limit: 10 })).toEqual([]);
        });
        // The eventID is free again, and the identifiers name the new event only.
        const [id] = await write((tx) => tx.epcis.insertEvents([epcisEvent('doomed', 2, { identifiers: [{ role: 'epc', identifier: dl('other') }] })]));
        expect(await names({ identifiers: [{ roles: ['epc'], values: [dl('doomed')] }] })).toEqual([]);
        expect(await names({ identifiers: [{ roles: ['class'], values: [CLASS] }] })).toEqual([]);
        expect((await read((tx) => tx.epcis.find({ companyId: 1, identifiers: [{ roles: ['epc'], values: [dl('other')] }], orderBy: 'eventTime', direction: 'asc', limit: 10 }))).map((e) => e.id)).toEqual([id]);
      });
    });

    describe('the standard query', () => {
      /** Six events of company 1 (and one of company 2) that differ in one field at a time. */
      async function sixEvents(): Promise<void> {
        await h.addCompany(2, 'second');
        await write((tx) =>
          tx.epcis.insertEvents([
            epcisEvent('e1', 1),
            epcisEvent('e2', 2, { type: 'AggregationEvent', action: 'ADD' }),
            epcisEvent('e3', 3, { bizStep: 'https://ref.gs1.org/cbv/BizStep-receiving', disposition: null }),
            epcisEvent('e4', 4, { readPoint: 'https://id.gs1.org/414/9506000000031', bizLocation: null, errorDeclared: true }),
            epcisEvent('e5', 5, { recordTime: at(50), disposition: 'https://ref.gs1.org/cbv/Disp-active' }),
            epcisEvent('e6', 6, { action: null, bizLocation: 'urn:example:loc:7' }),
            epcisEvent('e7', 7, { companyId: 2 }),
          ]),
        );
      }

      it('selects by each field, a list being alternatives, and by time ranges (from inclusive, before exclusive)', async () => {
        await sixEvents();
        expect(await names({})).toEqual(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
        expect(await names({ eventTypes: ['AggregationEvent', 'TransactionEvent'] })).toEqual(['e2']);
        expect(await names({ eventTypes: ['ObjectEvent'] })).toEqual(['e1', 'e3', 'e4', 'e5', 'e6']);
        expect(await names({ actions: ['ADD', 'DELETE'] })).toEqual(['e2']);
        expect(await names({ bizSteps: ['https://ref.gs1.org/cbv/BizStep-receiving'] })).toEqual(['e3']);
        expect(await names({ dispositions: ['https://ref.gs1.org/cbv/Disp-active', 'https://ref.gs1.org/cbv/Disp-in_transit'] })).toEqual(['e1', 'e2', 'e4', 'e5', 'e6']);
        expect(await names({ readPoints: ['https://id.gs1.org/414/9506000000031'] })).toEqual(['e4']);
        expect(await names({ bizLocations: ['urn:example:loc:7', 'https://id.gs1.org/414/9506000000024'] })).toEqual(['e1', 'e2', 'e3', 'e5', 'e6']);
        expect(await names({ eventIds: ['urn:uuid:e5', 'urn:uuid:e7', 'urn:uuid:e1'] })).toEqual(['e1', 'e5']);
        expect(await names({ errorDeclared: true })).toEqual(['e4']);
        expect(await names({ errorDeclared: false })).toEqual(['e1', 'e2', 'e3', 'e5', 'e6']);
        expect(await names({ eventTimeFrom: at(2), eventTimeBefore: at(5) })).toEqual(['e2', 'e3', 'e4']);
        expect(await names({ eventTimeFrom: at(6) })).toEqual(['e6']);
        expect(await names({ eventTimeBefore: at(1) })).toEqual([]);
        // e5 was recorded at 50, the others at 100 + their second.
        expect(await names({ recordTimeFrom: at(50), recordTimeBefore: at(103) })).toEqual(['e1', 'e2', 'e5']);
        expect(await names({ recordTimeFrom: at(104) })).toEqual(['e4', 'e6']);
        // Selections add up; an empty list selects nothing.
        expect(await names({ eventTypes: ['ObjectEvent'], dispositions: ['https://ref.gs1.org/cbv/Disp-in_transit'], eventTimeFrom: at(4) })).toEqual(['e4', 'e6']);
        expect(await names({ bizSteps: [] })).toEqual([]);
        expect(await names({ companyId: 2 })).toEqual(['e7']);
        expect(await names({ companyId: 3 })).toEqual([]);
      });

      it('matches identifiers in the roles asked for only: MATCH_epc is not MATCH_anyEPC, nor a class', async () => {
        await h.addCompany(2, 'second');
        const x = dl('X');
        await write((tx) =>
          tx.epcis.insertEvents([
            epcisEvent('commissioned', 1, { identifiers: [{ role: 'epc', identifier: x }, { role: 'epc', identifier: x }, { role: 'class', identifier: CLASS }] }),
            epcisEvent('packed', 2, { type: 'AggregationEvent', identifiers: [{ role: 'parent', identifier: SSCC }, { role: 'child', identifier: x }, { role: 'childClass', identifier: CLASS }] }),
            epcisEvent('shipped', 3, { identifiers: [{ role: 'epc', identifier: SSCC }] }),
            epcisEvent('transformed', 4, { type: 'TransformationEvent', identifiers: [{ role: 'input', identifier: x }, { role: 'outputClass', identifier: CLASS }] }),
            epcisEvent('of-another-company', 5, { companyId: 2, identifiers: [{ role: 'epc', identifier: x }] }),
          ]),
        );
        expect(await names({ identifiers: [{ roles: ['epc', 'child'], values: [x] }] })).toEqual(['commissioned', 'packed']);
        expect(await names({ identifiers: [{ roles: ANY_EPC, values: [x] }] })).toEqual(['commissioned', 'packed', 'transformed']);
        expect(await names({ identifiers: [{ roles: ['parent'], values: [SSCC] }] })).toEqual(['packed']);
        expect(await names({ identifiers: [{ roles: ['epc', 'child'], values: [SSCC] }] })).toEqual(['shipped']);
        expect(await names({ identifiers: [{ roles: ANY_EPC, values: [SSCC] }] })).toEqual(['packed', 'shipped']);
        expect(await names({ identifiers: [{ roles: ['input'], values: [x, SSCC] }] })).toEqual(['transformed']);
        // Any of the values, in any of the roles; an event that names one in several roles comes once.
        expect(await names({ identifiers: [{ roles: ANY_EPC, values: [x, SSCC, dl('unknown')] }] })).toEqual(['commissioned', 'packed', 'shipped', 'transformed']);
        expect(await names({ identifiers: [{ roles: ['class'], values: [CLASS] }] })).toEqual(['commissioned']);
        expect(await names({ identifiers: [{ roles: ['class', 'childClass', 'inputClass', 'outputClass'], values: [CLASS] }] })).toEqual(['commissioned', 'packed', 'transformed']);
        expect(await names({ identifiers: [{ roles: ANY_EPC, values: [CLASS] }] })).toEqual([]);
        expect(await names({ identifiers: [{ roles: ['epc'], values: [] }] })).toEqual([]);
        expect(await names({ companyId: 2, identifiers: [{ roles: ANY_EPC, values: [x] }] })).toEqual(['of-another-company']);
      });

      it('ANDs several identifier entries, and identifiers with the other selections', async () => {
        const [x, y] = [dl('X'), dl('Y')];
        await write((tx) =>
          tx.epcis.insertEvents([
            epcisEvent('x', 1, { identifiers: [{ role: 'epc', identifier: x }, { role: 'class', identifier: CLASS }] }),
            epcisEvent('y', 2, { identifiers: [{ role: 'epc', identifier: y }] }),
            epcisEvent('xy', 3, { identifiers: [{ role: 'epc', identifier: x }, { role: 'epc', identifier: y }] }),
            epcisEvent('y-in-sscc', 4, { type: 'AggregationEvent', identifiers: [{ role: 'parent', identifier: SSCC }, { role: 'child', identifier: y }, { role: 'childClass', identifier: CLASS }] }),
          ]),
        );
        expect(await names({ identifiers: [{ roles: ['epc'], values: [x] }, { roles: ['epc'], values: [y] }] })).toEqual(['xy']);
        expect(await names({ identifiers: [{ roles: ANY_EPC, values: [y] }, { roles: ['class', 'childClass'], values: [CLASS] }] })).toEqual(['y-in-sscc']);
        expect(await names({ identifiers: [{ roles: ['class', 'childClass'], values: [CLASS] }, { roles: ANY_EPC, values: [x] }] })).toEqual(['x']);
        expect(await names({ identifiers: [{ roles: ['class', 'childClass'], values: [CLASS] }, { roles: ['parent'], values: [SSCC] }] })).toEqual(['y-in-sscc']);
        expect(await names({ identifiers: [{ roles: ['epc'], values: [x] }, { roles: ['epc'], values: [dl('unknown')] }] })).toEqual([]);
        expect(await names({ identifiers: [{ roles: ANY_EPC, values: [y] }], eventTypes: ['ObjectEvent'], eventTimeFrom: at(3) })).toEqual(['xy']);
        expect(await names({ identifiers: [{ roles: ANY_EPC, values: [x, y] }], direction: 'desc', limit: 2 })).toEqual(['y-in-sscc', 'xy']);
      });

      it('pages by time then id in either direction, equal times in id order, in event or record time', async () => {
        // Three events share second 2 and two share second 5; record times run the other way.
        const seconds = [2, 5, 2, 1, 5, 2, 9];
        const events = seconds.map((s, i) => epcisEvent(`p${i}`, s, { recordTime: at(100 - s), identifiers: [{ role: 'epc', identifier: dl('P') }] }));
        const ids = await write((tx) => tx.epcis.insertEvents(events));
        const all = (await read((tx) => tx.epcis.findByEventIds(1, events.map((e) => e.eventId)))).map((e) => ({ id: e.id, eventTime: e.eventTime, recordTime: e.recordTime }));
        const sorted = (key: 'eventTime' | 'recordTime', direction: 'asc' | 'desc') =>
          [...all]
            .sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : a.id - b.id) * (direction === 'asc' ? 1 : -1))
            .map((e) => e.id);
        for (const orderBy of ['eventTime', 'recordTime'] as const) {
          for (const direction of ['asc', 'desc'] as const) {
            for (const identifiers of [undefined, [{ roles: ['epc'] as EpcisIdentifierRole[], values: [dl('P')] }]]) {
              const pages: number[][] = [];
              let after: EpcisEventFilter['after'];
              for (;;) {
                const page = await read((tx: StoreTransaction) => tx.epcis.find({ companyId: 1, orderBy, direction, limit: 2, identifiers, ...(after === undefined ? {} : { after }) }));
                if (page.length === 0) break;
                pages.push(page.map((e) => e.id));
                const last = page[page.length - 1]!;
                after = { time: orderBy === 'eventTime' ? last.eventTime : last.recordTime, id: last.id };
              }
              expect(pages.flat(), `${orderBy} ${direction}`).toEqual(sorted(orderBy, direction));
              expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 1]);
            }
          }
        }
        expect(new Set(ids).size).toBe(seconds.length);
      });

      it('matches a prefix (an EPC pattern) as a range of identifiers, alone or beside exact values, and a business transaction by its type', async () => {
        const other = 'https://id.gs1.org/01/09506000134369/21/1';
        const PO = 'bizTransaction https://ref.gs1.org/cbv/BTT-po' as const;
        const DESADV = 'bizTransaction https://ref.gs1.org/cbv/BTT-desadv' as const;
        const order = 'urn:epcglobal:cbv:bt:9506000000017:4711';
        await write((tx) =>
          tx.epcis.insertEvents([
            epcisEvent('a', 1, { identifiers: [{ role: 'epc', identifier: dl('A') }, { role: PO, identifier: order }] }),
            epcisEvent('b', 2, { identifiers: [{ role: 'child', identifier: dl('B') }, { role: DESADV, identifier: order }] }),
            epcisEvent('other-class', 3, { identifiers: [{ role: 'epc', identifier: other }] }),
            // The class itself is no instance of it: the prefix ends with `/21/`.
            epcisEvent('class', 4, { identifiers: [{ role: 'epc', identifier: CLASS }] }),
          ]),
        );
        const pattern = `${CLASS}/21/`;
        expect(await names({ identifiers: [{ roles: ['epc', 'child'], values: [], prefixes: [pattern] }] })).toEqual(['a', 'b']);
        expect(await names({ identifiers: [{ roles: ['epc'], values: [other], prefixes: [pattern] }] })).toEqual(['a', 'other-class']);
        expect(await names({ identifiers: [{ roles: ['epc'], values: [], prefixes: [pattern, 'https://id.gs1.org/01/09506000134369/'] }] })).toEqual(['a', 'other-class']);
        expect(await names({ identifiers: [{ roles: ['epc'], values: [], prefixes: ['https://id.gs1.org/01/9'] }] })).toEqual([]);
        expect(await names({ identifiers: [{ roles: [PO], values: [order] }] })).toEqual(['a']);
        expect(await names({ identifiers: [{ roles: [PO, DESADV], values: [order] }] })).toEqual(['a', 'b']);
        expect(await names({ identifiers: [{ roles: [PO], values: [order] }, { roles: ['child'], values: [dl('B')] }] })).toEqual([]);
      });

      it('lists the vocabulary and the instances the company’s events name, each once, a page at a time', async () => {
        await sixEvents();
        await write((tx) =>
          tx.epcis.insertEvents([
            epcisEvent('with-classes', 10, { identifiers: [{ role: 'parent', identifier: SSCC }, { role: 'class', identifier: CLASS }, { role: 'child', identifier: dl('e1') }] }),
          ]),
        );
        const vocabulary = (kind: 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation', after?: string, limit = 10, company = 1) => read((tx) => tx.epcis.vocabulary(company, kind, after, limit));
        expect(await vocabulary('bizStep')).toEqual(['https://ref.gs1.org/cbv/BizStep-receiving', 'https://ref.gs1.org/cbv/BizStep-shipping']);
        expect(await vocabulary('bizStep', undefined, 1)).toEqual(['https://ref.gs1.org/cbv/BizStep-receiving']);
        expect(await vocabulary('bizStep', 'https://ref.gs1.org/cbv/BizStep-receiving')).toEqual(['https://ref.gs1.org/cbv/BizStep-shipping']);
        expect(await vocabulary('disposition')).toEqual(['https://ref.gs1.org/cbv/Disp-active', 'https://ref.gs1.org/cbv/Disp-in_transit']);
        expect(await vocabulary('readPoint')).toEqual(['https://id.gs1.org/414/9506000000017', 'https://id.gs1.org/414/9506000000031']);
        expect(await vocabulary('bizLocation')).toEqual(['https://id.gs1.org/414/9506000000024', 'urn:example:loc:7']);
        expect(await vocabulary('bizStep', undefined, 10, 2)).toEqual(['https://ref.gs1.org/cbv/BizStep-shipping']);
        expect(await vocabulary('bizStep', undefined, 10, 3)).toEqual([]);

        const instances = (after?: string, limit = 20) => read((tx) => tx.epcis.instances(1, after, limit));
        const all = ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'].map(dl).concat(SSCC).sort();
        expect(await instances()).toEqual(all);
        expect(await instances(undefined, 3)).toEqual(all.slice(0, 3));
        expect(await instances(all[2], 3)).toEqual(all.slice(3, 6));
        expect(await instances(all[6])).toEqual([]);
      });

      it('stores and finds the identifiers of a large capture, beyond one statement’s worth', async () => {
        const events = Array.from({ length: 700 }, (_, n) =>
          epcisEvent(`big-${n}`, n, {
            identifiers: [
              { role: 'epc', identifier: dl(`big-${n}`) },
              { role: 'class', identifier: CLASS },
              ...(n % 3 === 0 ? [{ role: 'parent' as const, identifier: `${SSCC}-${Math.floor(n / 3)}` }] : []),
            ],
          }),
        );
        const ids = await write((tx) => tx.epcis.insertEvents(events));
        expect(ids).toHaveLength(700);
        const byClass = await read((tx) => tx.epcis.find({ companyId: 1, identifiers: [{ roles: ['class'], values: [CLASS] }], orderBy: 'eventTime', direction: 'desc', limit: 1000 }));
        expect(byClass.map((e) => e.id)).toEqual([...ids].reverse());
        for (const n of [0, 255, 256, 511, 699]) expect(await names({ identifiers: [{ roles: ANY_EPC, values: [dl(`big-${n}`)] }] })).toEqual([`big-${n}`]);
        expect(await names({ identifiers: [{ roles: ['parent'], values: [`${SSCC}-233`] }] })).toEqual(['big-699']);
      });
    });

    describe('aggregation', () => {
      const CASE = 'https://id.gs1.org/00/095060000000000024';
      const packed = (name: string, n: number, action: 'ADD' | 'OBSERVE' | 'DELETE', parent: string, children: readonly string[], overrides: Partial<NewEpcisEvent> = {}) =>
        epcisEvent(name, n, {
          type: 'AggregationEvent',
          action,
          identifiers: [{ role: 'parent', identifier: parent }, ...children.map((child) => ({ role: 'child' as const, identifier: child })), { role: 'childClass', identifier: CLASS }],
          ...overrides,
        });

      it('keeps what each aggregation event put into or took out of its parent, read by parent or by child, up to an instant', async () => {
        await h.addCompany(2, 'second');
        const ids = await write((tx) =>
          tx.epcis.insertEvents([
            packed('in-case', 1, 'ADD', CASE, [dl('1'), dl('2')]),
            packed('case-on-pallet', 2, 'ADD', SSCC, [CASE]),
            epcisEvent('not-aggregation', 3, { identifiers: [{ role: 'parent', identifier: SSCC }, { role: 'child', identifier: dl('9') }] }),
            packed('out-of-case', 4, 'DELETE', CASE, [dl('2')]),
            packed('case-emptied', 5, 'DELETE', CASE, []),
            packed('other-company', 6, 'ADD', CASE, [dl('3')], { companyId: 2 }),
          ]),
        );
        const rows = (by: 'parent' | 'child', identifiers: string[], until?: string) => read((tx) => tx.epcis.aggregations(1, by, identifiers, until));
        expect(await rows('parent', [CASE])).toEqual([
          { parent: CASE, child: dl('1'), action: 'ADD', eventTime: at(1), event: ids[0] },
          { parent: CASE, child: dl('2'), action: 'ADD', eventTime: at(1), event: ids[0] },
          { parent: CASE, child: dl('2'), action: 'DELETE', eventTime: at(4), event: ids[3] },
          { parent: CASE, child: null, action: 'DELETE', eventTime: at(5), event: ids[4] },
        ]);
        expect((await rows('parent', [CASE, SSCC], at(2))).map((r) => [r.parent, r.child])).toEqual([
          [CASE, dl('1')],
          [CASE, dl('2')],
          [SSCC, CASE],
        ]);
        expect((await rows('child', [dl('2'), CASE])).map((r) => [r.child, r.action])).toEqual([
          [dl('2'), 'ADD'],
          [CASE, 'ADD'],
          [dl('2'), 'DELETE'],
        ]);
        expect(await rows('child', [dl('9')])).toEqual([]);
        expect(await rows('parent', [])).toEqual([]);
        expect((await read((tx) => tx.epcis.aggregations(2, 'parent', [CASE]))).map((r) => r.child)).toEqual([dl('3')]);
      });

      it('tells an instance’s story: every event naming it in an instance role, with the role, declared ones marked', async () => {
        const ids = await write((tx) =>
          tx.epcis.insertEvents([
            epcisEvent('commissioned', 1, { identifiers: [{ role: 'epc', identifier: dl('1') }, { role: 'class', identifier: CLASS }] }),
            packed('packed', 3, 'ADD', CASE, [dl('1'), dl('2')]),
            epcisEvent('case-shipped', 4, { identifiers: [{ role: 'epc', identifier: CASE }] }),
            epcisEvent('wrong', 2, { identifiers: [{ role: 'epc', identifier: dl('1') }] }),
          ]),
        );
        await write((tx) => tx.epcis.insertEvents([epcisEvent('wrong', 2, { errorDeclared: true, identifiers: [{ role: 'epc', identifier: dl('1') }] })]));
        const story = await read((tx) => tx.epcis.history(1, [dl('1')]));
        expect(story.map((r) => [r.eventId.slice('urn:uuid:'.length), r.role, r.void, r.errorDeclared])).toEqual([
          ['commissioned', 'epc', false, false],
          ['wrong', 'epc', true, false],
          ['wrong', 'epc', true, true],
          ['packed', 'child', false, false],
        ]);
        expect(story[0]).toMatchObject({ id: ids[0], identifier: dl('1'), type: 'ObjectEvent', eventTime: at(1) });
        expect((await read((tx) => tx.epcis.history(1, [dl('1'), CASE], { until: at(3) }))).map((r) => [r.eventId.slice(9), r.identifier])).toEqual([
          ['commissioned', dl('1')],
          ['wrong', dl('1')],
          ['wrong', dl('1')],
          ['packed', CASE],
          ['packed', dl('1')],
        ]);
        expect(await read((tx) => tx.epcis.history(1, [CLASS]))).toEqual([]);
        expect(await read((tx) => tx.epcis.history(2, [dl('1')]))).toEqual([]);
        expect(await read((tx) => tx.epcis.history(1, [dl('1')], { limit: 1 }))).toHaveLength(1);
        await write((tx) => tx.epcis.holdIdentifiers(1, [dl('2'), dl('1'), dl('2')]));
      });

      it('leaves out what an event declared wrong said, and what a declaration repeats', async () => {
        await write((tx) => tx.epcis.insertEvents([packed('wrong', 1, 'ADD', CASE, [dl('1')]), packed('right', 2, 'ADD', CASE, [dl('2')])]));
        expect((await read((tx) => tx.epcis.aggregations(1, 'parent', [CASE]))).map((r) => r.child)).toEqual([dl('1'), dl('2')]);
        await write((tx) => tx.epcis.insertEvents([packed('wrong', 1, 'ADD', CASE, [dl('1')], { errorDeclared: true, recordTime: at(200) })]));
        expect((await read((tx) => tx.epcis.aggregations(1, 'parent', [CASE]))).map((r) => r.child)).toEqual([dl('2')]);
        expect(await read((tx) => tx.epcis.aggregations(1, 'child', [dl('1')]))).toEqual([]);
      });
    });

    describe('capture jobs', () => {
      it('creates a running capture, finishes it, and finds it within its company only', async () => {
        await h.addCompany(2, 'second');
        const capture = await write((tx) => tx.epcis.createCapture(1, 'proceed', 12, STAMP));
        expect(capture).toEqual({
          id: capture.id,
          companyId: 1,
          state: 'running',
          errorBehaviour: 'proceed',
          createdAt: AT,
          createdBy: 'alice',
          finishedAt: null,
          eventCount: 12,
          capturedCount: 0,
          errors: null,
        });
        expect(await read((tx) => tx.epcis.findCapture(1, capture.id))).toEqual(capture);
        const other = await write((tx) => tx.epcis.createCapture(2, 'rollback', 1, { at: at(1), actor: 'bob' }));
        expect(other.id).not.toBe(capture.id);

        const errors = JSON.stringify([{ type: 'ValidationException', title: 'no eventTime', eventIndex: 3 }]);
        await write((tx) => tx.epcis.finishCapture(capture.id, { state: 'failed', capturedCount: 11, errors, at: at(60) }));
        await write((tx) => tx.epcis.finishCapture(other.id, { state: 'success', capturedCount: 1, errors: null, at: at(61) }));
        await read(async (tx) => {
          expect(await tx.epcis.findCapture(1, capture.id)).toEqual({ ...capture, state: 'failed', capturedCount: 11, errors, finishedAt: at(60) });
          expect(await tx.epcis.findCapture(2, other.id)).toMatchObject({ companyId: 2, state: 'success', errorBehaviour: 'rollback', createdBy: 'bob', capturedCount: 1, errors: null, finishedAt: at(61) });
          expect(await tx.epcis.findCapture(2, capture.id)).toBeUndefined();
          expect(await tx.epcis.findCapture(1, other.id)).toBeUndefined();
          expect(await tx.epcis.findCapture(1, 987_654)).toBeUndefined();
        });
        // The events of a capture point at it.
        const [id] = await write((tx) => tx.epcis.insertEvents([epcisEvent('captured', 1, { captureId: capture.id })]));
        expect((await read((tx) => tx.epcis.findByEventIds(1, ['urn:uuid:captured']))).map((e) => [e.id, e.captureId])).toEqual([[id, capture.id]]);
      });
    });
  });
}
