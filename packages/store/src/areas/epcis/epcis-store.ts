import { columnsOf, insertText } from '../../schema/tables.js';
import { sql, SqlBuilder, type SqlQuery } from '../../sql/sql-query.js';
import type { SqlSession } from '../../sql/sql-session.js';
import { flag, type ChangeStamp, type DbFlag } from '../change-stamp.js';

/**
 * Where an identifier appears in an EPCIS event, as the standard query parameters distinguish
 * them: `MATCH_epc` looks at `epc` and `child`, `MATCH_anyEPC` at every instance role, and the
 * `...Class` roles are the epcClass of the quantity lists.
 */
export type EpcisIdentifierRole =
  | 'epc'
  | 'parent'
  | 'child'
  | 'input'
  | 'output'
  | 'class'
  | 'childClass'
  | 'inputClass'
  | 'outputClass'
  // A business transaction, source or destination of one type (its web URI after the space).
  | `bizTransaction ${string}`
  | `source ${string}`
  | `destination ${string}`;

/** An EPCIS event as it is stored: the fields queries select on, and the event itself. */
export interface NewEpcisEvent {
  readonly companyId: number;
  /**
   * The eventID as captured, or the CBV 2.0 event hash when it had none. Unique per company among
   * events, and among error declarations (which carry the eventID of the event they declare wrong).
   */
  readonly eventId: string;
  /** The CBV 2.0 event hash (`ni:///sha-256;...?ver=CBV2.0`), whatever the eventID. */
  readonly eventHash: string;
  /** ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent. */
  readonly type: string;
  /** UTC, millisecond precision, as an ISO-8601 instant (sorts as text). */
  readonly eventTime: string;
  readonly eventTimeZoneOffset: string;
  /** When serialtrace stored it (UTC instant). */
  readonly recordTime: string;
  readonly action: string | null;
  /** Full URIs (CBV terms expanded). */
  readonly bizStep: string | null;
  readonly disposition: string | null;
  /** Canonical identifiers (a GS1 key as its canonical Digital Link; any other URI as written). */
  readonly readPoint: string | null;
  readonly bizLocation: string | null;
  /** The event carries an errorDeclaration (it declares an earlier capture of itself wrong). */
  readonly errorDeclared: boolean;
  /** The capture job that brought it; null for events serialtrace wrote itself. */
  readonly captureId: number | null;
  /** The event as JSON text, identifiers in their canonical form. */
  readonly document: string;
  /** Every identifier the event names, for the MATCH_ queries, each once per role. */
  readonly identifiers: readonly { readonly role: EpcisIdentifierRole; readonly identifier: string }[];
}

/** One MATCH_ (or EQ_bizTransaction_, EQ_source_, ...) selection: any value or prefix, in any role. */
export interface EpcisIdentifierMatch {
  readonly roles: readonly EpcisIdentifierRole[];
  readonly values: readonly string[];
  readonly prefixes?: readonly string[];
}

/** A stored event as it reads back: the fields of {@link NewEpcisEvent} without the identifiers, and its id. */
export interface EpcisEventRow extends Omit<NewEpcisEvent, 'identifiers'> {
  readonly id: number;
}

/**
 * The standard query's selections, each optional; lists are alternatives (`|` in a parameter), and
 * an empty list selects nothing.
 *
 * @example
 * // MATCH_anyEPC=dl, GE_eventTime=2025-06-01, newest first, the page after the last one read
 * const filter: EpcisEventFilter = {
 *   companyId: 1,
 *   identifiers: [{ roles: ['epc', 'parent', 'child', 'input', 'output'], values: [dl] }],
 *   eventTimeFrom: '2025-06-01T00:00:00.000Z',
 *   orderBy: 'eventTime',
 *   direction: 'desc',
 *   after: { time: last.eventTime, id: last.id },
 *   limit: 100,
 * };
 */
