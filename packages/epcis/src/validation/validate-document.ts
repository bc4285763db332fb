import { problem, type Problem } from '@serialtrace/core';
import { schemaErrors } from './epcis-schema.js';
import { eventRuleFindings, isRecord, withArticle, type EventFinding } from './event-rules.js';
import { identifierRule } from './identifier-rules.js';
import { translateSchemaErrors, type SchemaFinding } from './schema-errors.js';

/** What validating a capture body found: its events (in order) and every problem in them. */
export interface EpcisValidation {
  /** The events of the body, empty when it could not be read as a document or event at all. */
  readonly events: readonly Readonly<Record<string, unknown>>[];
  /** Every problem, document-level ones first, then event by event; warnings never refuse. */
  readonly problems: readonly Problem[];
}

const EVENT_POINTER = /^\/epcisBody\/eventList\/(\d+)(?=\/|$)/;

function documentProblem(reason: string, field?: string): Problem {
  return problem('EPCIS_DOCUMENT_INVALID', { reason, ...(field === undefined ? {} : { field, rule: 'schema' }) });
}

function refused(reason: string, field?: string): EpcisValidation {
  return { events: [], problems: [documentProblem(reason, field)] };
}

/** The value of JSON text, or of an already parsed body. */
function read(input: unknown): { readonly value: unknown } | { readonly refusal: EpcisValidation } {
  if (typeof input !== 'string') return { value: input };
  try {
    return { value: JSON.parse(input) as unknown };
  } catch (error) {
    return { refusal: refused(`the body is not JSON (${error instanceof Error ? error.message : String(error)})`) };
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function eventProblem(index: number, event: unknown, base: string, finding: EventFinding): Problem {
  const eventID: Record<string, string> = isRecord(event) && typeof event['eventID'] === 'string' ? { eventID: event['eventID'] } : {};
  const field = `${base}${finding.pointer}`;
  if (finding.rule === 'identifier') {
    return problem('EPCIS_IDENTIFIER_INVALID', { ...finding.details, event: index, ...eventID, rule: 'identifier', field }, finding.severity);
  }
  return problem(
    'EPCIS_EVENT_INVALID',
    { event: index, ...eventID, reason: finding.reason, rule: finding.rule, field, ...finding.details },
    finding.severity,
  );
}

function schemaFinding(finding: SchemaFinding, eventBase: string): EventFinding {
  return {
    rule: 'schema',
    pointer: finding.pointer.slice(eventBase.length),
    reason: finding.reason,
    severity: 'error',
    ...(finding.details === undefined ? {} : { details: finding.details }),
  };
}

function ruleFindings(event: unknown): EventFinding[] {
  return isRecord(event) ? [...eventRuleFindings(event), ...identifierRule(event)] : [];
}

/**
 * Validates a whole capture body (an EPCISDocument, as JSON text or parsed) against the EPCIS 2.0
 * JSON schema and the rules the schema cannot say, and reports every problem: each names the
 * event (its index in epcisBody.eventList, and its eventID when it has one) and the field (a JSON
 * pointer into the document). A body that is not JSON or not an EPCISDocument gets one
 * EPCIS_DOCUMENT_INVALID problem and no events.
 *
 * @example
 * const { events, problems } = validateEpcisDocument(requestBody);
 * if (problems.some((p) => p.severity === 'error')) throw SerialtraceError.fromProblems(problems);
 * // problems[0]: { code: 'EPCIS_EVENT_INVALID', field: '/epcisBody/eventList/0/action',
 * //   details: { event: 0, rule: 'schema', reason: 'action "CREATE" is not one of OBSERVE, ADD, DELETE', ... } }
 */
export function validateEpcisDocument(input: unknown): EpcisValidation {
  const read_ = read(input);
  if ('refusal' in read_) return read_.refusal;
  const document = read_.value;
  if (!isRecord(document)) return refused(`the body is ${kindOf(document)}, not a JSON object`);
  const type = document['type'];
  if (type !== 'EPCISDocument') {
    if (type === undefined) return refused('it has no "type"; an EPCIS document says "type": "EPCISDocument"', '/type');
    if (type === 'EPCISQueryDocument') return refused('it is an EPCISQueryDocument, the answer to a query; capture takes an EPCISDocument', '/type');
    if (typeof type === 'string' && /Event$/.test(type)) {
      return refused(`it is a single ${type}; send it to POST /epcis/events, or put it in the epcisBody.eventList of an EPCISDocument`, '/type');
    }
    return refused(`its type is ${JSON.stringify(type)}, not "EPCISDocument"`, '/type');
  }
  const body = document['epcisBody'];
  const eventList = isRecord(body) ? body['eventList'] : undefined;
  if (!Array.isArray(eventList)) return refused('it has no epcisBody.eventList, the list of its events', '/epcisBody/eventList');

  const documentProblems: Problem[] = [];
  const perEvent = eventList.map((): EventFinding[] => []);
  const eventOf = (pointer: string): string | undefined => EVENT_POINTER.exec(pointer)?.[0];
  for (const finding of translateSchemaErrors(schemaErrors(document), { root: document, eventOf })) {
    const eventBase = eventOf(finding.pointer);
    const index = eventBase === undefined ? undefined : Number(eventBase.slice('/epcisBody/eventList/'.length));
    const findings = index === undefined ? undefined : perEvent[index];
    if (eventBase === undefined || findings === undefined) documentProblems.push(documentProblem(finding.reason, finding.pointer));
    else findings.push(schemaFinding(finding, eventBase));
  }
  const problems = [...documentProblems];
  eventList.forEach((event: unknown, index) => {
    const base = `/epcisBody/eventList/${index}`;
    for (const finding of [...(perEvent[index] ?? []), ...ruleFindings(event)]) problems.push(eventProblem(index, event, base, finding));
  });
  return { events: eventList.filter(isRecord), problems };
}

/**
 * The same for a single event (POST /epcis/events): `event` is 0 in every problem and fields are
 * pointers into the event. Like an event at the top of a JSON-LD body, it needs its @context.
 *
 * @example
 * validateEpcisEvent({ '@context': 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld', type: 'TransformationEvent', action: 'ADD', ... })
 * // problems: [{ code: 'EPCIS_EVENT_INVALID', field: '/action', details: { event: 0, rule: 'action', ... } }]
 */
export function validateEpcisEvent(input: unknown): EpcisValidation {
  const read_ = read(input);
  if ('refusal' in read_) return read_.refusal;
  const event = read_.value;
  if (!isRecord(event)) return refused(`the body is ${kindOf(event)}, not a JSON object holding one event`);
  const type = event['type'];
  if (typeof type !== 'string') return refused('it has no "type" naming its event type, such as "ObjectEvent"', '/type');
  if (type === 'EPCISDocument' || type === 'EPCISQueryDocument') {
    return refused(`it is ${withArticle(type)}, not a single event; send documents to POST /epcis/capture`, '/type');
  }
  const findings = translateSchemaErrors(schemaErrors(event), { root: event, eventOf: () => '' }).map((f) => schemaFinding(f, ''));
  const problems = [...findings, ...ruleFindings(event)].map((finding) => eventProblem(0, event, '', finding));
  return { events: [event], problems };
}
