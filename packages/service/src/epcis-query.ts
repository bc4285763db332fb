import { createHash } from 'node:crypto';
import { SerialtraceError } from '@serialtrace/core';
import {
  canonicalIdentifier,
  cbvUri,
  formatEventIdentifiers,
  meetsResidual,
  parseEpcFormat,
  parseEpcisQuery,
  type EpcFormat,
  type EpcisQuery,
} from '@serialtrace/epcis';
import type { EpcisEventFilter, EpcisEventRow, EpcisVocabularyKind, Store } from '@serialtrace/store';

/** The query parameters of a request: a name given twice has several values. */
export type EpcisQueryParams = Readonly<Record<string, string | readonly string[] | undefined>>;

/** A page of an answer: the body, and the token of the next page when there is one. */
export interface EpcisPage<Body> {
  readonly body: Body;
  readonly nextPageToken?: string;
}

/** A collection of the REST bindings: what the repository knows, or a member's sub-resources. */
export interface EpcisCollectionView {
  readonly '@context': readonly string[];
  readonly type: 'Collection';
  readonly member: readonly string[];
}

/** `perPage` when the request gives none, as the REST bindings say, and the most one page holds. */
export const EPCIS_PER_PAGE = { default: 30, max: 1000 } as const;

/**
 * The most events one page request reads to test the conditions the store cannot (quantities,
 * sensor values, error reasons, ...). A page that reaches it before it is full is answered as it is,
 * its token continuing after the last event read: a rare selection over millions of events costs
 * pages that are short, never a request that does not end.
 */
const SCAN_BUDGET = 10_000;

/** The events read per round when some conditions are tested here. */
const SCAN_CHUNK = 500;

/** The five event types of EPCIS 2.0, in text order (as /eventTypes lists and pages them). */
export const EPCIS_EVENT_TYPES = ['AggregationEvent', 'AssociationEvent', 'ObjectEvent', 'TransactionEvent', 'TransformationEvent'] as const;

/** The collections of the REST bindings that list what the repository knows, and the parameter that selects their events. */
export const EPCIS_RESOURCES = {
  eventTypes: 'eventType',
  epcs: 'MATCH_anyEPC',
  bizSteps: 'EQ_bizStep',
  bizLocations: 'EQ_bizLocation',
  readPoints: 'EQ_readPoint',
  dispositions: 'EQ_disposition',
} as const;
export type EpcisResource = keyof typeof EPCIS_RESOURCES;

const VOCABULARY_OF: Partial<Record<EpcisResource, EpcisVocabularyKind>> = {
  bizSteps: 'bizStep',
  bizLocations: 'bizLocation',
  readPoints: 'readPoint',
  dispositions: 'disposition',
};

/** What a page token holds: the query it continues, where the last page ended, and how many events were served. */
interface PageToken {
  readonly query: string;
  readonly time: string;
  readonly id: number;
  readonly served: number;
}

const fingerprintOf = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify([1, token.query, token.time, token.id, token.served]), 'utf8').toString('base64url');
}

function decodeToken(text: string, query: string): PageToken {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 5 || parts[0] !== 1) throw new SerialtraceError('EPCIS_PAGE_TOKEN_INVALID', { reason: 'it is not a token this server gave' });
  const [, fingerprint, time, id, served] = parts as unknown[];
  if (typeof fingerprint !== 'string' || typeof time !== 'string' || !Number.isSafeInteger(id) || !Number.isSafeInteger(served)) {
    throw new SerialtraceError('EPCIS_PAGE_TOKEN_INVALID', { reason: 'it is not a token this server gave' });
  }
  if (fingerprint !== query) throw new SerialtraceError('EPCIS_PAGE_TOKEN_INVALID', { reason: 'it continues a query with other parameters' });
  return { query: fingerprint, time, id: id as number, served: served as number };
}

function perPageOf(query: EpcisQuery): number {
  return Math.min(query.perPage ?? EPCIS_PER_PAGE.default, EPCIS_PER_PAGE.max);
}