export interface EpcisEventFilter {
  readonly companyId: number;
  readonly eventTypes?: readonly string[];
  /** `GE_eventTime` (inclusive) and `LT_eventTime` (exclusive), UTC instants. */
  readonly eventTimeFrom?: string;
  readonly eventTimeBefore?: string;
  readonly recordTimeFrom?: string;
  readonly recordTimeBefore?: string;
  readonly actions?: readonly string[];
  readonly bizSteps?: readonly string[];
  readonly dispositions?: readonly string[];
  readonly readPoints?: readonly string[];
  readonly bizLocations?: readonly string[];
  readonly eventIds?: readonly string[];
  /**
   * Each entry must hold (AND); within one, any of the values or prefixes in any of the roles
   * (OR). A prefix selects every identifier that starts with it (an EPC pattern such as
   * `urn:epc:idpat:sgtin:0614141.107346.*` is the prefix `https://id.gs1.org/01/10614141073464/21/`).
   */
  readonly identifiers?: readonly EpcisIdentifierMatch[];
  /** true: only events with an errorDeclaration (`EXISTS_errorDeclaration`); false: only those without. */
  readonly errorDeclared?: boolean;
  readonly orderBy: 'eventTime' | 'recordTime';
  readonly direction: 'asc' | 'desc';
  /**
   * Keyset paging: the events after this one in the order asked for (`time` is its event time or
   * record time, as `orderBy` says; the id breaks ties between equal times).
   */
  readonly after?: { readonly time: string; readonly id: number };
  readonly limit: number;
}

/**
 * One child an AggregationEvent put into or took out of a parent. `child` null: a DELETE that
 * named no child, which takes out all of them.
 */
export interface EpcisAggregationRow {
  readonly parent: string;
  readonly child: string | null;
  readonly action: 'ADD' | 'OBSERVE' | 'DELETE';
  readonly eventTime: string;
  /** The event's id (its row, not its eventID): ties in time are in the order of capture. */
  readonly event: number;
}

/** An event in the history of an instance: the event, the instance's role in it, and whether it happened. */
export interface EpcisHistoryRow extends EpcisEventRow {
  /** The instance the row is about (one of those asked for). */
  readonly identifier: string;
  readonly role: 'epc' | 'parent' | 'child' | 'input' | 'output';
  /** An error declaration, or an event that one declares wrong. */
  readonly void: boolean;
}

/** The vocabulary the REST bindings list as collections (`/bizSteps`, `/readPoints`, ...). */
export type EpcisVocabularyKind = 'bizStep' | 'disposition' | 'readPoint' | 'bizLocation';

/** Where a capture job is: `running` until {@link EpcisStore.finishCapture} says how it ended. */
export type EpcisCaptureState = 'running' | 'success' | 'failed';

/** A capture job: one document (or event) posted to the repository, and what became of it. */
export interface EpcisCaptureRow {
  readonly id: number;
  readonly companyId: number;
  readonly state: EpcisCaptureState;
  /** `rollback` (all or nothing) or `proceed` (the good events are kept). */
  readonly errorBehaviour: 'rollback' | 'proceed';
  readonly createdAt: string;
  readonly createdBy: string;
  readonly finishedAt: string | null;
  /** How many events the document held, and how many were stored. */
  readonly eventCount: number;
  readonly capturedCount: number;
  /** The problems found, as JSON text (an array of problems), or null. */
  readonly errors: string | null;
}

/**
 * The EPCIS event repository: events captured from partners and written by serialtrace itself,
 * their identifiers indexed for the standard queries, and the capture jobs.
 *
 * @example
 * const [id] = await tx.epcis.insertEvents([event]);
 * const shipped = await tx.epcis.find({ companyId: 1, identifiers: [{ roles: ['epc', 'child'], values: [dl] }], orderBy: 'eventTime', direction: 'asc', limit: 100 });
 */
