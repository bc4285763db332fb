import { describe, expect, it } from 'vitest';
import { eventNormalForm, linkRole } from '@serialtrace/epcis';

const SHIPPED = {
  type: 'ObjectEvent',
  eventTime: '2020-03-04T11:00:30.999+01:00',
  eventTimeZoneOffset: '+01:00',
  epcList: ['urn:epc:id:sgtin:0614141.107346.2018', 'https://example.com/01/10614141073464/21/2018'],
  action: 'OBSERVE',
  bizStep: 'shipping',
  disposition: 'urn:epcglobal:cbv:disp:in_transit',
  readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
  bizTransactionList: [
    { type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:0614141073467:1152' },
    { type: 'urn:epcglobal:cbv:btt:desadv', bizTransaction: 'urn:epcglobal:cbv:bt:0614141073467:7' },
    { bizTransaction: 'urn:example:untyped' },
  ],
  sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00001' }],
  destinationList: [{ type: 'https://ref.gs1.org/cbv/SDT-location', destination: 'https://id.gs1.org/414/0614141000050/254/3' }],
};

describe('the normal form of an event', () => {
  it('gives one role per business transaction, source and destination type, whatever the notation of the type', () => {
    expect(linkRole('bizTransaction', 'po')).toBe('bizTransaction https://ref.gs1.org/cbv/BTT-po');
    expect(linkRole('bizTransaction', 'urn:epcglobal:cbv:btt:po')).toBe(linkRole('bizTransaction', 'po'));
    expect(linkRole('bizTransaction', 'https://ref.gs1.org/cbv/BTT-po')).toBe(linkRole('bizTransaction', 'po'));
    expect(linkRole('source', 'owning_party')).toBe('source https://ref.gs1.org/cbv/SDT-owning_party');
    expect(linkRole('destination', 'urn:epcglobal:cbv:sdt:location')).toBe('destination https://ref.gs1.org/cbv/SDT-location');
    expect(linkRole('source', 'https://example.com/my-type')).toBe('source https://example.com/my-type');
  });

  it('names each identifier once per role, GS1 keys as canonical Digital Links, and the links by type', () => {
    const normal = eventNormalForm(SHIPPED);
    expect(normal.eventTime).toBe('2020-03-04T10:00:30.999Z');
    expect(normal.bizStep).toBe('https://ref.gs1.org/cbv/BizStep-shipping');
    expect(normal.disposition).toBe('https://ref.gs1.org/cbv/Disp-in_transit');
    expect(normal.readPoint).toBe('https://id.gs1.org/414/0614141007776');
    expect(normal.identifiers).toEqual([
      { role: 'epc', identifier: 'https://id.gs1.org/01/10614141073464/21/2018' },
      { role: 'bizTransaction https://ref.gs1.org/cbv/BTT-po', identifier: 'urn:epcglobal:cbv:bt:0614141073467:1152' },
      { role: 'bizTransaction https://ref.gs1.org/cbv/BTT-desadv', identifier: 'urn:epcglobal:cbv:bt:0614141073467:7' },
      { role: 'bizTransaction ', identifier: 'urn:example:untyped' },
      { role: 'source https://ref.gs1.org/cbv/SDT-owning_party', identifier: 'https://id.gs1.org/417/0614141000012' },
      { role: 'destination https://ref.gs1.org/cbv/SDT-location', identifier: 'https://id.gs1.org/414/0614141000050/254/3' },
    ]);
  });
});