/** The store's selection for a parsed query (without its order, page and limit). */
function filterOf(companyId: number, query: EpcisQuery): Omit<EpcisEventFilter, 'after' | 'limit'> {
  return {
    companyId,
    ...(query.eventTypes === undefined ? {} : { eventTypes: query.eventTypes }),
    ...(query.eventTimeFrom === undefined ? {} : { eventTimeFrom: query.eventTimeFrom }),
    ...(query.eventTimeBefore === undefined ? {} : { eventTimeBefore: query.eventTimeBefore }),
    ...(query.recordTimeFrom === undefined ? {} : { recordTimeFrom: query.recordTimeFrom }),
    ...(query.recordTimeBefore === undefined ? {} : { recordTimeBefore: query.recordTimeBefore }),
    ...(query.actions === undefined ? {} : { actions: query.actions }),
    ...(query.bizSteps === undefined ? {} : { bizSteps: query.bizSteps }),
    ...(query.dispositions === undefined ? {} : { dispositions: query.dispositions }),
    ...(query.readPoints === undefined ? {} : { readPoints: query.readPoints }),
    ...(query.bizLocations === undefined ? {} : { bizLocations: query.bizLocations }),
    ...(query.eventIds === undefined ? {} : { eventIds: query.eventIds }),
    ...(query.errorDeclared === undefined ? {} : { errorDeclared: query.errorDeclared }),
    identifiers: query.identifiers,
    orderBy: query.orderBy,
    direction: query.direction,
  };
}

const parsed = (row: EpcisEventRow) => JSON.parse(row.document) as Record<string, unknown>;

/**
 * Reads the events a query selects after `after`, in its order: up to `wanted` of them, and whether
 * more follow. Conditions the store cannot test are tested here, within {@link SCAN_BUDGET}; `last`
 * is where the next page starts.
 */
async function readEvents(
  store: Store,
  filter: Omit<EpcisEventFilter, 'after' | 'limit'>,
  query: EpcisQuery,
  after: EpcisEventFilter['after'],
  wanted: number,
): Promise<{ readonly events: Record<string, unknown>[]; readonly more: boolean; readonly last: EpcisEventFilter['after'] }> {
  const keyOf = (row: EpcisEventRow) => ({ time: filter.orderBy === 'eventTime' ? row.eventTime : row.recordTime, id: row.id });
  if (query.residual.length === 0) {
    // One more than the page: whether another page follows.
    const rows = await store.read((tx) => tx.epcis.find({ ...filter, ...(after === undefined ? {} : { after }), limit: wanted + 1 }));
    const page = rows.slice(0, wanted);
    return { events: page.map(parsed), more: rows.length > wanted, last: page.length > 0 ? keyOf(page[page.length - 1]!) : after };
  }
  const events: Record<string, unknown>[] = [];
  let cursor = after;
  let lastKept = after;
  let scanned = 0;
  for (;;) {
    const rows = await store.read((tx) => tx.epcis.find({ ...filter, ...(cursor === undefined ? {} : { after: cursor }), limit: SCAN_CHUNK }));
    for (const row of rows) {
      scanned++;
      const event = parsed(row);
      if (meetsResidual(event, query.residual)) {
        if (events.length === wanted) return { events, more: true, last: lastKept };
        events.push(event);
        lastKept = keyOf(row);
      }
      cursor = keyOf(row);
    }
    if (rows.length < SCAN_CHUNK) return { events, more: false, last: lastKept };
    // The budget spent: answer what was found, and continue after the last event read.
    if (scanned >= SCAN_BUDGET) return { events, more: true, last: cursor };
  }
}

/**
 * The EPCIS 2.0 query interface of the repository: the standard parameters over the stored events
 * (`GET /epcis/events` and the resource routes), answered a page at a time, and the collections of
 * what the repository knows (`/epcis/eventTypes`, `/epcis/epcs`, `/epcis/bizSteps`, ...).
 *
 * @example
 * const page = await query.events(1, { MATCH_anyEPC: 'urn:epc:id:sgtin:0614141.107346.2018', perPage: '10' }, 'No_Preference');
 * // page.body: an EPCISQueryDocument; page.nextPageToken: the next page's, when there is one
 */
export class EpcisQueryService {
  constructor(
    private readonly store: Store,
    private readonly now: () => string,
  ) {}

