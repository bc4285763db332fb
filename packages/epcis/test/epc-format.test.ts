import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeKey, SerialtraceError, sgtinUrn } from '@serialtrace/core';
import { canonicalIdentifier, EPC_FORMATS, formatEventIdentifiers, parseEpcFormat, type EpcFormat } from '@serialtrace/epcis';

const FIXTURES = fileURLToPath(new URL('./fixtures/epcis/', import.meta.url));

function eventsOf(path: string): Record<string, unknown>[] {
  const document = JSON.parse(readFileSync(FIXTURES + path, 'utf8'));
  return document.epcisBody.eventList;
}

/** Every GS1 URN-written event of the GS1 examples that names identifiers in each place the format touches. */
const URN_EVENTS = [
  ...eventsOf('Example_9.6.1-ObjectEvent.jsonld'),
  ...eventsOf('Example_9.6.2-ObjectEvent.jsonld'),
  ...eventsOf('Example_9.6.3-AggregationEvent.jsonld'),
  ...eventsOf('Example_9.6.4-TransformationEvent.jsonld'),
  ...eventsOf('WithFullCombinationOfFields/object_event_all_possible_fields.jsonld'),
  ...eventsOf('WithFullCombinationOfFields/aggregation_event_all_possible_fields.jsonld'),
  ...eventsOf('WithFullCombinationOfFields/transaction_event_all_possible_fields.jsonld'),
  ...eventsOf('WithFullCombinationOfFields/transformation_event_all_possible_fields.jsonld'),
  ...eventsOf('WithFullCombinationOfFields/association_event_all_possible_fields.jsonld'),
  ...eventsOf('WithSensorData/SensorDataExample7.jsonld'),
];

