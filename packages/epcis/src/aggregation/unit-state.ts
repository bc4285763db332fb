import { BARE_TERM_VOCABULARIES } from '../event-hash/cbv-vocabulary.js';

/** Where a unit appears in an event: the roles of instances (not classes). */
export type InstanceRole = 'epc' | 'parent' | 'child' | 'input' | 'output';

/** What the state of a unit reads of one event that names it, fields in the stored normal form. */
export interface UnitEvent {
  readonly type: string;
  readonly action: string | null;
  readonly role: InstanceRole;
  readonly eventTime: string;
  readonly bizStep: string | null;
  readonly disposition: string | null;
  readonly readPoint: string | null;
  readonly bizLocation: string | null;
  /** The event is an error declaration, or an event that one declares wrong: it did not happen. */
  readonly void: boolean;
  /** The owning party the event hands it to (its destination of type owning_party), if any. */
  readonly owner?: string | null;
  /** Its place in the repository (events of one instant happened in the order captured). */
  readonly order?: number;
}

/** A unit's state as its events say, in event-time order. */
export interface UnitState {
  /** An ObjectEvent ADD (or a TransformationEvent's output) brought it into being. */
  readonly commissioned: boolean;
  /** An ObjectEvent DELETE ended it (decommissioning, destruction). */
  readonly decommissioned: boolean;
  /** The last disposition any event gave it (web URI), or null. */
  readonly disposition: string | null;
  readonly bizStep: string | null;
  /** Where it was last seen, and where it last was by business location. */
  readonly readPoint: string | null;
  readonly bizLocation: string | null;
  /** The owning party the last event that named one handed it to, or null. */
  readonly owner: string | null;
  /** The time of its last event that happened (error declarations left out), or null when none. */
  readonly lastEventTime: string | null;
  /** The place in the repository of that last event (see {@link UnitEvent.order}), or null. */
  readonly lastEventOrder: number | null;
  /** How many events named it, declared wrong ones left out. */
  readonly events: number;
}

export const NO_STATE: UnitState = {
  commissioned: false,
  decommissioned: false,
  disposition: null,
  bizStep: null,
  readPoint: null,
  bizLocation: null,
  owner: null,
  lastEventTime: null,
  lastEventOrder: null,
  events: 0,
};

/**
 * A unit's state after its events, replayed in event-time order whatever order they were captured
 * in, so a partner's late event lands in its place. Events declared wrong are left out.
 *
 * @example unitState([{ type: 'ObjectEvent', action: 'ADD', role: 'epc', eventTime: '2025-06-01T08:00:00.000Z', bizStep: cbv('commissioning'), disposition: cbv('active'), readPoint: null, bizLocation: null, void: false }]).commissioned === true
 */
export function unitState(events: readonly UnitEvent[]): UnitState {
  const ordered = events.filter((e) => !e.void).sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : (a.order ?? 0) - (b.order ?? 0)));
  let state = NO_STATE;
  for (const e of ordered) {
    const own = e.role === 'epc' && e.type === 'ObjectEvent';
    state = {
      commissioned: state.commissioned || (own && e.action === 'ADD') || (e.type === 'TransformationEvent' && e.role === 'output'),
      decommissioned: (state.decommissioned && !(own && e.action === 'ADD')) || (own && e.action === 'DELETE'),
      disposition: e.disposition ?? state.disposition,
      bizStep: e.bizStep ?? state.bizStep,
      readPoint: e.readPoint ?? state.readPoint,
      bizLocation: e.bizLocation ?? state.bizLocation,
      owner: e.owner ?? state.owner,
      lastEventTime: e.eventTime,
      lastEventOrder: e.order ?? null,
      events: state.events + 1,
    };
  }
  return state;
}

const DISPOSITION = BARE_TERM_VOCABULARIES.disposition.prefix;

/**
 * Why a unit may not be packed, or is no genuine unit in trade any more: `destroyed`, `recalled`
 * or `decommissioned` (its disposition or its last ObjectEvent says so), or null.
 *
 * @example endOf({ ...NO_STATE, disposition: 'https://ref.gs1.org/cbv/Disp-recalled' }) === 'recalled'
 */
export function endOf(state: UnitState): 'destroyed' | 'recalled' | 'decommissioned' | null {
  if (state.disposition === `${DISPOSITION}destroyed`) return 'destroyed';
  if (state.disposition === `${DISPOSITION}recalled`) return 'recalled';
  if (state.decommissioned || state.disposition === `${DISPOSITION}inactive`) return 'decommissioned';
  return null;
}
