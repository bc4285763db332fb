import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSerialtrace, type Caller, type Serialtrace } from '@serialtrace/service';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ENGINES } from './engines.js';
import { ManualClock, refused } from './harness.js';

const caller: Caller = { companyId: 1, actor: 'partner:acme', station: 'DOCK-2' };
const FIXTURES = fileURLToPath(new URL('../../epcis/test/fixtures/', import.meta.url));
const CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';

const shipping = (serial: string, extra: Record<string, unknown> = {}) => ({
  type: 'ObjectEvent',
  eventTime: '2025-06-15T08:30:00.000+02:00',
  eventTimeZoneOffset: '+02:00',
  epcList: [`urn:epc:id:sgtin:4012345.011111.${serial}`],
  action: 'OBSERVE',
  bizStep: 'shipping',
  disposition: 'in_transit',
  readPoint: { id: 'urn:epc:id:sgln:4012345.00001.0' },
  ...extra,
});

const documentOf = (...events: object[]) => ({
  '@context': [CONTEXT],
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: '2025-06-15T08:31:00.000+02:00',
  epcisBody: { eventList: events },
});

for (const engine of ENGINES) {
  describe(`EPCIS capture (${engine.name})`, () => {
    let app: Serialtrace;
    let cleanup: () => Promise<void>;
    beforeEach(() => {
      const opened = engine.open();
      cleanup = opened.cleanup;
      app = createSerialtrace({ store: opened.stores(), clock: new ManualClock('2025-06-15T10:00:00Z'), defaultTimeZone: 'UTC' });
    });
    afterEach(async () => {
      await cleanup();
    });

    const storedEvents = () =>
      app.store.read((tx) => tx.epcis.find({ companyId: 1, orderBy: 'eventTime', direction: 'asc', limit: 1000 }));

    it('stores a document\'s events in one normal form, identified by their hash, with one audited capture', async () => {
      const job = await app.epcis.capture(caller, documentOf(shipping('1'), shipping('2')));
      expect(job).toMatchObject({ running: false, success: true, captureErrorBehaviour: 'rollback', eventCount: 2, capturedCount: 2, errors: [] });
      expect(await app.epcis.findCapture(caller, job.captureID)).toEqual(job);

      const events = await storedEvents();
      expect(events).toHaveLength(2);
      expect(events[0]).toMatchObject({
        type: 'ObjectEvent',
        eventTime: '2025-06-15T06:30:00.000Z',
        eventTimeZoneOffset: '+02:00',
        recordTime: '2025-06-15T10:00:00.000Z',
        bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping',
        disposition: 'https://ref.gs1.org/cbv/Disp-in_transit',
        readPoint: 'https://id.gs1.org/414/4012345000016',
        captureId: Number(job.captureID),
        errorDeclared: false,
      });
      expect(events[0]!.eventId).toMatch(/^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
      expect(events[0]!.eventId).toBe(events[0]!.eventHash);
      expect(JSON.parse(events[0]!.document)).toMatchObject({ eventID: events[0]!.eventId, recordTime: '2025-06-15T10:00:00.000Z', bizStep: 'shipping' });

      // Either notation of an EPC finds the same event.
      const byDigitalLink = await app.store.read((tx) =>
        tx.epcis.find({ companyId: 1, identifiers: [{ roles: ['epc'], values: ['https://id.gs1.org/01/04012345111118/21/2'] }], orderBy: 'eventTime', direction: 'asc', limit: 10 }),
      );
      expect(byDigitalLink.map((e) => e.id)).toEqual([events[1]!.id]);

      await app.store.sealJournal();
      const audit = await app.audit.list(caller, { entityType: 'epcis_capture' });
      expect(audit.entries.map((e) => [e.action, e.entityId, e.data])).toEqual([
        ['epcis_capture.finished', job.captureID, { events: 2, captured: 2, errorBehaviour: 'rollback' }],
      ]);
    });

    it('refuses a document with an invalid event whole by default, naming the event and the field, and stores nothing', async () => {
      const bad = { ...shipping('2'), eventTimeZoneOffset: '+05:00' };
      const error = await refused(app.epcis.capture(caller, documentOf(shipping('1'), bad)), 'EPCIS_EVENT_INVALID');
      expect(error.problems).toEqual([
        expect.objectContaining({ code: 'EPCIS_EVENT_INVALID', field: '/epcisBody/eventList/1/eventTimeZoneOffset', details: expect.objectContaining({ event: 1, rule: 'timezone' }) }),
      ]);
      expect(await storedEvents()).toEqual([]);
    });

    it('with proceed, stores the good events and lists the refused ones in the job', async () => {
      const bad = { ...shipping('2'), type: 'TransformationEvent' };
      const job = await app.epcis.capture(caller, documentOf(shipping('1'), bad, shipping('3')), { errorBehaviour: 'proceed' });
      expect(job).toMatchObject({ running: false, success: false, captureErrorBehaviour: 'proceed', eventCount: 3, capturedCount: 2 });
      expect(job.errors.length).toBeGreaterThan(0);
      expect(job.errors.every((p) => p.details?.['event'] === 1)).toBe(true);
      expect(await storedEvents()).toHaveLength(2);
    });

    it('refuses the same event captured twice (409), in the same document or later, whatever its notation, and stores nothing twice', async () => {
      await app.epcis.capture(caller, documentOf(shipping('1')));
      // The same event with its EPC as a Digital Link has the same hash.
      const again = shipping('1', { epcList: ['https://id.gs1.org/01/04012345111118/21/1'] });
      const later = await refused(app.epcis.capture(caller, documentOf(shipping('9'), again)), 'EPCIS_EVENT_DUPLICATE');
      expect(later.problems).toEqual([expect.objectContaining({ code: 'EPCIS_EVENT_DUPLICATE', details: expect.objectContaining({ event: 1 }) })]);
      await refused(app.epcis.capture(caller, documentOf(shipping('7'), shipping('7'))), 'EPCIS_EVENT_DUPLICATE');
      await refused(app.epcis.capture(caller, documentOf(shipping('8', { eventID: 'urn:uuid:1' }), shipping('6', { eventID: 'urn:uuid:1' }))), 'EPCIS_EVENT_DUPLICATE');
      expect(await storedEvents()).toHaveLength(1);
    });

    it('refuses one of two concurrent captures of the same event as a duplicate, whichever commits second', async () => {
      const results = await Promise.allSettled([
        app.epcis.capture(caller, documentOf(shipping('1', { eventID: 'urn:uuid:race' }))),
        app.epcis.capture(caller, documentOf(shipping('1', { eventID: 'urn:uuid:race' }))),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(failure.reason).toMatchObject({ code: 'EPCIS_EVENT_DUPLICATE' });
      expect(await storedEvents()).toHaveLength(1);
    });

    it('accepts a correction of an event with an error declaration beside it, under its own eventID', async () => {
      await app.epcis.capture(caller, documentOf(shipping('1')));
      const correction = shipping('1', { eventID: 'urn:uuid:correction-1', errorDeclaration: { declarationTime: '2025-06-15T09:00:00Z', reason: 'incorrect_data' } });
      const job = await app.epcis.capture(caller, documentOf(correction));
      expect(job.success).toBe(true);
      const events = await storedEvents();
      expect(events.map((e) => e.errorDeclared)).toEqual([false, true]);
      expect(events[0]!.eventHash).toBe(events[1]!.eventHash);
    });

    it('accepts the error declaration of an event under the eventID of the event it declares wrong, once, as the standard writes it', async () => {
      await app.epcis.capture(caller, documentOf(shipping('1', { eventID: 'urn:uuid:shipped-1' })));
      const declaration = shipping('1', { eventID: 'urn:uuid:shipped-1', errorDeclaration: { declarationTime: '2025-06-15T09:00:00Z', reason: 'incorrect_data', correctiveEventIDs: ['urn:uuid:shipped-2'] } });
      const corrective = shipping('2', { eventID: 'urn:uuid:shipped-2' });
      expect((await app.epcis.capture(caller, documentOf(declaration, corrective))).success).toBe(true);
      expect((await storedEvents()).map((e) => [e.eventId, e.errorDeclared])).toEqual([
        ['urn:uuid:shipped-1', false],
        ['urn:uuid:shipped-1', true],
        ['urn:uuid:shipped-2', false],
      ]);
      // The event's id answers both: what was captured, and that it was declared wrong.
      const document = (await app.epcis.event(caller, 'urn:uuid:shipped-1')) as any;
      expect(document.epcisBody.queryResults.resultsBody.eventList.map((e: any) => e.errorDeclaration?.reason ?? null)).toEqual([null, 'incorrect_data']);
      // A second declaration, or the event again, is a duplicate.
      await refused(app.epcis.capture(caller, documentOf(declaration)), 'EPCIS_EVENT_DUPLICATE');
      await refused(app.epcis.capture(caller, documentOf(shipping('3', { eventID: 'urn:uuid:shipped-1' }))), 'EPCIS_EVENT_DUPLICATE');
      expect(await storedEvents()).toHaveLength(3);
    });

    it('captures a single event and answers its id', async () => {
      const { eventID, capture } = await app.epcis.captureEvent(caller, { '@context': [CONTEXT], ...shipping('5', { eventID: 'urn:uuid:5' }) });
      expect(eventID).toBe('urn:uuid:5');
      expect(capture.capturedCount).toBe(1);
      await refused(app.epcis.captureEvent(caller, documentOf(shipping('4'))), 'EPCIS_DOCUMENT_INVALID');
    });

    it('answers one event by its id in an EPCISQueryDocument, to its company only', async () => {
      const { eventID } = await app.epcis.captureEvent(caller, { '@context': [CONTEXT, { example: 'https://ns.example.com/epcis/' }], ...shipping('5', { 'example:pallet': 'P-1' }) });
      const document = await app.epcis.event(caller, eventID);
      expect(document).toMatchObject({ type: 'EPCISQueryDocument', creationDate: '2025-06-15T10:00:00.000Z' });
      const events = (document as any).epcisBody.queryResults.resultsBody.eventList;
      expect(events).toEqual([expect.objectContaining({ eventID, 'example:pallet': 'P-1', '@context': [CONTEXT, { example: 'https://ns.example.com/epcis/' }] })]);
      await refused(app.epcis.event({ ...caller, companyId: 2 }, eventID), 'EPCIS_EVENT_NOT_FOUND');
    });

    it('keeps capture jobs to their company', async () => {
      const job = await app.epcis.capture(caller, documentOf(shipping('1')));
      await refused(app.epcis.findCapture({ ...caller, companyId: 2 }, job.captureID), 'EPCIS_CAPTURE_NOT_FOUND');
      await refused(app.epcis.findCapture(caller, 'nope'), 'EPCIS_CAPTURE_NOT_FOUND');
    });

    it('accepts every GS1 example document', async () => {
      const dir = `${FIXTURES}epcis/`;
      const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.jsonld') && !f.includes('EPCISQueryDocument')).sort();
      expect(files.length).toBeGreaterThan(40);
      let stored = 0;
      for (const file of files) {
        const document = JSON.parse(readFileSync(dir + file, 'utf8'));
        // Several examples show the same event; each company of this loop is a fresh repository.
        const job = await app.epcis.capture(caller, document, { errorBehaviour: 'proceed' });
        const duplicatesOnly = job.errors.every((p) => p.code === 'EPCIS_EVENT_DUPLICATE');
        expect(duplicatesOnly, `${file}: ${JSON.stringify(job.errors)}`).toBe(true);
        stored += job.capturedCount;
      }
      expect((await storedEvents()).length).toBe(stored);
    });
  });
}
