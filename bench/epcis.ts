/**
 * The EPCIS repository against the issue's targets, on SQLite and, when it answers, PostgreSQL.
 *
 * 1. Capture: EPCISDocuments of 100 events (90 ObjectEvents commissioning one SGTIN each, with a
 *    read point, a business location and ILMD lot and expiry; one commissioning the document's 9
 *    SSCCs; 9 AggregationEvents packing 10 units into each case) through `app.epcis.capture`, by
 *    one client and by 4 at once, against a bare insert of the same rows (each event, its
 *    identifiers, aggregation and vocabulary rows, as the store would write them) into a second,
 *    identical table set made by the store's own migrations, one transaction per document with
 *    the same durability (WAL and synchronous=FULL on SQLite; a plain COMMIT on PostgreSQL).
 *    Target on SQLite: at least 10,000 events/s and 40% of bare.
 * 2. Query: N events (`--events`; 1,000,000 by default, 100,000 with --quick; the issue's target
 *    is at 10,000,000) written through the store in batches of 1,000, rows built as the service
 *    builds them (see {@link derivedRows}: the event hash is the one shortcut); then
 *    `MATCH_anyEPC` of a random known EPC through `app.epcis.events` and `/epcs/{epc}/events`
 *    through `app.epcis.memberEvents`, 2,000 of each. Target: p99 under 20 ms. A rare business
 *    step (`EQ_bizStep`, no index, 1 event in 10,000) with perPage 30, as information.
 *    PostgreSQL's tables are analysed after the fill (and the capture's after its warm-up), as
 *    autovacuum would have by then.
 * 3. Aggregation, in the same repository: pallets of 40 cases of 10 units (commissioned by a
 *    capture first) packed with `app.aggregation.pack`, a request per case and then the pallet,
 *    and one pallet with `packMany`; then `contents` of a random pallet and `parents` of a random
 *    unit, 1,000 of each. Target: p99 under 5 ms. The time of one pack request (a case of 10) as
 *    information.
 *
 * Each series of timed lookups stops after 30 s (--quick) or 120 s with the calls it made.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeKey } from '@serialtrace/core';
import { canonicalIdentifier, cbvUri, eventNormalForm, validateEpcisDocument } from '@serialtrace/epcis';
import { createSerialtrace, systemClock, type Caller, type Serialtrace } from '@serialtrace/service';
import { DEFAULT_POOL_SIZE, PgStore, SqliteStore, type NewEpcisEvent, type Store, type StoreTransaction } from '@serialtrace/store';
import Database from 'better-sqlite3';
import pg from 'pg';
import { percentile } from './stats.js';

const caller: Caller = { companyId: 1, actor: 'bench', station: 'BENCH-1' };
const PG_URL = process.env['SERIALTRACE_BENCH_DATABASE_URL'] ?? 'postgres://root@127.0.0.1:5432/test';
const CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

/** The issue's targets. */
const CAPTURE_EVENTS_PER_SECOND = 10_000;
const CAPTURE_TO_BARE = 0.4;
const QUERY_P99_MS = 20;
const AGGREGATION_P99_MS = 5;

const EVENTS_PER_DOCUMENT = 100;
const UNITS_PER_CASE = 10;
const CASES_PER_DOCUMENT = 9;
const UNITS_PER_DOCUMENT = UNITS_PER_CASE * CASES_PER_DOCUMENT;
const FILL_BATCH = 1_000;
const CAPTURE_CLIENTS = 4;
/** One document in this many has its SSCC event replaced by an inspection: 1 event in 10,000. */
const RARE_EVERY = 100;
const RARE_STEP = 'inspecting';
const CASES_PER_PALLET = 40;

// The units of captured and filled documents, and the units, cases and pallets packed in part 3.
const GTIN = completeKey('1061414107346');
const PACKED_GTIN = completeKey('1061414107347');
const unitLink = (n: number, gtin = GTIN) => `https://id.gs1.org/01/${gtin}/21/${n}`;
const ssccLink = (n: number) => `https://id.gs1.org/00/${completeKey(`00614141${String(n).padStart(9, '0')}`, 'SSCC')}`;
/** SSCC serial references of part 3, above any a document uses. */
const PACKED_SSCC_BASE = 900_000_000;
const READ_POINTS = ['urn:epc:id:sgln:0614141.00777.0', 'urn:epc:id:sgln:0614141.00778.0', 'urn:epc:id:sgln:0614141.00779.0'];
const BIZ_LOCATION = 'urn:epc:id:sgln:0614141.00888.0';
const FIRST_EVENT_MS = Date.parse('2024-01-01T00:00:00Z');

type Doc = { readonly '@context': readonly string[]; readonly type: 'EPCISDocument'; readonly schemaVersion: '2.0'; readonly creationDate: string; readonly epcisBody: { readonly eventList: Record<string, unknown>[] } };

function documentOf(events: Record<string, unknown>[], creationMs: number): Doc {
  return { '@context': [CONTEXT], type: 'EPCISDocument', schemaVersion: '2.0', creationDate: new Date(creationMs).toISOString(), epcisBody: { eventList: events } };
}

/**
 * Document `k` of a run: units k*90 .. k*90+89 commissioned one event each, cases k*9 .. k*9+8
 * commissioned together, then packed 10 units each; event times one second apart, in 2024.
 */