export interface EpcisStore {
  /** Stores events with their identifiers; answers their ids in order. */
  insertEvents(events: readonly NewEpcisEvent[]): Promise<number[]>;
  /** The events of a company with any of these eventIDs, declarations among them, in the order stored (to refuse a second capture). */
  findByEventIds(companyId: number, eventIds: readonly string[]): Promise<EpcisEventRow[]>;
  /** The events of a company with any of these event hashes. */
  findByHashes(companyId: number, hashes: readonly string[]): Promise<EpcisEventRow[]>;
  /** The events a standard query selects, in the order asked for, a page at a time. */
  find(filter: EpcisEventFilter): Promise<EpcisEventRow[]>;
  /**
   * The values of one kind the company's events name, in text order, a page at a time: those
   * after `after` (exclusive), at most `limit`.
   */
  vocabulary(companyId: number, kind: EpcisVocabularyKind, after: string | undefined, limit: number): Promise<string[]>;
  /**
   * The instances (EPCs, parents, inputs, outputs; not classes) the company's events name, each
   * once, in text order, a page at a time.
   */
  instances(companyId: number, after: string | undefined, limit: number): Promise<string[]>;
  /**
   * The aggregation rows of these parents (`by: 'parent'`) or children (`by: 'child'`), at or
   * before `until` when given, in event time order (ties in the order stored). Rows of an event
   * declared wrong by an error declaration are left out.
   */
  aggregations(companyId: number, by: 'parent' | 'child', identifiers: readonly string[], until?: string): Promise<EpcisAggregationRow[]>;
  /**
   * Every event that names these instances (EPCs, parents, children, inputs, outputs; not classes),
   * with the role each plays, at or before `until` when given, in event time order: a unit's story,
   * its state replayed from it. At most `limit` rows.
   */
  history(companyId: number, identifiers: readonly string[], options?: { readonly until?: string; readonly limit?: number }): Promise<EpcisHistoryRow[]>;
  /**
   * Holds these identifiers until the transaction ends, so that two transactions that pack or
   * unpack the same units take turns (PostgreSQL: advisory locks, in one order; SQLite has one
   * writer at a time already).
   */
  holdIdentifiers(companyId: number, identifiers: readonly string[]): Promise<void>;
  /** A capture job, `running`, none of its events stored yet. */
  createCapture(companyId: number, errorBehaviour: 'rollback' | 'proceed', eventCount: number, stamp: ChangeStamp): Promise<EpcisCaptureRow>;
  /** Records how a capture job ended (a job that is not there is left alone). */
  finishCapture(id: number, outcome: { readonly state: 'success' | 'failed'; readonly capturedCount: number; readonly errors: string | null; readonly at: string }): Promise<void>;
  /** A capture job of the company; undefined for another company's. */
  findCapture(companyId: number, id: number): Promise<EpcisCaptureRow | undefined>;
}

interface EventDbRow {
  id: number;
  company_id: number;
  event_id: string;
  event_hash: string;
  type: string;
  event_time: string;
  event_time_zone_offset: string;
  record_time: string;
  action: string | null;
  biz_step: string | null;
  disposition: string | null;
  read_point: string | null;
  biz_location: string | null;
  error_declared: DbFlag;
  capture_id: number | null;
  document: string;
}

interface CaptureDbRow {
  id: number;
  company_id: number;
  state: string;
  error_behaviour: string;
  created_at: string;
  created_by: string;
  finished_at: string | null;
  event_count: number;
  captured_count: number;
  errors: string | null;
}

function eventFromRow(row: EventDbRow): EpcisEventRow {
  return {
    id: row.id,
    companyId: row.company_id,
    eventId: row.event_id,
    eventHash: row.event_hash,
    type: row.type,
    eventTime: row.event_time,
    eventTimeZoneOffset: row.event_time_zone_offset,
    recordTime: row.record_time,
    action: row.action,
    bizStep: row.biz_step,
    disposition: row.disposition,
    readPoint: row.read_point,
    bizLocation: row.biz_location,
    errorDeclared: flag(row.error_declared),
    captureId: row.capture_id,
    document: row.document,
  };
}