  /** The events a query selects, one page of them, as an EPCISQueryDocument. */
  async events(companyId: number, params: EpcisQueryParams, epcFormat?: string): Promise<EpcisPage<Record<string, unknown>>> {
    const format = parseEpcFormat(epcFormat);
    const query = parseEpcisQuery(params);
    const fingerprint = fingerprintOf(query.fingerprint);
    const token = query.nextPageToken === undefined ? undefined : decodeToken(query.nextPageToken, fingerprint);
    const filter = filterOf(companyId, query);
    if (query.maxEventCount !== undefined && token === undefined) await this.#refuseBeyond(filter, query, query.maxEventCount);

    const served = token?.served ?? 0;
    const remaining = query.eventCountLimit === undefined ? Infinity : query.eventCountLimit - served;
    const wanted = Math.max(0, Math.min(perPageOf(query), remaining));
    const after = token === undefined ? undefined : { time: token.time, id: token.id };
    const { events, more, last } = wanted === 0 ? { events: [], more: false, last: after } : await readEvents(this.store, filter, query, after, wanted);
    const shown = await this.formatter(companyId, format);
    const body = queryDocument(events.map(shown), this.now());
    const continues = more && served + events.length < (query.eventCountLimit ?? Infinity) && last !== undefined;
    return continues ? { body, nextPageToken: encodeToken({ query: fingerprint, time: last.time, id: last.id, served: served + events.length }) } : { body };
  }

  /**
   * A collection the repository knows, a page at a time: the event types, the EPCs its events
   * name, or the business steps, locations, read points and dispositions they use.
   */
  async collection(companyId: number, resource: EpcisResource, params: EpcisQueryParams, epcFormat?: string): Promise<EpcisPage<EpcisCollectionView>> {
    const unknown = Object.keys(params).filter((name) => name !== 'perPage' && name !== 'nextPageToken');
    if (unknown.length > 0) throw new SerialtraceError('EPCIS_QUERY_PARAMETER_INVALID', { parameter: unknown[0]!, reason: 'a collection takes perPage and nextPageToken only' });
    const format = parseEpcFormat(epcFormat);
    const perPage = perPageParam(params.perPage);
    const tokenText = single('nextPageToken', params.nextPageToken);
    const after = tokenText === undefined ? undefined : decodeCollectionToken(tokenText, resource);
    let members: string[];
    if (resource === 'eventTypes') {
      members = EPCIS_EVENT_TYPES.filter((type) => after === undefined || type > after);
    } else {
      const kind = VOCABULARY_OF[resource];
      members = await this.store.read((tx) => (kind === undefined ? tx.epcis.instances(companyId, after, perPage + 1) : tx.epcis.vocabulary(companyId, kind, after, perPage + 1)));
    }
    const page = members.slice(0, perPage);
    const more = members.length > perPage;
    let member: readonly string[] = page;
    if (resource === 'epcs') {
      const shown = await this.formatter(companyId, format);
      member = page.map((epc) => (shown({ epcList: [epc] }).epcList as string[])[0]!);
    }
    const body: EpcisCollectionView = { '@context': [EPCIS_CONTEXT], type: 'Collection', member };
    return more ? { body, nextPageToken: encodeCollectionToken(resource, page[page.length - 1]!) } : { body };
  }

  /**
   * A member of a collection (`/epcis/epcs/{epc}`, `/epcis/bizSteps/{bizStep}`, ...): its
   * sub-resources, `events` alone. An event type that is none of the five is not found; any other
   * member may name no event yet and still be asked about.
   */
  member(resource: EpcisResource, value: string): EpcisCollectionView {
    if (resource === 'eventTypes' && !(EPCIS_EVENT_TYPES as readonly string[]).includes(value)) {
      throw new SerialtraceError('EPCIS_RESOURCE_NOT_FOUND', { resource: `eventTypes/${value}` });
    }
    if (resource === 'epcs') checkIdentifierParameter('epc', value);
    return { '@context': [EPCIS_CONTEXT], type: 'Collection', member: ['events'] } as const;
  }

  /** The events of a collection's member: the query with the member's own parameter added. */
  async memberEvents(companyId: number, resource: EpcisResource, value: string, params: EpcisQueryParams, epcFormat?: string): Promise<EpcisPage<Record<string, unknown>>> {
    const name = EPCIS_RESOURCES[resource];
    if (params[name] !== undefined) {
      throw new SerialtraceError('EPCIS_QUERY_PARAMETER_INVALID', { parameter: name, reason: `the path names the ${resource} already` });
    }
    if (resource === 'eventTypes') this.member(resource, value);
    return this.events(companyId, { ...params, [name]: escapePipes(resource, value) }, epcFormat);
  }

