import { randomUUID } from 'node:crypto';
import { buildDigitalLink, readScannedCode, SerialtraceError, type Clock } from '@serialtrace/core';
import { canonicalIdentifier, directChildren, endOf, linkRole, parentAfter, unitState, type AggregationFact, type UnitState } from '@serialtrace/epcis';
import type { EpcisHistoryRow, Store, StoreTransaction } from '@serialtrace/store';
import { appendAudit } from './audit-writer.js';
import type { Caller } from './caller.js';
import { EPCIS_CONTEXT } from './epcis-query.js';
import { ownEvent } from './epcis.service.js';
import { findRecord } from './records.service.js';

export interface AggregationServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** A pack: children into a parent, each a code in any notation (element string, Digital Link, URN, a record's serial). */
export interface PackRequest {
  readonly parent: string;
  readonly children: readonly string[];
  /** Take children that are in another parent out of it first, in the same request (a repack). */
  readonly move?: boolean;
}

/** What a pack or an unpack did: the event that says so, and the identifiers, as GS1 Digital Links. */
export interface AggregationView {
  readonly eventID: string;
  readonly action: 'ADD' | 'DELETE';
  readonly parent: string;
  readonly children: readonly string[];
  /** Children a pack took out of another parent first (`move`), with the parent they left. */
  readonly moved: readonly { readonly child: string; readonly from: string }[];
  readonly eventTime: string;
}

/** A container and what it holds, at every level. */
export interface ContentsNode {
  readonly identifier: string;
  readonly children: readonly ContentsNode[];
}

export interface ContentsView extends ContentsNode {
  /** The instant the contents are of: now, or the past instant asked for. */
  readonly at: string;
  /** How many it holds at every level together (a pallet of 40 cases of 10 units: 440). */
  readonly total: number;
}

export interface ParentsView {
  readonly identifier: string;
  readonly at: string;
  /** What holds it, innermost first: its case, then the case's pallet, ... */
  readonly parents: readonly string[];
}

/** How deep containers may nest: a unit, its carton, case, pallet, and room to spare. */
const MAX_DEPTH = 8;
/** The most children one pack or unpack may name. */
export const MAX_CHILDREN = 1000;

const PACKING = 'https://ref.gs1.org/cbv/BizStep-packing';
const UNPACKING = 'https://ref.gs1.org/cbv/BizStep-unpacking';
const IN_PROGRESS = 'https://ref.gs1.org/cbv/Disp-in_progress';

/**
 * Packing units into cartons, cases and pallets, and reading what holds what. A pack or an unpack
 * is an AggregationEvent in the EPCIS repository, written in the transaction that checks it,
 * with its journal entry, so none is lost and none is invented by a change rolled back. What a
 * container holds, and what holds a unit, are replayed from every aggregation event (serialtrace's
 * own and partners' captured ones) in event-time order, now or at a past instant.
 *
 * @example
 * await app.aggregation.pack(caller, { parent: '(00)095060000000000017', children: ['(01)09506000134352(21)A1'] });
 * const pallet = await app.aggregation.contents(caller, '(00)095060000000000017');
 */
export class AggregationService {
  readonly #deps: AggregationServiceDeps;

  constructor(deps: AggregationServiceDeps) {
    this.#deps = deps;
  }

  /** Packs children into a parent: one AggregationEvent (ADD). */
  async pack(caller: Caller, request: PackRequest): Promise<AggregationView> {
    const [view] = await this.packMany(caller, [request]);
    return view!;
  }

  /**
   * Packs several parents in one request, all or nothing, in order: cases, then the pallet that
   * takes them, may come in one list.
   */
  async packMany(caller: Caller, requests: readonly PackRequest[]): Promise<AggregationView[]> {
    if (requests.length === 0) throw new SerialtraceError('VALUE_INVALID', { field: 'packs', reason: 'there is nothing to pack' });
    return this.#deps.store.write(async (tx) => {
      const views: AggregationView[] = [];
      for (const [index, request] of requests.entries()) {
        const field = requests.length === 1 ? '' : `packs/${index}/`;
        views.push(await this.#pack(tx, caller, request, field));
      }
      return views;
    });
  }

  /** Takes children out of a parent (all it holds when none are named): one AggregationEvent (DELETE). */
  async unpack(caller: Caller, request: { readonly parent: string; readonly children?: readonly string[] }): Promise<AggregationView> {
    return this.#deps.store.write(async (tx) => {
      const parent = await resolveCode(tx, caller, request.parent, 'parent');
      const named = await Promise.all((request.children ?? []).map((code, i) => resolveCode(tx, caller, code, `children/${i}`)));
      await tx.epcis.holdIdentifiers(caller.companyId, [parent, ...named]);
      const at = this.#deps.clock.now().toISOString();
      const held = (await contentsLevel(tx, caller.companyId, [parent], at)).get(parent) ?? [];
      if (named.length === 0 && held.length === 0) throw new SerialtraceError('AGGREGATION_EMPTY', { parent });
      for (const child of named) {
        if (!held.includes(child)) throw new SerialtraceError('AGGREGATION_NOT_CONTAINED', { field: 'children', child, parent });
      }
      const children = named.length === 0 ? held : [...new Set(named)];
      const eventID = await this.#write(tx, caller, at, 'DELETE', parent, children);
      await appendAudit(tx, caller, at, [{ action: 'container.unpacked', entityType: 'container', entityId: parent, data: { event: eventID, children } }]);
      return { eventID, action: 'DELETE', parent, children, moved: [], eventTime: at };
    });
  }

  /** What a container holds, at every level, now or at a past instant. */
  async contents(caller: Caller, code: string, options: { readonly at?: string } = {}): Promise<ContentsView> {
    const at = instantOf(options.at) ?? this.#deps.clock.now().toISOString();
    return this.#deps.store.read(async (tx) => {
      const root = await resolveCode(tx, caller, code, 'parent');
      const childrenOf = await walkContents(tx, caller.companyId, [root], at);
      const node = (identifier: string): ContentsNode => ({ identifier, children: (childrenOf.get(identifier) ?? []).map(node) });
      return { ...node(root), at, total: [...childrenOf.values()].reduce((sum, children) => sum + children.length, 0) };
    });
  }

  /** What holds a unit, innermost first, now or at a past instant. */
  async parents(caller: Caller, code: string, options: { readonly at?: string } = {}): Promise<ParentsView> {
    const at = instantOf(options.at) ?? this.#deps.clock.now().toISOString();
    return this.#deps.store.read(async (tx) => {
      const identifier = await resolveCode(tx, caller, code, 'code');
      return { identifier, at, parents: await parentChain(tx, caller.companyId, identifier, at) };
    });
  }

  async #pack(tx: StoreTransaction, caller: Caller, request: PackRequest, field: string): Promise<AggregationView> {
    const parent = await resolveCode(tx, caller, request.parent, `${field}parent`);
    const children: string[] = [];
    for (const [i, code] of request.children.entries()) {
      const child = await resolveCode(tx, caller, code, `${field}children/${i}`);
      if (child === parent) throw new SerialtraceError('AGGREGATION_SELF', { field: `${field}children/${i}`, identifier: parent });
      if (!children.includes(child)) children.push(child);
    }
    if (children.length === 0) throw new SerialtraceError('VALUE_INVALID', { field: `${field}children`, reason: 'a pack names at least one child' });
    // Held first, so what is checked below stays true until the commit.
    await tx.epcis.holdIdentifiers(caller.companyId, [parent, ...children]);
    const at = this.#deps.clock.now().toISOString();

    const states = await statesOf(tx, caller.companyId, [parent, ...children], at);
    for (const identifier of [parent, ...children]) {
      const reason = endOf(states.get(identifier)!);
      if (reason !== null) throw new SerialtraceError('UNIT_ENDED', { field: identifier === parent ? `${field}parent` : `${field}children`, unit: identifier, reason, operation: 'packed' });
    }
    const above = await parentChain(tx, caller.companyId, parent, at);
    const moved: { child: string; from: string }[] = [];
    const holders = await currentParents(tx, caller.companyId, children, at);
    for (const child of children) {
      if (above.includes(child)) throw new SerialtraceError('AGGREGATION_CYCLE', { field: `${field}children`, child, parent });
      const current = holders.get(child);
      if (current === undefined) continue;
      if (current === parent || request.move !== true) throw new SerialtraceError('AGGREGATION_CHILD_PACKED', { field: `${field}children`, child, parent: current });
      moved.push({ child, from: current });
    }
    // A move takes the children out of each parent they leave, an event per parent, then packs.
    const leaving = new Map<string, string[]>();
    for (const { child, from } of moved) leaving.set(from, [...(leaving.get(from) ?? []), child]);
    for (const [from, taken] of leaving) {
      const eventID = await this.#write(tx, caller, at, 'DELETE', from, taken);
      await appendAudit(tx, caller, at, [{ action: 'container.unpacked', entityType: 'container', entityId: from, data: { event: eventID, children: taken } }]);
    }
    const eventID = await this.#write(tx, caller, at, 'ADD', parent, children);
    await appendAudit(tx, caller, at, [{ action: 'container.packed', entityType: 'container', entityId: parent, data: { event: eventID, children, moved } }]);
    return { eventID, action: 'ADD', parent, children, moved, eventTime: at };
  }

  /** Writes serialtrace's own AggregationEvent; answers its eventID. */
  async #write(tx: StoreTransaction, caller: Caller, at: string, action: 'ADD' | 'DELETE', parent: string, children: readonly string[]): Promise<string> {
    const eventID = `urn:uuid:${randomUUID()}`;
    const event = {
      '@context': [EPCIS_CONTEXT, { serialtrace: SERIALTRACE_NAMESPACE }],
      type: 'AggregationEvent',
      eventID,
      eventTime: at,
      eventTimeZoneOffset: '+00:00',
      parentID: parent,
      childEPCs: children,
      action,
      bizStep: action === 'ADD' ? PACKING : UNPACKING,
      ...(action === 'ADD' ? { disposition: IN_PROGRESS } : {}),
      // Who and where, for people reading the event; EPCIS locations are GLNs, which the station is not.
      'serialtrace:actor': caller.actor,
      ...(caller.station === null ? {} : { 'serialtrace:station': caller.station }),
    };
    await tx.epcis.insertEvents([ownEvent(caller.companyId, event, at)]);
    return eventID;
  }
}

