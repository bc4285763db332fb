import { canonicalDigitalLink, digitalLinkToEpcUrn, SerialtraceError } from '@serialtrace/core';

/**
 * The `GS1-EPC-Format` header: how a client wants EPCs written in the events it is sent.
 * `No_Preference` leaves the choice to the server (which keeps them as captured),
 * `Never_Translates` asks for them as captured.
 */
export type EpcFormat = 'No_Preference' | 'Always_GS1_Digital_Link' | 'Always_EPC_URN' | 'Never_Translates';

/** Every value of the header, in the order the REST bindings list them (a server announces them all). */
export const EPC_FORMATS: readonly EpcFormat[] = ['No_Preference', 'Always_GS1_Digital_Link', 'Always_EPC_URN', 'Never_Translates'];

/**
 * The format a request's `GS1-EPC-Format` header asks for. Absent (or empty), it is
 * `Always_GS1_Digital_Link`: the REST bindings make that the default ("If absent the default
 * value is Always_GS1_Digital_Link"). An unknown value is refused with
 * EPCIS_QUERY_PARAMETER_INVALID naming the header.
 *
 * @example parseEpcFormat('Always_EPC_URN') === 'Always_EPC_URN'
 * @example parseEpcFormat(undefined) === 'Always_GS1_Digital_Link'
 */
export function parseEpcFormat(header: string | undefined): EpcFormat {
  const text = header?.trim() ?? '';
  if (text === '') return 'Always_GS1_Digital_Link';
  const format = EPC_FORMATS.find((known) => known === text);
  if (format === undefined) {
    throw new SerialtraceError('EPCIS_QUERY_PARAMETER_INVALID', {
      parameter: 'GS1-EPC-Format',
      reason: `"${text}" is no EPC format; expected ${EPC_FORMATS.join(', ')}`,
    });
  }
  return format;
}

/**
 * The event with every EPC and class identifier in the format asked for: epcList, parentID,
 * childEPCs, inputEPCList, outputEPCList, the epcClass of every quantity list, readPoint.id,
 * bizLocation.id, source and destination values, business transaction identifiers, and the
 * deviceID of sensor metadata and reports. `No_Preference` and `Never_Translates`: as captured.
 * `Always_GS1_Digital_Link`: EPC URNs become canonical Digital Links (Digital Links stay as
 * captured). `Always_EPC_URN`: Digital Links become EPC URNs, given the company prefix length
 * that `companyPrefixLength` finds for the canonical Digital Link; where it knows none, or the
 * identifier has no URN form, the Digital Link stays. Values that are no GS1 identifier stay as
 * they are. Does not mutate its input.
 *
 * @example
 * formatEventIdentifiers({ epcList: ['urn:epc:id:sgtin:0614141.107346.2017'] }, 'Always_GS1_Digital_Link').epcList
 * // ['https://id.gs1.org/01/10614141073464/21/2017']
 */
export function formatEventIdentifiers(
  event: Readonly<Record<string, unknown>>,
  format: EpcFormat,
  companyPrefixLength?: (digitalLink: string) => number | undefined,
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...event };
  if (format === 'No_Preference' || format === 'Never_Translates') return copy;
  const convert = format === 'Always_GS1_Digital_Link' ? toDigitalLink : (text: string) => toEpcUrn(text, companyPrefixLength);
  const identifier = (value: unknown): unknown => (typeof value === 'string' ? convert(value) : value);
  /** `object[member]` converted, on a copy of the object; anything that is no object is left alone. */
  const member = (object: unknown, name: string): unknown => {
    if (typeof object !== 'object' || object === null || Array.isArray(object) || !(name in object)) return object;
    return { ...object, [name]: identifier((object as Record<string, unknown>)[name]) };
  };
  const each = (list: unknown, change: (item: unknown) => unknown): unknown => (Array.isArray(list) ? list.map(change) : list);

  for (const name of ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']) {
    if (name in copy) copy[name] = each(copy[name], identifier);
  }
  if ('parentID' in copy) copy.parentID = identifier(copy.parentID);
  for (const name of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']) {
    if (name in copy) copy[name] = each(copy[name], (element) => member(element, 'epcClass'));
  }
  if ('readPoint' in copy) copy.readPoint = member(copy.readPoint, 'id');
  if ('bizLocation' in copy) copy.bizLocation = member(copy.bizLocation, 'id');
  if ('sourceList' in copy) copy.sourceList = each(copy.sourceList, (element) => member(element, 'source'));
  if ('destinationList' in copy) copy.destinationList = each(copy.destinationList, (element) => member(element, 'destination'));
  // Transactions are often GS1 keys too (a GDTI, GINC or GSIN); a reader that asked for URNs wants them alike.
  if ('bizTransactionList' in copy) copy.bizTransactionList = each(copy.bizTransactionList, (element) => member(element, 'bizTransaction'));
  if ('sensorElementList' in copy) {
    copy.sensorElementList = each(copy.sensorElementList, (element) => {
      if (typeof element !== 'object' || element === null || Array.isArray(element)) return element;
      const { sensorMetadata, sensorReport } = element as Record<string, unknown>;
      return {
        ...element,
        ...(sensorMetadata === undefined ? {} : { sensorMetadata: member(sensorMetadata, 'deviceID') }),
        ...(sensorReport === undefined ? {} : { sensorReport: each(sensorReport, (report) => member(report, 'deviceID')) }),
      };
    });
  }
  return copy;
}

/** An EPC URN as its canonical Digital Link; any other text as it is. */
function toDigitalLink(text: string): string {
  if (!text.startsWith('urn:epc:')) return text;
  return quietly(() => canonicalDigitalLink(text)) ?? text;
}

/** A GS1 Digital Link as its EPC URN when the company prefix length is known; any other text as it is. */
function toEpcUrn(text: string, companyPrefixLength: ((digitalLink: string) => number | undefined) | undefined): string {
  if (companyPrefixLength === undefined || !/^https?:\/\//i.test(text)) return text;
  const canonical = quietly(() => canonicalDigitalLink(text));
  if (canonical === undefined) return text;
  const length = companyPrefixLength(canonical);
  if (length === undefined) return text;
  return quietly(() => digitalLinkToEpcUrn(canonical, length)) ?? text;
}

/**
 * The answer, or undefined where serialtrace refuses the identifier: events were checked when
 * captured, and a prefix length that does not fit one key must not keep a whole answer from a
 * reader; that identifier stays as captured.
 */
function quietly(convert: () => string | undefined): string | undefined {
  try {
    return convert();
  } catch (error) {
    if (error instanceof SerialtraceError) return undefined;
    throw error;
  }
}