/** The identifiers the format converts, by where they stand: `path` is a readable address. */
function identifiersOf(event: any): { path: string; value: string }[] {
  const found: { path: string; value: string }[] = [];
  const add = (path: string, value: unknown) => {
    if (typeof value === 'string') found.push({ path, value });
  };
  for (const list of ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']) (event[list] ?? []).forEach((v: unknown, i: number) => add(`${list}[${i}]`, v));
  add('parentID', event.parentID);
  for (const list of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']) {
    (event[list] ?? []).forEach((e: any, i: number) => add(`${list}[${i}].epcClass`, e?.epcClass));
  }
  add('readPoint.id', event.readPoint?.id);
  add('bizLocation.id', event.bizLocation?.id);
  (event.sourceList ?? []).forEach((e: any, i: number) => add(`sourceList[${i}].source`, e?.source));
  (event.destinationList ?? []).forEach((e: any, i: number) => add(`destinationList[${i}].destination`, e?.destination));
  (event.bizTransactionList ?? []).forEach((e: any, i: number) => add(`bizTransactionList[${i}].bizTransaction`, e?.bizTransaction));
  (event.sensorElementList ?? []).forEach((e: any, i: number) => {
    add(`sensorElementList[${i}].sensorMetadata.deviceID`, e?.sensorMetadata?.deviceID);
    (e?.sensorReport ?? []).forEach((r: any, j: number) => add(`sensorElementList[${i}].sensorReport[${j}].deviceID`, r?.deviceID));
  });
  return found;
}

/** The event with every converted place emptied: what must stay the same whatever the format. */
function withoutIdentifiers(event: Record<string, unknown>): unknown {
  const copy = structuredClone(event) as any;
  for (const { path } of identifiersOf(event)) {
    const keys = path.split(/\.|\[|\]\.?/).filter((k) => k !== '');
    let at = copy;
    for (const key of keys.slice(0, -1)) at = at[key];
    at[keys.at(-1) as string] = '*';
  }
  return copy;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Company prefix lengths as the URNs that named them say: the first field after the scheme. */
function prefixLengthsOf(events: readonly Record<string, unknown>[]): Map<string, number> {
  const lengths = new Map<string, number>();
  for (const event of events) {
    for (const { value } of identifiersOf(event)) {
      const match = /^urn:epc:(?:id|class|idpat):(?!gid|usdod|adi|bic|imovn)[a-z]+:(\d+)\./.exec(value);
      if (match) lengths.set(canonicalIdentifier(value), (match[1] ?? '').length);
    }
  }
  return lengths;
}

describe('parseEpcFormat', () => {
  it.each(EPC_FORMATS)('reads %s', (format) => {
    expect(parseEpcFormat(format)).toBe(format);
    expect(parseEpcFormat(` ${format} `)).toBe(format);
  });

  it('defaults to Always_GS1_Digital_Link, as the REST bindings say, when the header is absent or empty', () => {
    expect(parseEpcFormat(undefined)).toBe('Always_GS1_Digital_Link');
    expect(parseEpcFormat('')).toBe('Always_GS1_Digital_Link');
    expect(parseEpcFormat('  ')).toBe('Always_GS1_Digital_Link');
  });

  it.each(['Sometimes', 'always_epc_urn', 'Always_EPC_URN, Never_Translates'])('refuses %j naming the header', (value) => {
    let error: unknown;
    try {
      parseEpcFormat(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SerialtraceError);
    expect((error as SerialtraceError).code).toBe('EPCIS_QUERY_PARAMETER_INVALID');
    expect((error as SerialtraceError).details.parameter).toBe('GS1-EPC-Format');
  });
});

describe('formatEventIdentifiers', () => {
  it('covers every place in the examples: each holds at least one identifier somewhere', () => {
    const places = new Set(URN_EVENTS.flatMap((event) => identifiersOf(event).map(({ path }) => path.replace(/\[\d+\]/g, '[]'))));
    expect([...places].sort()).toEqual(
      [
        'bizLocation.id',
        'bizTransactionList[].bizTransaction',
        'childEPCs[]',
        'childQuantityList[].epcClass',
        'destinationList[].destination',
        'epcList[]',
        'inputEPCList[]',
        'inputQuantityList[].epcClass',
        'outputEPCList[]',
        'outputQuantityList[].epcClass',
        'parentID',
        'quantityList[].epcClass',
        'readPoint.id',
        'sensorElementList[].sensorMetadata.deviceID',
        'sensorElementList[].sensorReport[].deviceID',
        'sourceList[].source',
      ].sort(),
    );
  });

  it.each(['No_Preference', 'Never_Translates'] as EpcFormat[])('%s keeps the event as captured, in a copy', (format) => {
    for (const event of URN_EVENTS) {
      const formatted = formatEventIdentifiers(event, format, () => 7);
      expect(formatted).toEqual(event);
      expect(formatted).not.toBe(event);
    }
  });

  it('Always_GS1_Digital_Link writes every EPC URN as its canonical Digital Link and leaves the rest', () => {
    for (const event of URN_EVENTS) {
      const formatted = formatEventIdentifiers(event, 'Always_GS1_Digital_Link');
      const before = identifiersOf(event);
      const after = identifiersOf(formatted);
      expect(after.map((i) => i.path)).toEqual(before.map((i) => i.path));
      after.forEach(({ path, value }, i) => {
        const original = before[i]?.value ?? '';
        const expected = original.startsWith('urn:epc:') ? (canonicalIdentifier(original) ?? original) : original;
        expect(value, `${String(event.eventID)} ${path}`).toBe(expected);
      });
      expect(withoutIdentifiers(formatted)).toEqual(withoutIdentifiers(event));
    }
    const [aggregation = {}] = eventsOf('Example_9.6.3-AggregationEvent.jsonld');
    expect(formatEventIdentifiers(aggregation, 'Always_GS1_Digital_Link')).toMatchObject({
      parentID: 'https://id.gs1.org/00/106141412345678908',
      childEPCs: ['https://id.gs1.org/01/10614141073464/21/2017', 'https://id.gs1.org/01/10614141073464/21/2018'],
      childQuantityList: [
        { epcClass: 'https://id.gs1.org/01/04012345987652', quantity: 10 },
        { epcClass: 'https://id.gs1.org/01/04012345123456/10/998877', quantity: 200.5, uom: 'KGM' },
      ],
      readPoint: { id: 'https://id.gs1.org/414/0614141007776' },
    });
  });

  it('leaves identifiers that are no GS1 key, and Digital Links, as they are', () => {
    const event = {
      epcList: ['urn:epc:id:gid:95100000.12345.400', 'https://example.com/01/10614141073464/21/2017', 'urn:uuid:1'],
      readPoint: { id: 'https://example.org/dock/4' },
    };
    expect(formatEventIdentifiers(event, 'Always_GS1_Digital_Link')).toEqual(event);
  });

  it('Always_EPC_URN takes the Digital Links back to the URNs they came from (round trip)', () => {
    const lengths = prefixLengthsOf(URN_EVENTS);
    const lookups: string[] = [];
    const prefixLength = (dl: string) => {
      lookups.push(dl);
      return lengths.get(dl);
    };
    for (const event of URN_EVENTS) {
      const digitalLinks = formatEventIdentifiers(event, 'Always_GS1_Digital_Link');
      expect(formatEventIdentifiers(digitalLinks, 'Always_EPC_URN', prefixLength)).toEqual(event);
    }
    expect(lookups.every((dl) => dl.startsWith('https://id.gs1.org/'))).toBe(true);
  });

  it('Always_EPC_URN writes Digital Links on any host, given the company prefix length', () => {
    const event = {
      epcList: ['https://brand.example.com/01/70614141123451/21/2017'],
      quantityList: [{ epcClass: 'https://id.gs1.org/01/04012345666663', quantity: 220 }],
      readPoint: { id: 'https://id.gs1.org/414/0614141073467/254/1234' },
    };
    const seen: string[] = [];
    const formatted = formatEventIdentifiers(event, 'Always_EPC_URN', (dl) => {
      seen.push(dl);
      return 7;
    });
    expect(formatted).toEqual({
      epcList: ['urn:epc:id:sgtin:0614141.712345.2017'],
      quantityList: [{ epcClass: 'urn:epc:idpat:sgtin:4012345.066666.*', quantity: 220 }],
      readPoint: { id: 'urn:epc:id:sgln:0614141.07346.1234' },
    });
    // The lookup sees the canonical Digital Link, whatever host the event was captured with.
    expect(seen).toContain('https://id.gs1.org/01/70614141123451/21/2017');
  });

  it('Always_EPC_URN keeps a Digital Link whose prefix length is unknown, unfit, or that has no URN form', () => {
    const event = {
      epcList: ['https://id.gs1.org/01/70614141123451/21/2017', 'https://id.gs1.org/8004/4000001111', 'urn:epc:id:sgtin:0614141.107346.2017'],
      quantityList: [{ epcClass: 'https://id.gs1.org/01/09521141012345/22/V1', quantity: 1 }],
      parentID: 'https://id.gs1.org/00/106141412345678908',
    };
    // No lookup at all, a lookup that knows nothing, and one that answers an impossible length.
    expect(formatEventIdentifiers(event, 'Always_EPC_URN')).toEqual(event);
    expect(formatEventIdentifiers(event, 'Always_EPC_URN', () => undefined)).toEqual(event);
    expect(formatEventIdentifiers(event, 'Always_EPC_URN', () => 13)).toEqual(event);
    // GIAI 4000001111 has no 12-digit company prefix followed by a reference; the GTIN and SSCC have.
    expect(formatEventIdentifiers(event, 'Always_EPC_URN', () => 12)).toEqual({
      ...event,
      epcList: ['urn:epc:id:sgtin:061414112345.7.2017', 'https://id.gs1.org/8004/4000001111', 'urn:epc:id:sgtin:0614141.107346.2017'],
      parentID: 'urn:epc:id:sscc:061414123456.17890',
    });
  });

  it('never changes its input', () => {
    for (const event of URN_EVENTS) {
      const frozen = deepFreeze(structuredClone(event));
      const text = JSON.stringify(frozen);
      for (const format of EPC_FORMATS) formatEventIdentifiers(frozen, format, () => 7);
      formatEventIdentifiers(formatEventIdentifiers(frozen, 'Always_GS1_Digital_Link'), 'Always_EPC_URN', () => 7);
      expect(JSON.stringify(frozen)).toBe(text);
    }
  });

  it('round-trips any SGTIN with its company prefix length (property)', () => {
    const digits = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 13, maxLength: 13 }).map((d) => d.join(''));
    const serial = fc.stringMatching(/^[A-Za-z0-9'()*+,\-.:;=_!]{1,20}$/);
    fc.assert(
      fc.property(fc.integer({ min: 6, max: 12 }), digits, serial, (length, body, text) => {
        const urn = sgtinUrn(completeKey(body), length, text);
        const event = { type: 'ObjectEvent', epcList: [urn], parentID: urn };
        const digitalLink = formatEventIdentifiers(event, 'Always_GS1_Digital_Link');
        expect(digitalLink.epcList).toEqual([canonicalIdentifier(urn)]);
        expect(formatEventIdentifiers(digitalLink, 'Always_EPC_URN', () => length)).toEqual(event);
      }),
    );
  });
});