  /** Refuses the query when it selects more than `max` events (maxEventCount). */
  async #refuseBeyond(filter: Omit<EpcisEventFilter, 'after' | 'limit'>, query: EpcisQuery, max: number): Promise<void> {
    let after: EpcisEventFilter['after'];
    let found = 0;
    for (;;) {
      const { events, more, last } = await readEvents(this.store, filter, query, after, Math.min(max + 1 - found, SCAN_CHUNK));
      found += events.length;
      if (found > max) throw new SerialtraceError('EPCIS_QUERY_TOO_LARGE', { limit: max });
      if (!more) return;
      after = last;
    }
  }

  /**
   * Writes an event's identifiers in the format asked for. EPC URNs need the length of a key's GS1
   * company prefix, which a Digital Link does not carry: it is known for the prefixes of the
   * company's GS1 series, and a key of another company stays a Digital Link.
   */
  async formatter(companyId: number, format: EpcFormat): Promise<(event: Readonly<Record<string, unknown>>) => Record<string, unknown>> {
    const lengths = format === 'Always_EPC_URN' ? await this.#prefixLengths(companyId) : undefined;
    return (event) => formatEventIdentifiers(event, format, lengths);
  }

  async #prefixLengths(companyId: number): Promise<((digitalLink: string) => number | undefined) | undefined> {
    const prefixes = [
      ...new Set(
        (await this.store.read((tx) => tx.series.list(companyId)))
          .map((s) => s.settings.companyPrefix)
          .filter((p): p is string => typeof p === 'string' && p !== ''),
      ),
    ].sort((a, b) => b.length - a.length);
    if (prefixes.length === 0) return undefined;
    return (digitalLink) => {
      const match = /^https?:\/\/[^/]+\/(\d{2,4})\/(\d+)/.exec(digitalLink);
      if (match === null) return undefined;
      // A GTIN's company prefix follows its indicator digit; the other keys start with theirs.
      const digits = match[1] === '01' ? match[2]!.slice(1) : match[2]!;
      return prefixes.find((p) => digits.startsWith(p))?.length;
    };
  }
}

/** The EPCIS 2.0 JSON-LD context, which every answer names. */
export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';

/** Events as the answer to a query: an EPCISQueryDocument of the simple event query. */
export function queryDocument(events: readonly Record<string, unknown>[], creationDate: string): Record<string, unknown> {
  return {
    '@context': [EPCIS_CONTEXT],
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate,
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
  };
}

function single(name: string, value: string | readonly string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new SerialtraceError('EPCIS_QUERY_PARAMETER_INVALID', { parameter: name, reason: 'it is given more than once' });
  return value;
}

function perPageParam(value: string | readonly string[] | undefined): number {
  const text = single('perPage', value);
  if (text === undefined) return EPCIS_PER_PAGE.default;
  if (!/^[1-9]\d{0,8}$/.test(text)) throw new SerialtraceError('EPCIS_QUERY_PARAMETER_INVALID', { parameter: 'perPage', reason: `"${text}" is not a positive whole number` });
  return Math.min(Number(text), EPCIS_PER_PAGE.max);
}

function encodeCollectionToken(resource: EpcisResource, last: string): string {
  return Buffer.from(JSON.stringify([1, resource, last]), 'utf8').toString('base64url');
}

function decodeCollectionToken(text: string, resource: EpcisResource): string {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parts = undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 3 || parts[0] !== 1 || typeof parts[2] !== 'string') {
    throw new SerialtraceError('EPCIS_PAGE_TOKEN_INVALID', { reason: 'it is not a token this server gave' });
  }
  if (parts[1] !== resource) throw new SerialtraceError('EPCIS_PAGE_TOKEN_INVALID', { reason: `it pages through ${String(parts[1])}, not ${resource}` });
  return parts[2];
}

function checkIdentifierParameter(parameter: string, value: string): void {
  try {
    canonicalIdentifier(value);
  } catch (error) {
    if (!(error instanceof SerialtraceError)) throw error;
    throw new SerialtraceError('EPCIS_QUERY_PARAMETER_INVALID', { parameter, reason: error.message });
  }
}

/**
 * A path member as the one value of its parameter: a `|` in it is part of the value, not an
 * alternative, so the member is given in its normal form (which holds no `|` for the vocabularies
 * and GS1 keys; any other URI with one cannot be selected by path, only by the query).
 */
function escapePipes(resource: EpcisResource, value: string): string {
  if (resource === 'bizSteps') return cbvUri('bizStep', value);
  if (resource === 'dispositions') return cbvUri('disposition', value);
  if (value.includes('|')) throw new SerialtraceError('EPCIS_QUERY_PARAMETER_INVALID', { parameter: EPCIS_RESOURCES[resource], reason: 'a value in the path may not hold "|"' });
  return value;
}
