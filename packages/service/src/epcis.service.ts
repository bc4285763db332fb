import { problem, SerialtraceError, type Clock, type Problem } from '@serialtrace/core';
import { eventNormalForm, validateEpcisDocument, validateEpcisEvent, type EpcisValidation, type EventNormalForm } from '@serialtrace/epcis';
import type { EpcisCaptureRow, NewEpcisEvent, Store, StoreTransaction } from '@serialtrace/store';
import { parseEpcFormat } from '@serialtrace/epcis';
import { appendAudit } from './audit-writer.js';
import type { Caller } from './caller.js';
import { EpcisQueryService, queryDocument, type EpcisCollectionView, type EpcisPage, type EpcisQueryParams, type EpcisResource } from './epcis-query.js';

export interface EpcisServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** GS1-Capture-Error-Behaviour: `rollback` stores all or nothing; `proceed` stores the good events. */
export type CaptureErrorBehaviour = 'rollback' | 'proceed';

/** A capture job as the EPCIS REST bindings show it (`GET /epcis/capture/{captureID}`). */
export interface CaptureJobView {
  readonly captureID: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  /** Whether the job still works; a capture finishes before it is answered, so false once seen. */
  readonly running: boolean;
  /** false when any event was refused (with `proceed`, the others were stored). */
  readonly success: boolean;
  readonly captureErrorBehaviour: CaptureErrorBehaviour;
  /** How many events the document held, and how many were stored. */
  readonly eventCount: number;
  readonly capturedCount: number;
  readonly errors: readonly Problem[];
}

/** What a single event's capture answers: its id (the event hash when it came without one). */
export interface CapturedEvent {
  readonly eventID: string;
  readonly capture: CaptureJobView;
}

interface Candidate {
  /** Index in the document's eventList. */
  readonly index: number;
  readonly event: Readonly<Record<string, unknown>>;
  readonly normal: EventNormalForm;
}

function jobView(row: EpcisCaptureRow): CaptureJobView {
  return {
    captureID: String(row.id),
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
    running: row.state === 'running',
    success: row.state !== 'failed',
    captureErrorBehaviour: row.errorBehaviour,
    eventCount: row.eventCount,
    capturedCount: row.capturedCount,
    errors: row.errors === null ? [] : (JSON.parse(row.errors) as Problem[]),
  };
}

const isError = (p: Problem) => p.severity === 'error';

/** The event a problem is about, by its index in the document (undefined for the document itself). */
function eventIndexOf(p: Problem): number | undefined {
  const event = p.details?.['event'];
  return typeof event === 'number' ? event : undefined;
}

/**
 * The EPCIS repository's capture: documents and single events from partners and machines,
 * validated (the GS1 schema and what it cannot say), identified (the eventID, or the CBV 2.0
 * event hash), stored with their identifiers in one normal form, and audited as one
 * `epcis_capture.finished` journal event per capture, all in one transaction.
 *
 * @example
 * const job = await app.epcis.capture(caller, document, { errorBehaviour: 'rollback' });
 * // job.success, job.capturedCount; GET /epcis/capture/{job.captureID} shows it again
 */
export class EpcisService {
  readonly #deps: EpcisServiceDeps;
  readonly #query: EpcisQueryService;

  constructor(deps: EpcisServiceDeps) {
    this.#deps = deps;
    this.#query = new EpcisQueryService(deps.store, () => deps.clock.now().toISOString());
  }

  /**
   * The events the standard query parameters select (`GET /epcis/events`), a page of them, as an
   * EPCISQueryDocument, identifiers in the `GS1-EPC-Format` asked for.
   */
  async events(caller: Caller, params: EpcisQueryParams, epcFormat?: string): Promise<EpcisPage<Record<string, unknown>>> {
    return this.#query.events(caller.companyId, params, epcFormat);
  }

  /** A collection of what the repository knows (`/epcis/eventTypes`, `/epcis/epcs`, `/epcis/bizSteps`, ...), a page of it. */
  async collection(caller: Caller, resource: EpcisResource, params: EpcisQueryParams, epcFormat?: string): Promise<EpcisPage<EpcisCollectionView>> {
    return this.#query.collection(caller.companyId, resource, params, epcFormat);
  }

  /** A member of a collection (`/epcis/epcs/{epc}`, ...): its sub-resources. */
  member(resource: EpcisResource, value: string): EpcisCollectionView {
    return this.#query.member(resource, value);
  }