function packingDocument(k: number): Doc {
  const time = (i: number) => new Date(FIRST_EVENT_MS + (k * EVENTS_PER_DOCUMENT + i) * 1000).toISOString();
  const readPoint = { id: READ_POINTS[k % READ_POINTS.length]! };
  const bizLocation = { id: BIZ_LOCATION };
  const events: Record<string, unknown>[] = [];
  for (let u = 0; u < UNITS_PER_DOCUMENT; u++) {
    events.push({
      type: 'ObjectEvent',
      eventTime: time(events.length),
      eventTimeZoneOffset: '+00:00',
      epcList: [unitLink(k * UNITS_PER_DOCUMENT + u)],
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      readPoint,
      bizLocation,
      ilmd: { 'cbvmda:lotNumber': `LOT-${Math.floor(k / 10)}`, 'cbvmda:itemExpirationDate': '2027-12-31' },
    });
  }
  const cases = Array.from({ length: CASES_PER_DOCUMENT }, (_, c) => ssccLink(k * CASES_PER_DOCUMENT + c));
  events.push(
    k % RARE_EVERY === RARE_EVERY - 1
      ? { type: 'ObjectEvent', eventTime: time(events.length), eventTimeZoneOffset: '+00:00', epcList: cases, action: 'OBSERVE', bizStep: RARE_STEP, disposition: 'active', readPoint, bizLocation }
      : { type: 'ObjectEvent', eventTime: time(events.length), eventTimeZoneOffset: '+00:00', epcList: cases, action: 'ADD', bizStep: 'commissioning', disposition: 'active', readPoint, bizLocation },
  );
  for (let c = 0; c < CASES_PER_DOCUMENT; c++) {
    events.push({
      type: 'AggregationEvent',
      eventTime: time(events.length),
      eventTimeZoneOffset: '+00:00',
      parentID: cases[c],
      childEPCs: Array.from({ length: UNITS_PER_CASE }, (_, u) => unitLink(k * UNITS_PER_DOCUMENT + c * UNITS_PER_CASE + u)),
      action: 'ADD',
      bizStep: 'packing',
      disposition: 'in_progress',
      readPoint,
      bizLocation,
    });
  }
  return documentOf(events, FIRST_EVENT_MS + (k + 1) * EVENTS_PER_DOCUMENT * 1000);
}

/** A document's events as the service stores them (its `storedEvent`), without a capture job. */
function storedRows(document: Doc, recordTime: string): NewEpcisEvent[] {
  const context = document['@context'];
  return document.epcisBody.eventList.map((event) => {
    const normal = eventNormalForm(event, context);
    return {
      companyId: caller.companyId,
      eventId: normal.eventId,
      eventHash: normal.eventHash,
      type: normal.type,
      eventTime: normal.eventTime,
      eventTimeZoneOffset: normal.eventTimeZoneOffset,
      recordTime,
      action: normal.action,
      bizStep: normal.bizStep,
      disposition: normal.disposition,
      readPoint: normal.readPoint,
      bizLocation: normal.bizLocation,
      errorDeclared: normal.errorDeclared,
      captureId: null,
      document: JSON.stringify({ '@context': context, ...event, eventID: normal.eventId, recordTime }),
      identifiers: normal.identifiers,
    };
  });
}

const memo = new Map<string, string>();
const once = (key: string, make: () => string) => memo.get(key) ?? (memo.set(key, make()), memo.get(key)!);

/**
 * The rows of {@link storedRows} at a fraction of the cost, for filling the repository: the
 * identifiers are Digital Links already in canonical form, and the locations and vocabulary are
 * normalised once. Only the event hash differs: a SHA-256 of the event's JSON in the hash's form,
 * not the CBV 2.0 hash (whose GS1 parsing costs most of a capture's CPU); no query reads it.
 * {@link checkDerived} holds these rows against the exact ones.
 */
function derivedRows(document: Doc, recordTime: string): NewEpcisEvent[] {
  const context = document['@context'];
  return document.epcisBody.eventList.map((event) => {
    const body = { '@context': context, ...event };
    const eventId = `ni:///sha-256;${createHash('sha256').update(JSON.stringify(body)).digest('hex')}?ver=CBV2.0`;
    const identifiers: NewEpcisEvent['identifiers'][number][] = [];
    if (typeof event['parentID'] === 'string') identifiers.push({ role: 'parent', identifier: event['parentID'] });
    for (const epc of (event['epcList'] ?? []) as string[]) identifiers.push({ role: 'epc', identifier: epc });
    for (const epc of (event['childEPCs'] ?? []) as string[]) identifiers.push({ role: 'child', identifier: epc });
    const location = (value: unknown) => once(`location ${(value as { id: string }).id}`, () => canonicalIdentifier((value as { id: string }).id));
    return {
      companyId: caller.companyId,
      eventId,
      eventHash: eventId,
      type: event['type'] as string,
      eventTime: event['eventTime'] as string,
      eventTimeZoneOffset: event['eventTimeZoneOffset'] as string,
      recordTime,
      action: event['action'] as string,
      bizStep: once(`bizStep ${event['bizStep'] as string}`, () => cbvUri('bizStep', event['bizStep'] as string)),
      disposition: once(`disposition ${event['disposition'] as string}`, () => cbvUri('disposition', event['disposition'] as string)),
      readPoint: location(event['readPoint']),
      bizLocation: location(event['bizLocation']),
      errorDeclared: false,
      captureId: null,
      document: JSON.stringify({ ...body, eventID: eventId, recordTime }),
      identifiers,
    };
  });
}

/** Throws when the derived rows of a document differ from the exact ones in more than the event hash. */
function checkDerived(document: Doc): void {
  const recordTime = new Date().toISOString();
  const exact = storedRows(document, recordTime);
  const derived = derivedRows(document, recordTime);
  const comparable = (row: NewEpcisEvent) => ({ ...row, eventId: '', eventHash: '', document: row.document.replace(row.eventId, '') });
  for (const [i, row] of exact.entries()) {
    const [a, b] = [JSON.stringify(comparable(row)), JSON.stringify(comparable(derived[i]!))];
    if (a !== b) throw new Error(`the fill's rows differ from the service's for event ${i}: ${a} against ${b}`);
  }
}

