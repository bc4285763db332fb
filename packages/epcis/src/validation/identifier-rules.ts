import { checkEpcisIdentifier, type EpcisIdentifierRole } from '@serialtrace/core';
import { isRecord, QUANTITY_LISTS, type EpcisEvent, type EventFinding } from './event-rules.js';

const EPC_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'] as const;
const PARTY_TYPES: readonly unknown[] = ['owning_party', 'possessing_party'];

/** What each role is called when an identifier refuses without saying its kind. */
const ROLE_KINDS: Readonly<Record<EpcisIdentifierRole, string>> = {
  epc: 'EPC',
  class: 'EPC class',
  location: 'location',
  party: 'party',
  transaction: 'business transaction',
  any: 'identifier',
};

function check(text: unknown, role: EpcisIdentifierRole, pointer: string): EventFinding | undefined {
  if (typeof text !== 'string') return undefined;
  const found = checkEpcisIdentifier(text, role).problem;
  if (found === undefined) return undefined;
  const details = found.details ?? {};
  // The checker may pass on a GS1 parser's own refusal (a check digit, an unknown AI); its message is the reason.
  const kind = found.code === 'EPCIS_IDENTIFIER_INVALID' && typeof details['kind'] === 'string' ? details['kind'] : ROLE_KINDS[role];
  const reason = found.code === 'EPCIS_IDENTIFIER_INVALID' && typeof details['reason'] === 'string' ? details['reason'] : found.message;
  return {
    rule: 'identifier',
    pointer,
    reason,
    severity: found.severity,
    details: { kind, value: text, reason, ...(found.code === 'EPCIS_IDENTIFIER_INVALID' ? {} : { cause: found.code }) },
  };
}

/**
 * Every identifier of an event is a well-formed EPC URN or GS1 Digital Link of its role (check
 * digits included), or a URI of another scheme: EPCs in the EPC lists and parentID, classes in
 * quantity lists, locations in readPoint and bizLocation, parties in owning and possessing
 * sources and destinations, transactions in bizTransactionList.
 */
export function identifierRule(event: EpcisEvent): EventFinding[] {
  const findings: (EventFinding | undefined)[] = [];
  for (const list of EPC_LISTS) {
    const values = event[list];
    if (Array.isArray(values)) values.forEach((value: unknown, i) => findings.push(check(value, 'epc', `/${list}/${i}`)));
  }
  findings.push(check(event['parentID'], 'epc', '/parentID'));
  for (const list of QUANTITY_LISTS) {
    const elements = event[list];
    if (!Array.isArray(elements)) continue;
    elements.forEach((element: unknown, i) => {
      if (isRecord(element)) findings.push(check(element['epcClass'], 'class', `/${list}/${i}/epcClass`));
    });
  }
  for (const place of ['readPoint', 'bizLocation'] as const) {
    const value = event[place];
    if (isRecord(value)) findings.push(check(value['id'], 'location', `/${place}/id`));
  }
  for (const [list, key] of [['sourceList', 'source'], ['destinationList', 'destination']] as const) {
    const entries = event[list];
    if (!Array.isArray(entries)) continue;
    entries.forEach((entry: unknown, i) => {
      if (!isRecord(entry)) return;
      const role: EpcisIdentifierRole = PARTY_TYPES.includes(entry['type']) ? 'party' : entry['type'] === 'location' ? 'location' : 'any';
      findings.push(check(entry[key], role, `/${list}/${i}/${key}`));
    });
  }
  const transactions = event['bizTransactionList'];
  if (Array.isArray(transactions)) {
    transactions.forEach((entry: unknown, i) => {
      if (isRecord(entry)) findings.push(check(entry['bizTransaction'], 'transaction', `/bizTransactionList/${i}/bizTransaction`));
    });
  }
  return findings.filter((finding): finding is EventFinding => finding !== undefined);
}