const CAPTURE_STATES: readonly EpcisCaptureState[] = ['running', 'success', 'failed'];

function captureFromRow(row: CaptureDbRow): EpcisCaptureRow {
  if (!(CAPTURE_STATES as readonly string[]).includes(row.state)) throw new Error(`unknown capture state in the database: ${row.state}`);
  if (row.error_behaviour !== 'rollback' && row.error_behaviour !== 'proceed') throw new Error(`unknown error behaviour in the database: ${row.error_behaviour}`);
  return {
    id: row.id,
    companyId: row.company_id,
    state: row.state as EpcisCaptureState,
    errorBehaviour: row.error_behaviour,
    createdAt: row.created_at,
    createdBy: row.created_by,
    finishedAt: row.finished_at,
    eventCount: row.event_count,
    capturedCount: row.captured_count,
    errors: row.errors,
  };
}

/** The event columns an insert writes, in the order {@link eventValues} gives their values. */
const EVENT_COLUMNS = columnsOf('epcis_events', { except: ['id'] });

function eventValues(e: NewEpcisEvent): unknown[] {
  const byColumn: Record<string, unknown> = {
    company_id: e.companyId,
    event_id: e.eventId,
    event_hash: e.eventHash,
    type: e.type,
    event_time: e.eventTime,
    event_time_zone_offset: e.eventTimeZoneOffset,
    record_time: e.recordTime,
    action: e.action,
    biz_step: e.bizStep,
    disposition: e.disposition,
    read_point: e.readPoint,
    biz_location: e.bizLocation,
    error_declared: e.errorDeclared,
    capture_id: e.captureId,
    document: e.document,
  };
  return EVENT_COLUMNS.map((column) => byColumn[column]);
}

const IDENTIFIER_COLUMNS = columnsOf('epcis_event_identifiers');

/**
 * Identifier rows per statement, largest first: a capture's identifiers go as statements of
 * these sizes (3,000 rows: eleven of 256, then 128, 64, 32, 16 and 8), so each engine sees a
 * handful of statement texts, prepared once, instead of one statement per row.
 */
const IDENTIFIER_CHUNKS = [256, 128, 64, 32, 16, 8, 4, 2, 1];

/**
 * Inserts of `size` rows of `columns` into `table`, one per size of {@link IDENTIFIER_CHUNKS};
 * row `n`'s value of column `c` is the parameter `:c<c>_<n>`.
 */
function chunkedInserts(table: string, columns: readonly string[]): ReadonlyMap<number, SqlQuery> {
  const insert = (size: number) => {
    const rows = Array.from({ length: size }, (_, n) => `(${columns.map((_, c) => `:c${c}_${n}`).join(', ')})`);
    return sql(`${table}_insert_${size}`, `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.join(', ')}`);
  };
  return new Map(IDENTIFIER_CHUNKS.map((size) => [size, insert(size)]));
}

const INSERT_IDENTIFIERS = chunkedInserts('epcis_event_identifiers', IDENTIFIER_COLUMNS);

const SELECT = `SELECT ${columnsOf('epcis_events', { alias: 'e' }).join(', ')} FROM epcis_events e`;
const BY_EVENT_IDS = sql<EventDbRow>('epcis_events_by_event_ids', `${SELECT} WHERE e.company_id = :company AND e.event_id IN :ids[] ORDER BY e.id`);
const BY_HASHES = sql<EventDbRow>('epcis_events_by_hashes', `${SELECT} WHERE e.company_id = :company AND e.event_hash IN :hashes[] ORDER BY e.id`);