/** The namespace of serialtrace's own extension fields in the events it writes. */
const SERIALTRACE_NAMESPACE = 'https://serialtrace.dev/epcis/';

/** An instant asked for (`at`), in UTC with milliseconds; undefined when none was. */
export function instantOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(ms)) {
    throw new SerialtraceError('VALUE_INVALID', { field: 'at', reason: `"${text}" is not an ISO-8601 instant (2025-06-01T08:00:00Z)` });
  }
  return new Date(ms).toISOString();
}

/**
 * A code in any notation as the identifier the repository compares: a GS1 code as its canonical
 * Digital Link, any other URI as written, and a bare serial as its record's GS1 identity.
 */
export async function resolveCode(tx: StoreTransaction, caller: Caller, code: string, field: string): Promise<string> {
  let scanned;
  try {
    scanned = readScannedCode(code);
  } catch (error) {
    if (error instanceof SerialtraceError) throw new SerialtraceError(error.code, { ...error.details, field }, error.problems);
    throw error;
  }
  if (scanned.kind !== 'text') return canonicalIdentifier(scanned.identifier);
  let record;
  try {
    record = await findRecord(tx, caller, scanned.text, undefined);
  } catch (error) {
    if (error instanceof SerialtraceError && error.code === 'RECORD_NOT_FOUND') {
      throw new SerialtraceError('UNIT_CODE_UNKNOWN', { field, value: code, reason: 'it is neither a GS1 code nor the serial of a record' });
    }
    throw error;
  }
  const settings = (await tx.series.findById(record.seriesId))?.settings;
  if (typeof settings?.gtin === 'string') return canonicalIdentifier(buildDigitalLink([{ ai: '01', value: settings.gtin }, { ai: '21', value: record.serial }]));
  if (settings?.sscc === true) return canonicalIdentifier(buildDigitalLink([{ ai: '00', value: record.serial }]));
  throw new SerialtraceError('UNIT_CODE_UNKNOWN', { field, value: code, reason: `its series "${record.seriesName}" has no GS1 identity` });
}