  /** The events of a collection's member (`/epcis/epcs/{epc}/events`, `/epcis/bizSteps/{bizStep}/events`, ...). */
  async memberEvents(caller: Caller, resource: EpcisResource, value: string, params: EpcisQueryParams, epcFormat?: string): Promise<EpcisPage<Record<string, unknown>>> {
    return this.#query.memberEvents(caller.companyId, resource, value, params, epcFormat);
  }

  /**
   * Captures an EPCISDocument. A body that cannot be read as a document, and with `rollback` any
   * refused event, refuses the whole capture (nothing is stored, every problem is named); with
   * `proceed` the good events are stored and the job lists the refused ones.
   */
  async capture(caller: Caller, body: unknown, options: { readonly errorBehaviour?: CaptureErrorBehaviour } = {}): Promise<CaptureJobView> {
    const document = typeof body === 'string' ? parseOrKeep(body) : body;
    const validation = validateEpcisDocument(document);
    const context = (document as { '@context'?: unknown } | null)?.['@context'];
    return (await this.#capture(caller, validation, context, options.errorBehaviour ?? 'rollback')).job;
  }

  /** Captures one event (`POST /epcis/events`): stored, or refused with every problem named. */
  async captureEvent(caller: Caller, body: unknown): Promise<CapturedEvent> {
    const event = typeof body === 'string' ? parseOrKeep(body) : body;
    const validation = validateEpcisEvent(event);
    const context = (event as { '@context'?: unknown } | null)?.['@context'];
    const { job, eventIds } = await this.#capture(caller, validation, context, 'rollback');
    return { eventID: eventIds[0]!, capture: job };
  }

  /**
   * One stored event as the REST bindings answer it (`GET /epcis/events/{eventID}`): an
   * EPCISQueryDocument that encloses it, and its error declaration after it when there is one.
   */
  async event(caller: Caller, eventID: string, epcFormat?: string): Promise<Record<string, unknown>> {
    const format = parseEpcFormat(epcFormat);
    // The event, and its error declaration when one was captured: both carry its eventID.
    const rows = await this.#deps.store.read((tx) => tx.epcis.findByEventIds(caller.companyId, [eventID]));
    if (rows.length === 0) throw new SerialtraceError('EPCIS_EVENT_NOT_FOUND', { eventID });
    const shown = await this.#query.formatter(caller.companyId, format);
    return queryDocument(
      rows.map((row) => shown(JSON.parse(row.document) as Record<string, unknown>)),
      this.#deps.clock.now().toISOString(),
    );
  }

  async findCapture(caller: Caller, captureID: string): Promise<CaptureJobView> {
    const id = /^[1-9]\d{0,15}$/.test(captureID) ? Number(captureID) : undefined;
    const row = id === undefined ? undefined : await this.#deps.store.read((tx) => tx.epcis.findCapture(caller.companyId, id));
    if (row === undefined) throw new SerialtraceError('EPCIS_CAPTURE_NOT_FOUND', { captureID });
    return jobView(row);
  }

  /** Captures the validated events; answers the finished job and the ids of the events stored, in order. */
  async #capture(
    caller: Caller,
    validation: EpcisValidation,
    context: unknown,
    errorBehaviour: CaptureErrorBehaviour,
  ): Promise<{ readonly job: CaptureJobView; readonly eventIds: readonly string[] }> {
    const errors = validation.problems.filter(isError);
    // A body that is no document at all has no events to proceed with.
    if (validation.events.length === 0 || errors.some((p) => eventIndexOf(p) === undefined)) {
      throw SerialtraceError.fromProblems(errors.length > 0 ? errors : [problem('EPCIS_DOCUMENT_INVALID', { reason: 'it holds no events' })]);
    }
    if (errors.length > 0 && errorBehaviour === 'rollback') throw SerialtraceError.fromProblems(errors);
    const refused = new Set(errors.map(eventIndexOf));
    const candidates: Candidate[] = [];
    const problems: Problem[] = [...errors];
    validation.events.forEach((event, index) => {
      if (refused.has(index)) return;
      try {
        candidates.push({ index, event, normal: eventNormalForm(event, context) });
      } catch (error) {
        if (!(error instanceof SerialtraceError)) throw error;
        problems.push(...error.problems.map((p) => ({ ...p, details: { ...p.details, event: index } })));
      }
    });
    if (problems.length > 0 && errorBehaviour === 'rollback') throw SerialtraceError.fromProblems(problems);

    return this.#deps.store.write(async (tx) => {
      const at = this.#deps.clock.now().toISOString();
      const duplicates = await this.#duplicates(tx, caller.companyId, candidates);
      if (duplicates.length > 0 && errorBehaviour === 'rollback') {
        throw new SerialtraceError('EPCIS_EVENT_DUPLICATE', duplicates[0]!.details ?? {}, duplicates);
      }
      const refusedNow = new Set(duplicates.map(eventIndexOf));
      const kept = candidates.filter((c) => !refusedNow.has(c.index));
      const allProblems = [...problems, ...duplicates].sort((a, b) => (eventIndexOf(a) ?? -1) - (eventIndexOf(b) ?? -1));
      const job = await tx.epcis.createCapture(caller.companyId, errorBehaviour, validation.events.length, { at, actor: caller.actor });
      await tx.epcis.insertEvents(kept.map((c) => storedEvent(caller.companyId, c, at, job.id, context)));
      await tx.epcis.finishCapture(job.id, {
        state: allProblems.length > 0 ? 'failed' : 'success',
        capturedCount: kept.length,
        errors: allProblems.length > 0 ? JSON.stringify(allProblems) : null,
        at,
      });
      await appendAudit(tx, caller, at, [
        {
          action: 'epcis_capture.finished',
          entityType: 'epcis_capture',
          entityId: String(job.id),
          data: { events: validation.events.length, captured: kept.length, errorBehaviour },
        },
      ]);
      const finished = await tx.epcis.findCapture(caller.companyId, job.id);
      return { job: jobView(finished!), eventIds: kept.map((c) => c.normal.eventId) };
    });
  }

  /**
   * Events captured before, or twice in this document: the same eventID, or (for an event that
   * declares no error) the same event hash. An error declaration carries the eventID of the event
   * it declares wrong (EPCIS 2.0, 7.4.1.2), and its hash may repeat that event's; one declaration
   * per eventID is kept, a second is a duplicate.
   */
  async #duplicates(tx: StoreTransaction, companyId: number, candidates: readonly Candidate[]): Promise<Problem[]> {
    if (candidates.length === 0) return [];
    const idKey = (eventId: string, declared: boolean) => `${declared ? 'declared' : 'event'} ${eventId}`;
    const ids = [...new Set(candidates.map((c) => c.normal.eventId))];
    const hashes = [...new Set(candidates.filter((c) => !c.normal.errorDeclared).map((c) => c.normal.eventHash))];
    const storedIds = new Set((await tx.epcis.findByEventIds(companyId, ids)).map((row) => idKey(row.eventId, row.errorDeclared)));
    const storedHashes = new Set((await tx.epcis.findByHashes(companyId, hashes)).filter((row) => !row.errorDeclared).map((row) => row.eventHash));
    const seenIds = new Set<string>();
    const seenHashes = new Set<string>();
    const found: Problem[] = [];
    for (const { index, normal } of candidates) {
      const key = idKey(normal.eventId, normal.errorDeclared);
      const hashRepeats = !normal.errorDeclared && (storedHashes.has(normal.eventHash) || seenHashes.has(normal.eventHash));
      if (storedIds.has(key) || seenIds.has(key) || hashRepeats) {
        found.push(problem('EPCIS_EVENT_DUPLICATE', { event: index, eventID: normal.eventId, field: `/epcisBody/eventList/${index}` }));
      }
      seenIds.add(key);
      if (!normal.errorDeclared) seenHashes.add(normal.eventHash);
    }
    return found;
  }
}

function parseOrKeep(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The validator names what is wrong with text that is no JSON.
    return text;
  }
}

/**
 * An event serialtrace writes itself (a pack, an unpack), as the repository stores it: the same
 * normal form and hash as a captured one, no capture job.
 */
export function ownEvent(companyId: number, event: Readonly<Record<string, unknown>>, recordTime: string): NewEpcisEvent {
  return storedEvent(companyId, { index: 0, event, normal: eventNormalForm(event) }, recordTime, null, undefined);
}

function storedEvent(companyId: number, candidate: Candidate, recordTime: string, captureId: number | null, context: unknown): NewEpcisEvent {
  const { normal, event } = candidate;
  return {
    companyId,
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
    captureId,
    // The event as captured, with the id it is known by, the time the repository took it, and
    // the document's @context, without which its extensions' prefixes would mean nothing.
    document: JSON.stringify({ ...(context === undefined || '@context' in event ? {} : { '@context': context }), ...event, eventID: normal.eventId, recordTime }),
    identifiers: normal.identifiers,
  };
}