const INSERT_VOCABULARY = sql('epcis_vocabulary_insert', 'INSERT INTO epcis_vocabulary (company_id, kind, value) VALUES (:company, :kind, :value) ON CONFLICT DO NOTHING');
const VOCABULARY = sql<{ value: string }>(
  'epcis_vocabulary_page',
  'SELECT value FROM epcis_vocabulary WHERE company_id = :company AND kind = :kind AND value > :after ORDER BY value LIMIT :limit',
);
// Walks the identifiers' key in order, skipping roles that are classes: an identifier named by many
// events is many rows, which DISTINCT folds.
const INSTANCES = sql<{ identifier: string }>(
  'epcis_instances_page',
  `SELECT DISTINCT identifier FROM epcis_event_identifiers
   WHERE company_id = :company AND identifier > :after AND role IN ('epc', 'parent', 'child', 'input', 'output')
   ORDER BY identifier LIMIT :limit`,
);

const AGGREGATION_COLUMNS = columnsOf('epcis_aggregations');
const INSERT_AGGREGATIONS = chunkedInserts('epcis_aggregations', AGGREGATION_COLUMNS);
const AGGREGATION_ACTIONS: ReadonlySet<string> = new Set(['ADD', 'OBSERVE', 'DELETE']);

interface AggregationDbRow {
  parent: string;
  child: string | null;
  action: string;
  event_time: string;
  event: number;
}

const HOLD_IDENTIFIER = sql('epcis_hold_identifier', 'SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))');

const CAPTURE_COLUMNS = columnsOf('epcis_captures', { except: ['id'] });
const INSERT_CAPTURE = sql<CaptureDbRow>('epcis_capture_insert', insertText('epcis_captures', CAPTURE_COLUMNS, 'RETURNING *'));
const FINISH_CAPTURE = sql(
  'epcis_capture_finish',
  'UPDATE epcis_captures SET state = :state, captured_count = :captured, errors = :errors, finished_at = :at WHERE id = :id',
);
const FIND_CAPTURE = sql<CaptureDbRow>('epcis_capture_find', 'SELECT * FROM epcis_captures WHERE id = :id AND company_id = :company');

/** The roles of classes, each of which may name millions of events (see {@link SqlEpcisStore.find}). */
const CLASS_ROLES: ReadonlySet<EpcisIdentifierRole> = new Set(['class', 'childClass', 'inputClass', 'outputClass']);

/** The column a query's order and its `after` are on. */
const TIME_COLUMNS = { eventTime: 'e.event_time', recordTime: 'e.record_time' } as const;

/** {@link EpcisStore} written once for both engines. */
export class SqlEpcisStore implements EpcisStore {
  constructor(private readonly db: SqlSession) {}

