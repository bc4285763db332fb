import { randomUUID } from 'node:crypto';
import { SerialtraceError, type Clock } from '@serialtrace/core';
import { endOf, linkRole, type UnitState } from '@serialtrace/epcis';
import type { Store, StoreTransaction } from '@serialtrace/store';
import { instantOf, parentChain, resolveCode, statesOf, walkContents } from './aggregation.service.js';
import { appendAudit } from './audit-writer.js';
import type { Caller } from './caller.js';
import { EPCIS_CONTEXT } from './epcis-query.js';
import { ownEvent } from './epcis.service.js';

export interface TraceServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** A business transaction, source or destination: its CBV type (`po`, `desadv`, `owning_party`, `location`, or a URI) and its identifier. */
export interface TypedLink {
  readonly type: string;
  readonly id: string;
}

/**
 * A shipment or a receipt: what moves (units or containers, each a code in any notation; whatever
 * a container holds moves with it), the business transactions it answers (a purchase order, a
 * despatch advice), and who or where it goes from and to.
 */
export interface MovementRequest {
  readonly codes: readonly string[];
  readonly bizTransactions?: readonly TypedLink[];
  readonly sources?: readonly TypedLink[];
  readonly destinations?: readonly TypedLink[];
  /** Where it is read (a GLN, SGLN URN or Digital Link); and, for a receipt, where it now is. */
  readonly readPoint?: string;
  readonly bizLocation?: string;
}

export interface MovementView {
  readonly eventID: string;
  readonly bizStep: 'shipping' | 'receiving';
  /** What moved, as GS1 Digital Links. */
  readonly identifiers: readonly string[];
  /** How many moved with them inside, at every level. */
  readonly contained: number;
  readonly eventTime: string;
}

/** A unit's state now (or at an instant): its own events, and its containers' later ones. */
export interface TraceView {
  readonly identifier: string;
  readonly at: string;
  readonly commissioned: boolean;
  /** `destroyed`, `recalled` or `decommissioned` when its events end it; null while it is in trade. */
  readonly ended: 'destroyed' | 'recalled' | 'decommissioned' | null;
  readonly disposition: string | null;
  readonly bizStep: string | null;
  readonly readPoint: string | null;
  readonly bizLocation: string | null;
  readonly owner: string | null;
  /** What holds it, innermost first. */
  readonly parents: readonly string[];
  /** The container whose later event the disposition, location and owner come from, or null when they are the unit's own. */
  readonly inheritedFrom: string | null;
  readonly lastEventTime: string | null;
  /** Its events, oldest first: its own and its containers' while it was in them are told apart by `identifier`. */
  readonly events: readonly TraceEvent[];
}

export interface TraceEvent {
  readonly eventID: string;
  readonly identifier: string;
  readonly type: string;
  readonly action: string | null;
  readonly role: string;
  readonly eventTime: string;
  readonly recordTime: string;
  readonly bizStep: string | null;
  readonly disposition: string | null;
  readonly readPoint: string | null;
  readonly bizLocation: string | null;
  /** Declared wrong by an error declaration (or the declaration itself): it counts for nothing. */
  readonly void: boolean;
}

const CBV = 'https://ref.gs1.org/cbv/';
const MAX_EVENTS_SHOWN = 500;

/**
 * Shipping and receiving, and a unit's whole story. A shipment is one ObjectEvent (OBSERVE,
 * `shipping`, `in_transit`) naming what moves, with its business transactions, sources and
 * destinations; whatever a container holds moves with it without an event of its own: a unit's
 * state takes its containers' later events (see {@link TraceService.trace}).
 *
 * @example
 * await app.trace.ship(caller, { codes: [pallet], bizTransactions: [{ type: 'po', id: 'urn:epcglobal:cbv:bt:0614141000005:PO-7' }], destinations: [{ type: 'owning_party', id: 'urn:epc:id:pgln:0614141.00001' }] });
 */
export class TraceService {
  readonly #deps: TraceServiceDeps;

  constructor(deps: TraceServiceDeps) {
    this.#deps = deps;
  }

  async ship(caller: Caller, request: MovementRequest): Promise<MovementView> {
    return this.#move(caller, request, 'shipping');
  }

  async receive(caller: Caller, request: MovementRequest): Promise<MovementView> {
    return this.#move(caller, request, 'receiving');
  }

