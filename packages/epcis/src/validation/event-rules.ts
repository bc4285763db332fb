/**
 * The rules of EPCIS 2.0 that its JSON schema cannot say, each a function of one event. They read
 * the event defensively: a value of the wrong type is the schema's to report, so a rule skips it.
 */

/** Which check found a problem, as `rule` in the problem's details. */
export type EpcisRule = 'schema' | 'timezone' | 'action' | 'quantity' | 'sensor' | 'identifier';

/** One thing wrong with an event, before it becomes a `Problem`. */
export interface EventFinding {
  readonly rule: EpcisRule;
  /** JSON pointer of the value inside the event ('' for the event itself). */
  readonly pointer: string;
  readonly reason: string;
  readonly severity: 'error' | 'warning';
  /** Extra details: an identifier's kind, value and reason, the values a vocabulary allows. */
  readonly details?: Readonly<Record<string, string | readonly string[]>>;
}

export type EpcisEvent = Readonly<Record<string, unknown>>;

/** The event types of EPCIS 2.0 that carry an action. */
export const EVENT_TYPES_WITH_ACTION = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'AssociationEvent'] as const;
export const EPCIS_ACTIONS = ['ADD', 'OBSERVE', 'DELETE'] as const;
export const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'] as const;

const MAX_OFFSET_MINUTES = 14 * 60;

function error(rule: EpcisRule, pointer: string, reason: string): EventFinding {
  return { rule, pointer, reason, severity: 'error' };
}

function warning(rule: EpcisRule, pointer: string, reason: string): EventFinding {
  return { rule, pointer, reason, severity: 'warning' };
}

export function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "an ObjectEvent", "a TransactionEvent". */
export function withArticle(type: string): string {
  return `${/^[AEIOU]/.test(type) ? 'an' : 'a'} ${type}`;
}

function has(event: EpcisEvent, key: string): boolean {
  return event[key] !== undefined;
}