/** The identifier, aggregation and vocabulary rows the store writes beside an event (`SqlEpcisStore.insertEvents`). */
function besides(event: NewEpcisEvent) {
  const seen = new Set<string>();
  const identifiers = event.identifiers.filter(({ role, identifier }) => {
    const key = `${role} ${identifier}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const aggregations: (string | null)[] = [];
  let parent: string | undefined;
  if (event.type === 'AggregationEvent' && !event.errorDeclared && event.action !== null) {
    parent = event.identifiers.find((x) => x.role === 'parent')?.identifier;
    const children = [...new Set(event.identifiers.filter((x) => x.role === 'child').map((x) => x.identifier))];
    if (parent !== undefined) aggregations.push(...(children.length === 0 ? [null] : children));
  }
  const vocabulary: (readonly [kind: string, value: string])[] = [];
  for (const [kind, value] of [
    ['bizStep', event.bizStep],
    ['disposition', event.disposition],
    ['readPoint', event.readPoint],
    ['bizLocation', event.bizLocation],
  ] as const) {
    if (value !== null) vocabulary.push([kind, value]);
  }
  return { identifiers, parent, aggregations, vocabulary };
}

const EVENT_COLUMNS =
  'company_id, event_id, event_hash, type, event_time, event_time_zone_offset, record_time, action, biz_step, disposition, read_point, biz_location, error_declared, capture_id, document';

const eventValues = (e: NewEpcisEvent) => [
  e.companyId,
  e.eventId,
  e.eventHash,
  e.type,
  e.eventTime,
  e.eventTimeZoneOffset,
  e.recordTime,
  e.action,
  e.bizStep,
  e.disposition,
  e.readPoint,
  e.bizLocation,
  e.errorDeclared,
  e.captureId,
  e.document,
];

/** The baseline's one operation: a document's rows in one durable transaction. */
interface BareEpcis {
  insert(rows: readonly NewEpcisEvent[]): unknown;
  close(): Promise<void>;
}

/**
 * The least storing a document's rows can cost on SQLite: prepared inserts in one BEGIN IMMEDIATE
 * transaction, WAL and synchronous=FULL, foreign keys on, as the product's connection has them,
 * into tables the store's migrations made (same columns, keys and indexes).
 */
class BareEpcisSqlite implements BareEpcis {
  readonly #db: Database.Database;
  readonly #event: Database.Statement;
  readonly #identifier: Database.Statement;
  readonly #aggregation: Database.Statement;
  readonly #vocabulary: Database.Statement;

  private constructor(path: string) {
    this.#db = new Database(path, { timeout: 30_000 });
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('foreign_keys = ON');
    this.#event = this.#db.prepare(`INSERT INTO epcis_events (${EVENT_COLUMNS}) VALUES (${EVENT_COLUMNS.split(',').map(() => '?').join(', ')})`);
    this.#identifier = this.#db.prepare('INSERT INTO epcis_event_identifiers (company_id, identifier, role, event) VALUES (?, ?, ?, ?)');
    this.#aggregation = this.#db.prepare('INSERT INTO epcis_aggregations (company_id, parent, child, action, event_time, event) VALUES (?, ?, ?, ?, ?, ?)');
    this.#vocabulary = this.#db.prepare('INSERT INTO epcis_vocabulary (company_id, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  }

  static async open(path: string): Promise<BareEpcisSqlite> {
    // The store's own migrations make the tables, then it lets go of the file.
    await SqliteStore.open({ path }).close();
    return new BareEpcisSqlite(path);
  }

  insert(rows: readonly NewEpcisEvent[]): void {
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      const vocabulary = new Set<string>();
      for (const e of rows) {
        const values = eventValues(e);
        values[12] = e.errorDeclared ? 1 : 0;
        const id = Number(this.#event.run(values).lastInsertRowid);
        const more = besides(e);
        for (const x of more.identifiers) this.#identifier.run(e.companyId, x.identifier, x.role, id);
        for (const child of more.aggregations) this.#aggregation.run(e.companyId, more.parent, child, e.action, e.eventTime, id);
        for (const [kind, value] of more.vocabulary) vocabulary.add(`${kind}\u0000${value}`);
      }
      for (const key of [...vocabulary].sort()) {
        const [kind, value] = key.split('\u0000');
        this.#vocabulary.run(caller.companyId, kind, value);
      }
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  close(): Promise<void> {
    this.#db.close();
    return Promise.resolve();
  }
}

/**
 * The least storing a document's rows can cost on PostgreSQL: one transaction on a pooled
 * connection, one statement per table (arrays unnested), into tables the store's migrations made
 * in a schema of their own (their statement-level reference checks included).
 */
class BareEpcisPostgres implements BareEpcis {
  readonly #pool: pg.Pool;

  private constructor(schema: string) {
    this.#pool = new pg.Pool({ connectionString: PG_URL, max: DEFAULT_POOL_SIZE, options: `-c search_path=${schema}` });
    this.#pool.on('error', () => undefined);
  }

  static async open(schema: string): Promise<BareEpcisPostgres> {
    const store = PgStore.open({ url: PG_URL, schema });
    try {
      await store.ping();
    } finally {
      await store.close();
    }
    return new BareEpcisPostgres(schema);
  }

  async insert(rows: readonly NewEpcisEvent[]): Promise<void> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      const columns = rows.map(eventValues);
      const arrays = columns[0]!.map((_, c) => columns.map((row) => row[c]));
      const types = ['bigint', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'boolean', 'bigint', 'text'];
      const inserted = await client.query<{ id: string; event_id: string }>({
        name: 'bare_epcis_events',
        text: `INSERT INTO epcis_events (${EVENT_COLUMNS}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) RETURNING id, event_id`,
        values: arrays,
      });
      const idOf = new Map(inserted.rows.map((r) => [r.event_id, Number(r.id)]));
      const identifiers: [string[], string[], number[]] = [[], [], []];
      const aggregations: [string[], (string | null)[], string[], string[], number[]] = [[], [], [], [], []];
      const vocabulary = new Set<string>();
      for (const e of rows) {
        const id = idOf.get(e.eventId)!;
        const more = besides(e);
        for (const x of more.identifiers) {
          identifiers[0].push(x.identifier);
          identifiers[1].push(x.role);
          identifiers[2].push(id);
        }
        for (const child of more.aggregations) {
          aggregations[0].push(more.parent!);
          aggregations[1].push(child);
          aggregations[2].push(e.action!);
          aggregations[3].push(e.eventTime);
          aggregations[4].push(id);
        }
        for (const [kind, value] of more.vocabulary) vocabulary.add(`${kind}\u0000${value}`);
      }
      await client.query({
        name: 'bare_epcis_identifiers',
        text: 'INSERT INTO epcis_event_identifiers (company_id, identifier, role, event) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[])',
        values: [caller.companyId, ...identifiers],
      });
      if (aggregations[0].length > 0) {
        await client.query({
          name: 'bare_epcis_aggregations',
          text: 'INSERT INTO epcis_aggregations (company_id, parent, child, action, event_time, event) SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])',
          values: [caller.companyId, ...aggregations],
        });
      }
      const kinds = [...vocabulary].sort().map((key) => key.split('\u0000'));
      await client.query({
        name: 'bare_epcis_vocabulary',
        text: 'INSERT INTO epcis_vocabulary (company_id, kind, value) SELECT $1, * FROM unnest($2::text[], $3::text[]) ON CONFLICT DO NOTHING',
        values: [caller.companyId, kinds.map((k) => k[0]), kinds.map((k) => k[1])],
      });
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

/** A store that counts the time its writes take, from the call to the answer (commit included). */
class TimedStore implements Store {
  writeMs = 0;
  constructor(private readonly inner: Store) {}
  get engine() {
    return this.inner.engine;
  }
  get groupsCommits() {
    return this.inner.groupsCommits;
  }
  get location() {
    return this.inner.location;
  }
  read<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.inner.read(work);
  }
  async write<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await this.inner.write(work);
    } finally {
      this.writeMs += performance.now() - t0;
    }
  }
  sealJournal() {
    return this.inner.sealJournal();
  }
  onJournalSealed(listener: () => void) {
    return this.inner.onJournalSealed(listener);
  }
  ping() {
    return this.inner.ping();
  }
  close() {
    return this.inner.close();
  }
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

export interface Latency {
  readonly calls: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function latencyOf(durations: readonly number[]): Latency {
  const sorted = [...durations].sort((a, b) => a - b);
  return { calls: sorted.length, p50Ms: round(percentile(sorted, 50), 2), p99Ms: round(percentile(sorted, 99), 2), maxMs: round(sorted.at(-1) ?? 0, 2) };
}

async function timed(durations: number[], work: () => unknown): Promise<void> {
  const t0 = performance.now();
  await work();
  durations.push(performance.now() - t0);
}

export interface CaptureSide {
  readonly eventsPerSecond: number;
  readonly documents: number;
  /** This process's CPU time per document (the database server's not counted). */
  readonly cpuMsPerDocument: number;
  /** Per document (one capture request, or one bare transaction). */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface CaptureCase {
  readonly clients: number;
  /** The service's time per document inside `store.write` (the transaction and its commit), the rest outside it. */
  readonly service: CaptureSide & { readonly storeWriteMsPerDocument: number };
  readonly bare: CaptureSide;
  readonly ratio: number;
}

export interface Target {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
  /** false: the issue sets it for another engine; shown as information. */
  readonly binding: boolean;
}

export interface EpcisEngineReport {
  readonly engine: string;
  readonly capture: { readonly sequential: CaptureCase; readonly concurrent: CaptureCase };
  readonly query: {
    /** Events in the repository (N, rounded up to whole documents). */
    readonly events: number;
    readonly fillSeconds: number;
    /** Of which inside `store.write`. */
    readonly fillWriteSeconds: number;
    readonly fillEventsPerSecond: number;
    readonly matchAnyEpc: Latency;
    readonly memberEvents: Latency;
    /** `EQ_bizStep` of a step 1 event in 10,000 has, perPage 30: how many the page held. */
    readonly rareBizStep: Latency & { readonly pageEvents: number };
  };
  readonly aggregation: {
    readonly repositoryEvents: number;
    readonly pallets: number;
    /** One `pack` request: a case of 10 units. */
    readonly packCase: Latency;
    /** One `pack` request: 40 cases onto a pallet. */
    readonly packPallet: Latency;
    /** One `packMany` request: 40 cases of 10 and the pallet that takes them. */
    readonly packMany: Latency;
    readonly contents: Latency;
    readonly parents: Latency;
  };
  /** Answers that were not what the data says (a wrong event count, a wrong total): must be 0. */
  readonly problems: number;
  readonly targets: readonly Target[];
}

export interface EpcisReport {
  readonly quick: boolean;
  readonly eventsAsked: number;
  /** Work per document outside the store, measured alone on the same documents. */
  readonly cpu: { readonly validateMsPerDocument: number; readonly normalFormMsPerDocument: number };
  readonly engines: readonly EpcisEngineReport[];
  readonly postgres?: string;
}

interface Options {
  readonly quick: boolean;
  readonly events: number;
}

/** Documents numbered from `next` on, handed out in order. */
class Documents {
  constructor(private next: number) {}
  take(count: number): Doc[] {
    const docs = Array.from({ length: count }, (_, i) => packingDocument(this.next + i));
    this.next += count;
    return docs;
  }
}

function checkJob(job: Awaited<ReturnType<Serialtrace['epcis']['capture']>>): void {
  if (!job.success || job.capturedCount !== EVENTS_PER_DOCUMENT) throw new Error(`a capture failed: ${JSON.stringify(job.errors.slice(0, 3))}`);
}

function captureSide(durations: readonly number[], busyMs: number, cpu: number): CaptureSide {
  const l = latencyOf(durations);
  return {
    eventsPerSecond: round((durations.length * EVENTS_PER_DOCUMENT) / (busyMs / 1000), 0),
    documents: durations.length,
    cpuMsPerDocument: round(cpu / durations.length, 2),
    p50Ms: l.p50Ms,
    p99Ms: l.p99Ms,
  };
}

/** Time, this process's CPU and store writes spent by one side of a case. */
interface Spent {
  readonly durations: number[];
  wallMs: number;
  cpuMs: number;
  storeMs: number;
}

const spent = (): Spent => ({ durations: [], wallMs: 0, cpuMs: 0, storeMs: 0 });

/** Runs `work` on behalf of `side`, adding its wall time, CPU time and store write time. */
async function charge(side: Spent, store: TimedStore | undefined, work: () => Promise<unknown>): Promise<void> {
  const [t0, c0, s0] = [performance.now(), cpuMs(), store?.writeMs ?? 0];
  await work();
  side.wallMs += performance.now() - t0;
  side.cpuMs += cpuMs() - c0;
  side.storeMs += (store?.writeMs ?? 0) - s0;
}

/**
 * Part 1: the same documents captured by the service and stored bare, in alternating slices, one
 * client, then 4 clients at once (SQLite's bare connection is synchronous: its 4 clients take turns).
 */
async function measureCapture(app: Serialtrace, store: TimedStore, bare: BareEpcis, documents: number, analyze: () => Promise<void>): Promise<EpcisEngineReport['capture']> {
  const docs = new Documents(0);
  const recordTime = () => new Date().toISOString();
  for (const doc of docs.take(5)) {
    checkJob(await app.epcis.capture(caller, doc));
    await bare.insert(storedRows(doc, recordTime()));
  }
  // A repository in use has statistics; on tables too fresh for autovacuum, PostgreSQL plans the
  // capture's duplicate checks (100 eventIDs, 100 hashes) as a walk over every event of the company.
  await analyze();
  const slice = 10;
  const seq = { service: spent(), bare: spent() };
  for (let s = 0; s * slice < documents; s++) {
    const batch = docs.take(slice);
    const rows = batch.map((doc) => storedRows(doc, recordTime()));
    const serviceFirst = s % 2 === 1;
    for (const side of serviceFirst ? ['service', 'bare'] : ['bare', 'service']) {
      for (const [i, doc] of batch.entries()) {
        if (side === 'service') await charge(seq.service, store, () => timed(seq.service.durations, async () => checkJob(await app.epcis.capture(caller, doc))));
        else await charge(seq.bare, undefined, () => timed(seq.bare.durations, () => bare.insert(rows[i]!)));
      }
    }
  }

  // 4 clients, each taking the next document of a round until none is left; wall time per round.
  const conc = { service: spent(), bare: spent() };
  const roundSize = CAPTURE_CLIENTS * 10;
  for (let r = 0; r * roundSize < documents; r++) {
    const batch = docs.take(roundSize);
    const rows = batch.map((doc) => storedRows(doc, recordTime()));
    const serviceFirst = r % 2 === 1;
    for (const side of serviceFirst ? ['service', 'bare'] : ['bare', 'service']) {
      let next = 0;
      const into = side === 'service' ? conc.service : conc.bare;
      await charge(into, side === 'service' ? store : undefined, () =>
        Promise.all(
          Array.from({ length: CAPTURE_CLIENTS }, async () => {
            for (let i = next++; i < batch.length; i = next++) {
              if (side === 'service') await timed(into.durations, async () => checkJob(await app.epcis.capture(caller, batch[i]!)));
              else await timed(into.durations, () => bare.insert(rows[i]!));
            }
          }),
        ),
      );
    }
  }
  const caseOf = (clients: number, sides: { service: Spent; bare: Spent }): CaptureCase => {
    const service = { ...captureSide(sides.service.durations, sides.service.wallMs, sides.service.cpuMs), storeWriteMsPerDocument: round(sides.service.storeMs / sides.service.durations.length, 2) };
    const bareSide = captureSide(sides.bare.durations, sides.bare.wallMs, sides.bare.cpuMs);
    return { clients, service, bare: bareSide, ratio: round(service.eventsPerSecond / bareSide.eventsPerSecond, 3) };
  };
  return { sequential: caseOf(1, seq), concurrent: caseOf(CAPTURE_CLIENTS, conc) };
}

/**
 * Part 2's repository: `documents` documents written through the store, a batch of 1,000 events
 * per transaction, their rows derived (see {@link derivedRows}); one document in 100 is built
 * exactly as the service builds it, and its derived rows checked against those.
 */
async function fill(store: Store, documents: number, engine: string): Promise<{ seconds: number; writeSeconds: number }> {
  const perBatch = FILL_BATCH / EVENTS_PER_DOCUMENT;
  const t0 = performance.now();
  let writeMs = 0;
  let reported = 0;
  for (let k = 0; k < documents; k += perBatch) {
    const recordTime = new Date().toISOString();
    const rows: NewEpcisEvent[] = [];
    for (let d = k; d < Math.min(documents, k + perBatch); d++) {
      const document = packingDocument(d);
      if (d % 100 === 0) {
        checkDerived(document);
        rows.push(...storedRows(document, recordTime));
      } else {
        rows.push(...derivedRows(document, recordTime));
      }
    }
    const w0 = performance.now();
    await store.write((tx) => tx.epcis.insertEvents(rows));
    writeMs += performance.now() - w0;
    const done = Math.min(documents, k + perBatch);
    if (documents >= 2_000 && done / documents >= reported + 0.1) {
      reported = Math.floor((done / documents) * 10) / 10;
      process.stderr.write(`  [epcis ${engine}] filled ${(done * EVENTS_PER_DOCUMENT).toLocaleString('en')} events (${Math.round((performance.now() - t0) / 1000)} s)\n`);
    }
  }
  return { seconds: (performance.now() - t0) / 1000, writeSeconds: writeMs / 1000 };
}

const eventListOf = (body: unknown) => (body as { epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } }).epcisBody.queryResults.resultsBody.eventList;

/** Part 2's queries: MATCH_anyEPC and /epcs/{epc}/events of random known units, then the rare step. */
async function measureQueries(app: Serialtrace, documents: number, queries: number, rareRepeats: number, budget: number, problems: { count: number }) {
  const randomUnit = () => unitLink(Math.floor(Math.random() * documents * UNITS_PER_DOCUMENT));
  // Each unit is named by two events: its commissioning and its case's packing.
  const expect = (body: unknown) => {
    if (eventListOf(body).length !== 2) problems.count += 1;
  };
  for (let i = 0; i < 100; i++) {
    expect((await app.epcis.events(caller, { MATCH_anyEPC: randomUnit() })).body);
    expect((await app.epcis.memberEvents(caller, 'epcs', randomUnit(), {})).body);
  }
  const match: number[] = [];
  const member: number[] = [];
  const until = performance.now() + budget;
  for (let i = 0; i < queries && performance.now() < until; i++) {
    const a = randomUnit();
    const b = randomUnit();
    await timed(match, async () => expect((await app.epcis.events(caller, { MATCH_anyEPC: a })).body));
    await timed(member, async () => expect((await app.epcis.memberEvents(caller, 'epcs', b, {})).body));
  }
  const rare: number[] = [];
  let pageEvents = 0;
  for (let i = 0; i < rareRepeats; i++) {
    await timed(rare, async () => {
      pageEvents = eventListOf((await app.epcis.events(caller, { EQ_bizStep: RARE_STEP, perPage: '30' })).body).length;
    });
  }
  const stored = Math.floor(documents / RARE_EVERY);
  if (pageEvents !== Math.min(30, stored)) problems.count += 1;
  return { matchAnyEpc: latencyOf(match), memberEvents: latencyOf(member), rareBizStep: { ...latencyOf(rare), pageEvents } };
}

/** Part 3: pallets packed in the repository of part 2, then contents and parents. */
async function measureAggregation(
  app: Serialtrace,
  pallets: number,
  lookups: number,
  budget: number,
  problems: { count: number },
): Promise<Omit<EpcisEngineReport['aggregation'], 'repositoryEvents'>> {
  const unitsPerPallet = CASES_PER_PALLET * UNITS_PER_CASE;
  const unit = (p: number, c: number, u: number) => unitLink((p * CASES_PER_PALLET + c) * UNITS_PER_CASE + u, PACKED_GTIN);
  const caseOf = (p: number, c: number) => ssccLink(PACKED_SSCC_BASE + p * (CASES_PER_PALLET + 1) + c);
  const palletOf = (p: number) => ssccLink(PACKED_SSCC_BASE + p * (CASES_PER_PALLET + 1) + CASES_PER_PALLET);
  // Their commissioning, captured first, so that each pack reads a real history.
  const now = Date.now() - 60_000;
  for (let p = 0; p < pallets; p++) {
    const commissioning = (epcList: string[], i: number) => ({
      type: 'ObjectEvent',
      eventTime: new Date(now + i).toISOString(),
      eventTimeZoneOffset: '+00:00',
      epcList,
      action: 'ADD',
      bizStep: 'commissioning',
      disposition: 'active',
      readPoint: { id: READ_POINTS[0] },
      bizLocation: { id: BIZ_LOCATION },
    });
    const units = Array.from({ length: unitsPerPallet }, (_, n) => unit(p, Math.floor(n / UNITS_PER_CASE), n % UNITS_PER_CASE));
    for (let d = 0; d * EVENTS_PER_DOCUMENT < units.length; d++) {
      const slice = units.slice(d * EVENTS_PER_DOCUMENT, (d + 1) * EVENTS_PER_DOCUMENT);
      checkJob(await app.epcis.capture(caller, documentOf(slice.map((u, i) => commissioning([u], i)), now)));
    }
    const containers = [...Array.from({ length: CASES_PER_PALLET }, (_, c) => caseOf(p, c)), palletOf(p)];
    await app.epcis.capture(caller, documentOf([commissioning(containers, 0)], now));
  }
  const packCase: number[] = [];
  const packPallet: number[] = [];
  const packMany: number[] = [];
  for (let p = 0; p < pallets; p++) {
    const requests = Array.from({ length: CASES_PER_PALLET }, (_, c) => ({ parent: caseOf(p, c), children: Array.from({ length: UNITS_PER_CASE }, (_, u) => unit(p, c, u)) }));
    const pallet = { parent: palletOf(p), children: requests.map((r) => r.parent) };
    // The last pallet in one request; the others a request per case, then the pallet.
    if (p === pallets - 1) {
      await timed(packMany, () => app.aggregation.packMany(caller, [...requests, pallet]));
    } else {
      for (const request of requests) await timed(packCase, () => app.aggregation.pack(caller, request));
      await timed(packPallet, () => app.aggregation.pack(caller, pallet));
    }
  }
  const randomPallet = () => Math.floor(Math.random() * pallets);
  const randomUnit = () => {
    const p = randomPallet();
    return { p, code: unit(p, Math.floor(Math.random() * CASES_PER_PALLET), Math.floor(Math.random() * UNITS_PER_CASE)) };
  };
  const contentsOnce = async (p: number) => {
    const view = await app.aggregation.contents(caller, palletOf(p));
    if (view.total !== CASES_PER_PALLET + unitsPerPallet) problems.count += 1;
  };
  const parentsOnce = async ({ p, code }: { p: number; code: string }) => {
    const view = await app.aggregation.parents(caller, code);
    if (view.parents.length !== 2 || view.parents[1] !== palletOf(p)) problems.count += 1;
  };
  for (let i = 0; i < 50; i++) {
    await contentsOnce(randomPallet());
    await parentsOnce(randomUnit());
  }
  const contents: number[] = [];
  const parents: number[] = [];
  const until = performance.now() + budget;
  for (let i = 0; i < lookups && performance.now() < until; i++) {
    const p = randomPallet();
    const u = randomUnit();
    await timed(contents, () => contentsOnce(p));
    await timed(parents, () => parentsOnce(u));
  }
  return {
    pallets,
    packCase: latencyOf(packCase),
    packPallet: latencyOf(packPallet),
    packMany: latencyOf(packMany),
    contents: latencyOf(contents),
    parents: latencyOf(parents),
  };
}

function targetsOf(engine: string, capture: EpcisEngineReport['capture'], query: EpcisEngineReport['query'], aggregation: EpcisEngineReport['aggregation']): Target[] {
  const sqlite = engine === 'sqlite';
  const targets: Target[] = [];
  for (const c of [capture.sequential, capture.concurrent]) {
    const who = c.clients === 1 ? 'one client' : `${c.clients} clients`;
    targets.push(
      { name: `capture, ${who}`, target: `>= ${CAPTURE_EVENTS_PER_SECOND.toLocaleString('en')} events/s`, measured: `${c.service.eventsPerSecond.toLocaleString('en')} events/s`, met: c.service.eventsPerSecond >= CAPTURE_EVENTS_PER_SECOND, binding: sqlite },
      { name: `capture against bare, ${who}`, target: `>= ${CAPTURE_TO_BARE * 100}% of bare`, measured: `${round(c.ratio * 100)}%`, met: c.ratio >= CAPTURE_TO_BARE, binding: sqlite },
    );
  }
  const p99 = (name: string, l: Latency, limit: number): Target => ({ name, target: `p99 < ${limit} ms`, measured: `p99 ${l.p99Ms} ms`, met: l.p99Ms < limit, binding: true });
  targets.push(
    p99(`MATCH_anyEPC over ${query.events.toLocaleString('en')} events`, query.matchAnyEpc, QUERY_P99_MS),
    p99(`/epcs/{epc}/events over ${query.events.toLocaleString('en')} events`, query.memberEvents, QUERY_P99_MS),
    p99('contents of a pallet (40 x 10)', aggregation.contents, AGGREGATION_P99_MS),
    p99('parents of a unit', aggregation.parents, AGGREGATION_P99_MS),
  );
  return targets;
}

/** The longest one series of timed lookups may run: it stops there with the calls it made. */
const budgetMs = (options: Options) => (options.quick ? 30_000 : 120_000);

interface Engine {
  readonly name: string;
  /** A fresh store of its own (a file, a schema). */
  readonly store: (name: string) => Store;
  /** A fresh bare table set made by the store's migrations. */
  readonly bare: (name: string) => Promise<BareEpcis>;
  /** Brings the planner's statistics of a store's EPCIS tables up to date, where the engine keeps any. */
  readonly analyze?: (name: string) => Promise<void>;
}

async function measureEngine(engine: Engine, options: Options): Promise<EpcisEngineReport> {
  const problems = { count: 0 };
  // Part 1, on stores of its own.
  const captureStore = new TimedStore(engine.store('capture'));
  const captureApp = createSerialtrace({ store: captureStore, clock: systemClock, defaultTimeZone: 'UTC' });
  let capture: EpcisEngineReport['capture'];
  try {
    const bare = await engine.bare('bare');
    try {
      capture = await measureCapture(captureApp, captureStore, bare, options.quick ? 60 : 400, async () => {
        await engine.analyze?.('capture');
        await engine.analyze?.('bare');
      });
    } finally {
      await bare.close();
    }
  } finally {
    captureApp.dispose();
    await captureStore.close();
  }
  // Parts 2 and 3 on one repository.
  const documents = Math.ceil(options.events / EVENTS_PER_DOCUMENT);
  const store = engine.store('query');
  const app = createSerialtrace({ store, clock: systemClock, defaultTimeZone: 'UTC' });
  try {
    const filled = await fill(store, documents, engine.name);
    await engine.analyze?.('query');
    const queries = await measureQueries(app, documents, 2_000, options.quick ? 5 : 20, budgetMs(options), problems);
    const query: EpcisEngineReport['query'] = {
      events: documents * EVENTS_PER_DOCUMENT,
      fillSeconds: round(filled.seconds),
      fillWriteSeconds: round(filled.writeSeconds),
      fillEventsPerSecond: round((documents * EVENTS_PER_DOCUMENT) / filled.seconds, 0),
      ...queries,
    };
    const aggregation = { repositoryEvents: query.events, ...(await measureAggregation(app, options.quick ? 3 : 6, 1_000, budgetMs(options), problems)) };
    return { engine: engine.name, capture, query, aggregation, problems: problems.count, targets: targetsOf(engine.name, capture, query, aggregation) };
  } finally {
    app.dispose();
    await store.close();
  }
}

/** Validation and normal form (the event hash) of the same documents, alone, after a warm-up. */
function cpuPerDocument(quick: boolean): EpcisReport['cpu'] {
  const docs = new Documents(10_000_000).take(quick ? 20 : 50);
  const validate = (doc: Doc) => validateEpcisDocument(doc);
  const normalForm = (doc: Doc) => {
    for (const event of doc.epcisBody.eventList) eventNormalForm(event, doc['@context']);
  };
  const perDocument = (work: (doc: Doc) => unknown) => {
    for (const doc of docs.slice(0, 5)) work(doc);
    const t0 = performance.now();
    for (const doc of docs) work(doc);
    return round((performance.now() - t0) / docs.length, 2);
  };
  return { validateMsPerDocument: perDocument(validate), normalFormMsPerDocument: perDocument(normalForm) };
}

export async function runEpcisBench(options: { quick: boolean; events?: number; engines?: readonly string[] }): Promise<EpcisReport> {
  const events = options.events ?? (options.quick ? 100_000 : 1_000_000);
  if (!Number.isInteger(events) || events < 10_000) throw new Error(`--events must be a whole number of at least 10,000 (got ${events})`);
  const opts: Options = { quick: options.quick, events };
  const wanted = (engine: string) => options.engines === undefined || options.engines.includes(engine);
  const engines: EpcisEngineReport[] = [];
  const cpu = cpuPerDocument(options.quick);

  if (wanted('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'serialtrace-bench-epcis-'));
    try {
      const file = (name: string) => join(dir, `${name}.db`);
      engines.push(await measureEngine({ name: 'sqlite', store: (name) => SqliteStore.open({ path: file(name) }), bare: (name) => BareEpcisSqlite.open(file(name)) }, opts));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (!wanted('postgres')) return { quick: options.quick, eventsAsked: events, cpu, engines };

  const prefix = `bench_epcis_${randomBytes(4).toString('hex')}`;
  const probe = PgStore.open({ url: PG_URL, schema: `${prefix}_probe` });
  try {
    await probe.ping();
  } catch (error) {
    return { quick: options.quick, eventsAsked: events, cpu, engines, postgres: `skipped: ${(error as Error).message}` };
  } finally {
    await probe.close().catch(() => undefined);
  }
  const schemas = [`${prefix}_probe`];
  try {
    const schema = (name: string) => {
      schemas.push(`${prefix}_${name}`);
      return `${prefix}_${name}`;
    };
    // Autovacuum would have analysed a repository of this size long before anyone queried it; a
    // table filled a minute ago may not be yet, and without statistics PostgreSQL plans the
    // declaration check of every aggregation row as a scan.
    const analyze = async (name: string) => {
      const client = new pg.Client(PG_URL);
      await client.connect();
      try {
        await client.query(`ANALYZE ${['epcis_events', 'epcis_event_identifiers', 'epcis_aggregations', 'epcis_vocabulary'].map((t) => `${prefix}_${name}.${t}`).join(', ')}`);
      } finally {
        await client.end();
      }
    };
    engines.push(
      await measureEngine(
        { name: 'postgres', store: (name) => PgStore.open({ url: PG_URL, schema: schema(name) }), bare: (name) => BareEpcisPostgres.open(schema(name)), analyze },
        opts,
      ),
    );
  } finally {
    const client = new pg.Client(PG_URL);
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
  return { quick: options.quick, eventsAsked: events, cpu, engines };
}

const ms = (l: Latency) => `p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms (${l.calls.toLocaleString('en')} calls)`;

export function printEpcisReport(report: EpcisReport): void {
  console.log(`\nEPCIS repository (--events ${report.eventsAsked.toLocaleString('en')}${report.quick ? ', --quick' : ''}; the issue's query target is at 10,000,000 events)`);
  console.log(
    `  outside the store, per document of ${EVENTS_PER_DOCUMENT} events: validation ${report.cpu.validateMsPerDocument} ms, normal form and event hash ${report.cpu.normalFormMsPerDocument} ms`,
  );
  for (const e of report.engines) {
    console.log(`\n  ${e.engine}`);
    for (const c of [e.capture.sequential, e.capture.concurrent]) {
      console.log(`  capture, ${c.clients === 1 ? 'one client' : `${c.clients} clients`}, documents of ${EVENTS_PER_DOCUMENT} events`);
      console.log(
        `    serialtrace service ${String(c.service.eventsPerSecond).padStart(8)} events/s   per document p50 ${c.service.p50Ms} ms, p99 ${c.service.p99Ms} ms, ` +
          `CPU ${c.service.cpuMsPerDocument} ms, in store.write ${c.service.storeWriteMsPerDocument} ms (${c.service.documents} documents)`,
      );
      console.log(
        `    bare insert         ${String(c.bare.eventsPerSecond).padStart(8)} events/s   per document p50 ${c.bare.p50Ms} ms, p99 ${c.bare.p99Ms} ms, CPU ${c.bare.cpuMsPerDocument} ms (${c.bare.documents} documents)`,
      );
      console.log(`    ratio ${round(c.ratio * 100)}% of bare`);
    }
    const q = e.query;
    console.log(`  query, ${q.events.toLocaleString('en')} events (filled through the store in ${q.fillSeconds} s, ${q.fillWriteSeconds} s of it in store.write, ${q.fillEventsPerSecond.toLocaleString('en')} events/s)`);
    console.log(`    MATCH_anyEPC          ${ms(q.matchAnyEpc)}`);
    console.log(`    /epcs/{epc}/events    ${ms(q.memberEvents)}`);
    console.log(`    EQ_bizStep (1 event in 10,000, no index, perPage 30, ${q.rareBizStep.pageEvents} in the page): ${ms(q.rareBizStep)}`);
    const a = e.aggregation;
    console.log(`  aggregation, ${a.pallets} pallets of ${CASES_PER_PALLET} cases of ${UNITS_PER_CASE} in the same repository`);
    console.log(`    pack a case of 10     ${ms(a.packCase)}`);
    console.log(`    pack 40 cases onto a pallet: ${ms(a.packPallet)}`);
    console.log(`    packMany, 40 cases and their pallet in one request: ${ms(a.packMany)}`);
    console.log(`    contents of a pallet  ${ms(a.contents)}`);
    console.log(`    parents of a unit     ${ms(a.parents)}`);
    console.log(`  targets${e.problems === 0 ? '' : ` (PROBLEMS: ${e.problems} answers were wrong)`}`);
    for (const t of e.targets) console.log(`    ${t.name}: ${t.measured}, target ${t.target}: ${t.binding ? (t.met ? 'met' : 'NOT met') : `${t.met ? 'met' : 'not met'} (information: the target is on SQLite)`}`);
  }
  if (report.postgres !== undefined) console.log(`\n  postgres: ${report.postgres}`);
}