  async insertEvents(events: readonly NewEpcisEvent[]): Promise<number[]> {
    if (events.length === 0) return [];
    // No conflict clause: an eventID the company holds already (as an event, or as a declaration of
    // one) fails the insert (the service asks findByEventIds first; this is the judge when two
    // captures race).
    const ids = (await this.db.insertEach('epcis_events', EVENT_COLUMNS, events.map(eventValues), { tail: '', key: ['company_id', 'event_id', 'error_declared'] })).map((id) => {
      if (id === null) throw new Error('an EPCIS event was not inserted');
      return id;
    });
    const rows: unknown[][] = [];
    for (let i = 0; i < events.length; i++) {
      const event = events[i]!;
      // An identifier named twice in one role is one row (the key would refuse the second).
      const seen = new Set<string>();
      for (const { role, identifier } of event.identifiers) {
        const key = `${role} ${identifier}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const values: Record<string, unknown> = { company_id: event.companyId, identifier, role, event: ids[i] };
        rows.push(IDENTIFIER_COLUMNS.map((column) => values[column]));
      }
    }
    this.#insertRows(INSERT_IDENTIFIERS, rows);
    this.#insertVocabulary(events);
    this.#insertAggregations(events, ids);
    return ids;
  }

  /** What the aggregation events among these put into or took out of their parents. */
  #insertAggregations(events: readonly NewEpcisEvent[], ids: readonly number[]): void {
    const rows: unknown[][] = [];
    events.forEach((e, i) => {
      // A declaration repeats the event it declares wrong; what it says did not happen.
      if (e.type !== 'AggregationEvent' || e.errorDeclared || e.action === null || !AGGREGATION_ACTIONS.has(e.action)) return;
      const parent = e.identifiers.find((x) => x.role === 'parent')?.identifier;
      if (parent === undefined) return;
      const children = [...new Set(e.identifiers.filter((x) => x.role === 'child').map((x) => x.identifier))];
      const byColumn = (child: string | null): Record<string, unknown> => ({ company_id: e.companyId, parent, child, action: e.action, event_time: e.eventTime, event: ids[i] });
      for (const child of children.length === 0 ? [null] : children) {
        const values = byColumn(child);
        rows.push(AGGREGATION_COLUMNS.map((column) => values[column]));
      }
    });
    this.#insertRows(INSERT_AGGREGATIONS, rows);
  }

  async aggregations(companyId: number, by: 'parent' | 'child', identifiers: readonly string[], until?: string): Promise<EpcisAggregationRow[]> {
    if (identifiers.length === 0) return [];
    const q = new SqlBuilder();
    const where = [`a.company_id = ${q.param(companyId)}`, `a.${by} IN ${q.list(identifiers)}`];
    if (until !== undefined) where.push(`a.event_time <= ${q.param(until)}`);
    // The event's eventID has an error declaration: the unique key (company, eventID, declared) finds it.
    where.push(
      `NOT EXISTS (SELECT 1 FROM epcis_events o JOIN epcis_events d ON d.company_id = o.company_id AND d.event_id = o.event_id AND d.error_declared = ${q.param(true)} WHERE o.id = a.event)`,
    );
    const { query, params } = q.build<AggregationDbRow>(
      `SELECT a.parent, a.child, a.action, a.event_time, a.event FROM epcis_aggregations a WHERE ${where.join(' AND ')} ORDER BY a.event_time, a.event`,
    );
    return (await this.db.all(query, params)).map((row) => {
      if (!AGGREGATION_ACTIONS.has(row.action)) throw new Error(`unknown aggregation action in the database: ${row.action}`);
      return { parent: row.parent, child: row.child, action: row.action as EpcisAggregationRow['action'], eventTime: row.event_time, event: row.event };
    });
  }

  /** The business steps, dispositions and locations these events name, once each; most are known already. */
  #insertVocabulary(events: readonly NewEpcisEvent[]): void {
    const values = new Map<string, { company: number; kind: EpcisVocabularyKind; value: string }>();
    const add = (company: number, kind: EpcisVocabularyKind, value: string | null) => {
      if (value !== null) values.set(`${company} ${kind} ${value}`, { company, kind, value });
    };
    for (const e of events) {
      add(e.companyId, 'bizStep', e.bizStep);
      add(e.companyId, 'disposition', e.disposition);
      add(e.companyId, 'readPoint', e.readPoint);
      add(e.companyId, 'bizLocation', e.bizLocation);
    }
    // In one order, so that two captures naming the same new values cannot wait on each other.
    for (const key of [...values.keys()].sort()) this.db.later(INSERT_VOCABULARY, values.get(key));
  }

  async vocabulary(companyId: number, kind: EpcisVocabularyKind, after: string | undefined, limit: number): Promise<string[]> {
    return (await this.db.all(VOCABULARY, { company: companyId, kind, after: after ?? '', limit })).map((row) => row.value);
  }

  async instances(companyId: number, after: string | undefined, limit: number): Promise<string[]> {
    return (await this.db.all(INSTANCES, { company: companyId, after: after ?? '', limit })).map((row) => row.identifier);
  }

  /**
   * Rows in statements of the sizes of {@link IDENTIFIER_CHUNKS}. Nobody reads an answer:
   * PostgreSQL sends them with the next statement or the COMMIT.
   */
  #insertRows(inserts: ReadonlyMap<number, SqlQuery>, rows: readonly (readonly unknown[])[]): void {
    let at = 0;
    for (const size of IDENTIFIER_CHUNKS) {
      const query = inserts.get(size)!;
      while (rows.length - at >= size) {
        const params: Record<string, unknown> = {};
        for (let n = 0; n < size; n++) {
          const row = rows[at + n]!;
          for (let c = 0; c < row.length; c++) params[`c${c}_${n}`] = row[c];
        }
        this.db.later(query, params);
        at += size;
      }
    }
  }

  async findByEventIds(companyId: number, eventIds: readonly string[]): Promise<EpcisEventRow[]> {
    if (eventIds.length === 0) return [];
    return (await this.db.all(BY_EVENT_IDS, { company: companyId, ids: eventIds })).map(eventFromRow);
  }

  async findByHashes(companyId: number, hashes: readonly string[]): Promise<EpcisEventRow[]> {
    if (hashes.length === 0) return [];
    return (await this.db.all(BY_HASHES, { company: companyId, hashes })).map(eventFromRow);
  }

  async find(filter: EpcisEventFilter): Promise<EpcisEventRow[]> {
    const q = new SqlBuilder();
    const time = TIME_COLUMNS[filter.orderBy];
    const identifiers = filter.identifiers ?? [];
    // An entry naming instances only (an EPC, a parent, an input: a handful of events each) is the
    // way in: one range of the identifiers' key per value and role, its events looked up by id and
    // sorted (MATCH_anyEPC: p99 0.45 ms over 2.5 million events). Whether written `id IN (...)` or
    // `EXISTS (...)`, SQLite, which has no statistics, would rather walk the company's time index
    // and test every event against the identifiers: a full walk for an EPC of a few events. So the
    // company column is kept off the indexes. A class may name millions of events: such entries are
    // tested on the events found otherwise, and without an instance entry the walk in time order,
    // which stops after a page, is the better way. PostgreSQL plans both forms alike, from its
    // statistics.
    const driving = identifiers.findIndex((entry) => entry.roles.length > 0 && (entry.prefixes ?? []).length === 0 && entry.roles.every((role) => !CLASS_ROLES.has(role)));
    const company = q.param(filter.companyId);
    const where = [`${driving === -1 ? 'e.company_id' : this.db.dialect.unindexed('e.company_id')} = ${company}`];
    const within = (column: string, values: readonly string[] | undefined) => {
      if (values !== undefined) where.push(`${column} IN ${q.list(values)}`);
    };
    within('e.type', filter.eventTypes);
    within('e.action', filter.actions);
    within('e.biz_step', filter.bizSteps);
    within('e.disposition', filter.dispositions);
    within('e.read_point', filter.readPoints);
    within('e.biz_location', filter.bizLocations);
    within('e.event_id', filter.eventIds);
    if (filter.eventTimeFrom !== undefined) where.push(`e.event_time >= ${q.param(filter.eventTimeFrom)}`);
    if (filter.eventTimeBefore !== undefined) where.push(`e.event_time < ${q.param(filter.eventTimeBefore)}`);
    if (filter.recordTimeFrom !== undefined) where.push(`e.record_time >= ${q.param(filter.recordTimeFrom)}`);
    if (filter.recordTimeBefore !== undefined) where.push(`e.record_time < ${q.param(filter.recordTimeBefore)}`);
    if (filter.errorDeclared !== undefined) where.push(`e.error_declared = ${q.param(filter.errorDeclared)}`);
    identifiers.forEach((entry, n) => {
      const alternatives = [`i.identifier IN ${q.list(entry.values)}`];
      // A prefix is a range of the key: from the prefix to the prefix followed by the highest character.
      for (const prefix of entry.prefixes ?? []) alternatives.push(`(i.identifier >= ${q.param(prefix)} AND i.identifier < ${q.param(`${prefix}\u{10FFFF}`)})`);
      const match = `(${alternatives.join(' OR ')}) AND i.role IN ${q.list(entry.roles)}`;
      where.push(
        n === driving
          ? `e.id IN (SELECT i.event FROM epcis_event_identifiers i WHERE i.company_id = ${company} AND ${match})`
          : `EXISTS (SELECT 1 FROM epcis_event_identifiers i WHERE i.company_id = e.company_id AND i.event = e.id AND ${match})`,
      );
    });
    const descending = filter.direction === 'desc';
    if (filter.after !== undefined) where.push(`(${time}, e.id) ${descending ? '<' : '>'} (${q.param(filter.after.time)}, ${q.param(filter.after.id)})`);
    const order = descending ? 'DESC' : 'ASC';
    const { query, params } = q.build<EventDbRow>(`${SELECT} WHERE ${where.join(' AND ')} ORDER BY ${time} ${order}, e.id ${order} LIMIT ${q.param(filter.limit)}`);
    return (await this.db.all(query, params)).map(eventFromRow);
  }

  async history(companyId: number, identifiers: readonly string[], options: { readonly until?: string; readonly limit?: number } = {}): Promise<EpcisHistoryRow[]> {
    if (identifiers.length === 0) return [];
    const q = new SqlBuilder();
    const yes = q.param(true);
    const where = [`i.company_id = ${q.param(companyId)}`, `i.identifier IN ${q.list(identifiers)}`, `i.role IN ('epc', 'parent', 'child', 'input', 'output')`];
    if (options.until !== undefined) where.push(`e.event_time <= ${q.param(options.until)}`);
    const { query, params } = q.build<EventDbRow & { identifier: string; role: string; void: number }>(
      `SELECT ${columnsOf('epcis_events', { alias: 'e' }).join(', ')}, i.identifier AS identifier, i.role AS role,
         CASE WHEN e.error_declared = ${yes} OR EXISTS (SELECT 1 FROM epcis_events d WHERE d.company_id = e.company_id AND d.event_id = e.event_id AND d.error_declared = ${yes}) THEN 1 ELSE 0 END AS void
       FROM epcis_event_identifiers i JOIN epcis_events e ON e.id = i.event
       WHERE ${where.join(' AND ')} ORDER BY e.event_time, e.id, i.identifier LIMIT ${q.param(options.limit ?? 10_000)}`,
    );
    return (await this.db.all(query, params)).map((row) => ({
      ...eventFromRow(row),
      identifier: row.identifier,
      role: row.role as EpcisHistoryRow['role'],
      void: Number(row.void) === 1,
    }));
  }

  async holdIdentifiers(companyId: number, identifiers: readonly string[]): Promise<void> {
    if (!this.db.dialect.locksRows) return;
    // One order for every transaction, so that two never wait on each other.
    for (const identifier of [...new Set(identifiers)].sort()) await this.db.get(HOLD_IDENTIFIER, { key: `epcis ${companyId} ${identifier}` });
  }

  async createCapture(companyId: number, errorBehaviour: 'rollback' | 'proceed', eventCount: number, stamp: ChangeStamp): Promise<EpcisCaptureRow> {
    const row = await this.db.get(INSERT_CAPTURE, {
      company_id: companyId,
      state: 'running',
      error_behaviour: errorBehaviour,
      created_at: stamp.at,
      created_by: stamp.actor,
      finished_at: null,
      event_count: eventCount,
      captured_count: 0,
      errors: null,
    });
    return captureFromRow(row!);
  }

  async finishCapture(id: number, outcome: { readonly state: 'success' | 'failed'; readonly capturedCount: number; readonly errors: string | null; readonly at: string }): Promise<void> {
    this.db.later(FINISH_CAPTURE, { state: outcome.state, captured: outcome.capturedCount, errors: outcome.errors, at: outcome.at, id });
  }

  async findCapture(companyId: number, id: number): Promise<EpcisCaptureRow | undefined> {
    const row = await this.db.get(FIND_CAPTURE, { id, company: companyId });
    return row === undefined ? undefined : captureFromRow(row);
  }
}