const factOf = (row: { parent: string; child: string | null; action: AggregationFact['action']; eventTime: string; event: number }): AggregationFact => row;

/** The direct children of each parent at an instant: two reads, whatever their number. */
async function contentsLevel(tx: StoreTransaction, companyId: number, parents: readonly string[], at: string): Promise<Map<string, string[]>> {
  const byParent = await tx.epcis.aggregations(companyId, 'parent', parents, at);
  const candidates = [...new Set(byParent.filter((r) => r.child !== null && r.action !== 'DELETE').map((r) => r.child!))];
  const byChild = await tx.epcis.aggregations(companyId, 'child', candidates, at);
  // The parents' rows about these children are among the children's rows: keep each once.
  const facts = [...byChild, ...byParent.filter((r) => r.child === null)].map(factOf);
  return directChildren(parents, facts);
}

/**
 * What the containers hold at an instant, at every level: each container's direct children, down
 * to {@link MAX_DEPTH} levels, each level two reads. A unit is counted once: a cycle reported by
 * partners' events is cut where it closes.
 */
export async function walkContents(tx: StoreTransaction, companyId: number, roots: readonly string[], at: string): Promise<Map<string, string[]>> {
  const childrenOf = new Map<string, string[]>();
  const seen = new Set(roots);
  let level = [...roots];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const [parent, children] of await contentsLevel(tx, companyId, level, at)) {
      const fresh = children.filter((c) => !seen.has(c));
      for (const c of fresh) seen.add(c);
      childrenOf.set(parent, fresh);
      next.push(...fresh);
    }
    level = next;
  }
  return childrenOf;
}