/** Present, and when a list, not empty (a value of another type is the schema's to refuse). */
function given(event: EpcisEvent, key: string): boolean {
  const value = event[key];
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** `+05:30` as minutes east of UTC, or undefined when the text is not of that shape. */
export function offsetMinutes(text: string): number | undefined {
  const match = /^([+-])(\d\d):(\d\d)$/.exec(text);
  if (match === null) return undefined;
  const [, sign, hours, minutes] = match;
  if (Number(minutes) > 59) return undefined;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
}

/** An instant in ms, or undefined; the schema checks the date-time format itself. */
function instant(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * eventTimeZoneOffset is an offset from -14:00 to +14:00, and when eventTime is written with an
 * explicit offset it is the same one. A `Z` time with any offset is how GS1's own examples write
 * it (the instant in UTC, the offset of the place), so that is accepted.
 */
export function timezoneRule(event: EpcisEvent): EventFinding[] {
  const offset = event['eventTimeZoneOffset'];
  if (typeof offset !== 'string') return [];
  const minutes = offsetMinutes(offset);
  if (minutes === undefined) {
    return [error('timezone', '/eventTimeZoneOffset', `eventTimeZoneOffset "${offset}" is not an offset from UTC written as +HH:MM or -HH:MM, such as +02:00`)];
  }
  if (Math.abs(minutes) > MAX_OFFSET_MINUTES) {
    return [error('timezone', '/eventTimeZoneOffset', `eventTimeZoneOffset ${offset} is outside the offsets in use, -14:00 to +14:00`)];
  }
  const eventTime = event['eventTime'];
  if (typeof eventTime !== 'string') return [];
  const written = /([+-]\d\d:\d\d)$/.exec(eventTime)?.[1];
  if (written === undefined) return [];
  const writtenMinutes = offsetMinutes(written);
  if (writtenMinutes === undefined || writtenMinutes === minutes) return [];
  return [
    error(
      'timezone',
      '/eventTimeZoneOffset',
      `eventTimeZoneOffset ${offset} does not match the offset ${written} written in eventTime ${eventTime}; write the same offset in both, or eventTime in UTC with Z`,
    ),
  ];
}

/**
 * Object, Aggregation, Transaction and Association events carry an action; a TransformationEvent
 * has none. ilmd describes objects as they are commissioned, so it needs action ADD; an
 * AggregationEvent that adds or removes children names their parent.
 */
export function actionRule(event: EpcisEvent): EventFinding[] {
  const type = event['type'];
  const action = event['action'];
  if (type === 'TransformationEvent') {
    return has(event, 'action')
      ? [error('action', '/action', 'a TransformationEvent has no action: its inputs are consumed and its outputs created by the event itself; remove action')]
      : [];
  }
  if (!(EVENT_TYPES_WITH_ACTION as readonly unknown[]).includes(type)) return [];
  if (action === undefined) {
    return [error('action', '/action', `${withArticle(String(type))} needs an action: ADD, OBSERVE or DELETE`)];
  }
  const findings: EventFinding[] = [];
  if (type === 'ObjectEvent' && has(event, 'ilmd') && (action === 'OBSERVE' || action === 'DELETE')) {
    findings.push(error('action', '/ilmd', `ilmd (instance and lot master data) belongs to objects as they are created, so it needs action ADD, not ${action}`));
  }
  if (type === 'AggregationEvent' && (action === 'ADD' || action === 'DELETE') && !has(event, 'parentID')) {
    findings.push(error('action', '/parentID', `an AggregationEvent with action ${action} needs the parentID of the container its children are ${action === 'ADD' ? 'put into' : 'taken out of'}`));
  }
  return findings;
}

/**
 * What each event type must name, which the schema says with alternatives (anyOf) whose raw
 * errors would read as several contradicting demands; one sentence says it instead.
 */
export function shapeRule(event: EpcisEvent): EventFinding[] {
  const type = event['type'];
  const deleting = event['action'] === 'DELETE';
  const findings: EventFinding[] = [];
  switch (type) {
    case 'ObjectEvent':
      if (!has(event, 'epcList') && !given(event, 'quantityList') && !(given(event, 'sensorElementList') && has(event, 'readPoint'))) {
        findings.push(error('schema', '', 'an ObjectEvent names what it is about: give an epcList, a quantityList, or a sensorElementList with a readPoint'));
      }
      break;
    case 'AggregationEvent':
    case 'AssociationEvent':
      if (!deleting && !given(event, 'childEPCs') && !given(event, 'childQuantityList')) {
        findings.push(error('schema', '', `${withArticle(type)} needs childEPCs or a childQuantityList with at least one entry; only action DELETE may leave both out`));
      }
      break;
    case 'TransactionEvent':
      if (!deleting && !has(event, 'epcList') && !given(event, 'quantityList')) {
        findings.push(error('schema', '', 'a TransactionEvent needs an epcList or a quantityList; only action DELETE may leave both out'));
      }
      break;
    case 'TransformationEvent': {
      const inputs = given(event, 'inputEPCList') || given(event, 'inputQuantityList');
      const outputs = given(event, 'outputEPCList') || given(event, 'outputQuantityList');
      if (!(inputs && outputs) && !(has(event, 'transformationID') && (inputs || outputs))) {
        findings.push(
          error('schema', '', 'a TransformationEvent needs inputs (inputEPCList or inputQuantityList) and outputs (outputEPCList or outputQuantityList), or a transformationID with at least one of them'),
        );
      }
      break;
    }
    default:
      break;
  }
  const persistent = event['persistentDisposition'];
  if (isRecord(persistent) && persistent['set'] === undefined && persistent['unset'] === undefined) {
    findings.push(error('schema', '/persistentDisposition', 'persistentDisposition needs set or unset (or both), each a list of dispositions'));
  }
  return findings;
}

/**
 * A quantity is not negative, a unit of measure comes with the quantity it measures, and a
 * quantity without a unit counts instances, so it should be whole.
 */
export function quantityRule(event: EpcisEvent): EventFinding[] {
  const findings: EventFinding[] = [];
  for (const list of QUANTITY_LISTS) {
    const elements = event[list];
    if (!Array.isArray(elements)) continue;
    elements.forEach((element: unknown, index) => {
      if (!isRecord(element)) return;
      const at = `/${list}/${index}`;
      const quantity = finite(element['quantity']);
      if (quantity !== undefined && quantity < 0) {
        findings.push(error('quantity', `${at}/quantity`, `${list}[${index}].quantity is ${quantity}; a quantity cannot be negative`));
      }
      if (element['uom'] !== undefined && element['quantity'] === undefined) {
        findings.push(error('quantity', `${at}/uom`, `${list}[${index}] has uom ${JSON.stringify(element['uom'])} but no quantity; give the quantity it measures, or leave uom out`));
      }
      if (quantity !== undefined && element['uom'] === undefined && !Number.isInteger(quantity)) {
        findings.push(warning('quantity', `${at}/quantity`, `${list}[${index}].quantity ${quantity} has no uom, so it counts instances and should be a whole number; add the unit it is measured in`));
      }
    });
  }
  return findings;
}

/**
 * Sensor data that can be true: a report says what it measured (type) or what went wrong
 * (exception), a standard deviation is not negative, a percentile rank lies in 0..100, a time
 * interval does not end before it starts and a minimum is not above a maximum. A mean outside
 * min..max, or a report time outside its element's interval, is only a warning: GS1's own
 * reference examples contain both.
 */
export function sensorRule(event: EpcisEvent): EventFinding[] {
  const elements = event['sensorElementList'];
  if (!Array.isArray(elements)) return [];
  const findings: EventFinding[] = [];
  elements.forEach((element: unknown, e) => {
    if (!isRecord(element)) return;
    const at = `/sensorElementList/${e}`;
    const metadata = isRecord(element['sensorMetadata']) ? element['sensorMetadata'] : {};
    const start = instant(metadata['startTime']);
    const end = instant(metadata['endTime']);
    const interval = start !== undefined && end !== undefined && start <= end;
    if (start !== undefined && end !== undefined && start > end) {
      findings.push(error('sensor', `${at}/sensorMetadata/endTime`, `sensorMetadata endTime ${String(metadata['endTime'])} is before its startTime ${String(metadata['startTime'])}`));
    }
    const metadataTime = instant(metadata['time']);
    if (interval && metadataTime !== undefined && (metadataTime < start || metadataTime > end)) {
      findings.push(warning('sensor', `${at}/sensorMetadata/time`, `sensorMetadata time ${String(metadata['time'])} lies outside its startTime..endTime`));
    }
    const reports = element['sensorReport'];
    if (!Array.isArray(reports)) return;
    reports.forEach((report: unknown, r) => {
      if (!isRecord(report)) return;
      const here = `${at}/sensorReport/${r}`;
      const name = `sensorReport[${r}]`;
      if (report['type'] === undefined && report['exception'] === undefined) {
        findings.push(error('sensor', here, `${name} needs a type (what was measured, such as Temperature) or an exception (ALARM_CONDITION or ERROR_CONDITION)`));
      }
      const min = finite(report['minValue']);
      const max = finite(report['maxValue']);
      const mean = finite(report['meanValue']);
      if (min !== undefined && max !== undefined && min > max) {
        findings.push(error('sensor', `${here}/minValue`, `${name}.minValue ${min} is above its maxValue ${max}`));
      } else if (mean !== undefined && ((min !== undefined && mean < min) || (max !== undefined && mean > max))) {
        findings.push(warning('sensor', `${here}/meanValue`, `${name}.meanValue ${mean} lies outside minValue..maxValue (${min ?? '-'}..${max ?? '-'})`));
      }
      const sDev = finite(report['sDev']);
      if (sDev !== undefined && sDev < 0) {
        findings.push(error('sensor', `${here}/sDev`, `${name}.sDev is ${sDev}; a standard deviation cannot be negative`));
      }
      const percRank = finite(report['percRank']);
      if (percRank !== undefined && (percRank < 0 || percRank > 100)) {
        findings.push(error('sensor', `${here}/percRank`, `${name}.percRank is ${percRank}; a percentile rank lies from 0 to 100`));
      }
      const time = instant(report['time']);
      if (interval && time !== undefined && (time < start || time > end)) {
        findings.push(
          warning('sensor', `${here}/time`, `${name}.time ${String(report['time'])} lies outside the sensorMetadata interval ${String(metadata['startTime'])}..${String(metadata['endTime'])}`),
        );
      }
    });
  });
  return findings;
}

/** Every rule beyond the schema except identifiers, in a stable order. */
export function eventRuleFindings(event: EpcisEvent): EventFinding[] {
  return [...shapeRule(event), ...timezoneRule(event), ...actionRule(event), ...quantityRule(event), ...sensorRule(event)];
}