  /**
   * A unit's state now, or at a past instant: its disposition, last location and owner from its
   * own events and, when a container that held it has a later event (a pallet shipped), from that;
   * what holds it; and its events.
   */
  async trace(caller: Caller, code: string, options: { readonly at?: string } = {}): Promise<TraceView> {
    const at = instantOf(options.at) ?? this.#deps.clock.now().toISOString();
    return this.#deps.store.read(async (tx) => {
      const identifier = await resolveCode(tx, caller, code, 'code');
      const parents = await parentChain(tx, caller.companyId, identifier, at);
      const states = await statesOf(tx, caller.companyId, [identifier, ...parents], at);
      const own = states.get(identifier)!;
      const { state, from } = inherited(own, parents, states);
      const rows = await tx.epcis.history(caller.companyId, [identifier], { until: at, limit: MAX_EVENTS_SHOWN });
      return {
        identifier,
        at,
        commissioned: own.commissioned,
        ended: endOf(own) ?? endOf(state),
        disposition: state.disposition,
        bizStep: state.bizStep,
        readPoint: state.readPoint,
        bizLocation: state.bizLocation,
        owner: state.owner,
        parents,
        inheritedFrom: from,
        lastEventTime: state.lastEventTime,
        events: rows.map((r) => ({
          eventID: r.eventId,
          identifier: r.identifier,
          type: r.type,
          action: r.action,
          role: r.role,
          eventTime: r.eventTime,
          recordTime: r.recordTime,
          bizStep: r.bizStep,
          disposition: r.disposition,
          readPoint: r.readPoint,
          bizLocation: r.bizLocation,
          void: r.void,
        })),
      };
    });
  }

  async #move(caller: Caller, request: MovementRequest, bizStep: 'shipping' | 'receiving'): Promise<MovementView> {
    if (request.codes.length === 0) throw new SerialtraceError('VALUE_INVALID', { field: 'codes', reason: `nothing to ${bizStep === 'shipping' ? 'ship' : 'receive'}` });
    return this.#deps.store.write(async (tx) => {
      const identifiers: string[] = [];
      for (const [i, code] of request.codes.entries()) {
        const identifier = await resolveCode(tx, caller, code, `codes/${i}`);
        if (!identifiers.includes(identifier)) identifiers.push(identifier);
      }
      const at = this.#deps.clock.now().toISOString();
      const states = await statesOf(tx, caller.companyId, identifiers, at);
      for (const identifier of identifiers) {
        const reason = endOf(states.get(identifier)!);
        if (reason !== null) throw new SerialtraceError('UNIT_ENDED', { field: 'codes', unit: identifier, reason, operation: bizStep === 'shipping' ? 'shipped' : 'received' });
      }
      const contained = await countContents(tx, caller.companyId, identifiers, at);
      const links = (kind: 'bizTransaction' | 'source' | 'destination', list: readonly TypedLink[] | undefined, field: string) =>
        (list ?? []).map((link, i) => {
          if (link.type.trim() === '' || link.id.trim() === '') throw new SerialtraceError('VALUE_INVALID', { field: `${field}/${i}`, reason: 'a type and an id are both needed' });
          // The type as the repository compares it; the id as given (a GS1 key in any notation is compared canonically).
          return { type: linkRole(kind, link.type).slice(kind.length + 1), [kind]: link.id.trim() };
        });
      const eventID = `urn:uuid:${randomUUID()}`;
      const event = {
        '@context': [EPCIS_CONTEXT],
        type: 'ObjectEvent',
        eventID,
        eventTime: at,
        eventTimeZoneOffset: '+00:00',
        epcList: identifiers,
        action: 'OBSERVE',
        bizStep: `${CBV}BizStep-${bizStep}`,
        disposition: `${CBV}Disp-${bizStep === 'shipping' ? 'in_transit' : 'in_progress'}`,
        ...(request.readPoint === undefined ? {} : { readPoint: { id: request.readPoint } }),
        ...(request.bizLocation === undefined ? {} : { bizLocation: { id: request.bizLocation } }),
        ...optionalList('bizTransactionList', links('bizTransaction', request.bizTransactions, 'bizTransactions')),
        ...optionalList('sourceList', links('source', request.sources, 'sources')),
        ...optionalList('destinationList', links('destination', request.destinations, 'destinations')),
      };
      await tx.epcis.insertEvents([ownEvent(caller.companyId, event, at)]);
      await appendAudit(tx, caller, at, [
        {
          action: bizStep === 'shipping' ? 'shipment.shipped' : 'shipment.received',
          entityType: 'shipment',
          entityId: eventID,
          data: { identifiers, contained, bizTransactions: (request.bizTransactions ?? []).map((b) => b.id) },
        },
      ]);
      return { eventID, bizStep, identifiers, contained, eventTime: at };
    });
  }
}

/** Whether `a`'s last event happened after `b`'s (at one instant, captured after it). */
function later(a: UnitState, b: UnitState): boolean {
  if (a.lastEventTime === null) return false;
  if (b.lastEventTime === null || a.lastEventTime > b.lastEventTime) return true;
  return a.lastEventTime === b.lastEventTime && (a.lastEventOrder ?? 0) > (b.lastEventOrder ?? 0);
}

function optionalList<T>(name: string, list: readonly T[]): Record<string, readonly T[]> {
  return list.length === 0 ? {} : { [name]: list };
}

/** How many units the containers hold, at every level (they move with them). */
async function countContents(tx: StoreTransaction, companyId: number, roots: readonly string[], at: string): Promise<number> {
  return [...(await walkContents(tx, companyId, roots, at)).values()].reduce((sum, children) => sum + children.length, 0);
}

/**
 * The unit's state with its containers' later events: a pallet shipped after the unit was packed
 * onto it carries the unit's disposition, location and owner along.
 */
function inherited(own: UnitState, parents: readonly string[], states: ReadonlyMap<string, UnitState>): { state: UnitState; from: string | null } {
  let state = own;
  let from: string | null = null;
  for (const parent of parents) {
    const theirs = states.get(parent);
    if (theirs === undefined || !later(theirs, state)) continue;
    state = {
      ...state,
      disposition: theirs.disposition ?? state.disposition,
      bizStep: theirs.bizStep ?? state.bizStep,
      readPoint: theirs.readPoint ?? state.readPoint,
      bizLocation: theirs.bizLocation ?? state.bizLocation,
      owner: theirs.owner ?? state.owner,
      lastEventTime: theirs.lastEventTime,
      lastEventOrder: theirs.lastEventOrder,
    };
    from = parent;
  }
  return { state, from };
}