/** The parent each unit is in at an instant (units in none are left out): two reads for all of them. */
async function currentParents(tx: StoreTransaction, companyId: number, units: readonly string[], at: string): Promise<Map<string, string>> {
  const own = await tx.epcis.aggregations(companyId, 'child', units, at);
  const parents = [...new Set(own.map((r) => r.parent))];
  const emptying = (await tx.epcis.aggregations(companyId, 'parent', parents, at)).filter((r) => r.child === null).map(factOf);
  const found = new Map<string, string>();
  for (const unit of units) {
    const parent = parentAfter(unit, [...own.filter((r) => r.child === unit).map(factOf), ...emptying]);
    if (parent !== null) found.set(unit, parent);
  }
  return found;
}

/** What holds a unit at an instant, innermost first. */
export async function parentChain(tx: StoreTransaction, companyId: number, identifier: string, at: string): Promise<string[]> {
  const chain: string[] = [];
  let current = identifier;
  while (chain.length < MAX_DEPTH) {
    const own = await tx.epcis.aggregations(companyId, 'child', [current], at);
    const parents = [...new Set(own.map((r) => r.parent))];
    const emptying = (await tx.epcis.aggregations(companyId, 'parent', parents, at)).filter((r) => r.child === null);
    const parent = parentAfter(current, [...own, ...emptying].map(factOf));
    if (parent === null || parent === identifier || chain.includes(parent)) break;
    chain.push(parent);
    current = parent;
  }
  return chain;
}

const OWNING_PARTY = linkRole('destination', 'owning_party');

/** The owning party an event's destinations name, canonical, or null. */
function ownerOf(document: string): string | null {
  // Most events name no destination: their JSON is not read.
  if (!document.includes('"destinationList"')) return null;
  const list = (JSON.parse(document) as { destinationList?: unknown }).destinationList;
  if (!Array.isArray(list)) return null;
  for (const item of list as { type?: unknown; destination?: unknown }[]) {
    if (typeof item.type === 'string' && typeof item.destination === 'string' && linkRole('destination', item.type) === OWNING_PARTY) return canonicalIdentifier(item.destination);
  }
  return null;
}

/** The state of each unit at an instant, from every event that names it. */
export async function statesOf(tx: StoreTransaction, companyId: number, identifiers: readonly string[], at: string): Promise<Map<string, UnitState>> {
  const rows = await tx.epcis.history(companyId, identifiers, { until: at });
  const byUnit = new Map<string, EpcisHistoryRow[]>(identifiers.map((i) => [i, []]));
  for (const row of rows) byUnit.get(row.identifier)?.push(row);
  return new Map(
    [...byUnit].map(([identifier, events]) => [
      identifier,
      unitState(
        events.map((e) => ({
          type: e.type,
          action: e.action,
          role: e.role,
          eventTime: e.eventTime,
          bizStep: e.bizStep,
          disposition: e.disposition,
          readPoint: e.readPoint,
          bizLocation: e.bizLocation,
          void: e.void,
          owner: ownerOf(e.document),
          order: e.id,
        })),
      ),
    ]),
  );
}
