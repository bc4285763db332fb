import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { completeKey } from '@serialtrace/core';
import { describe, expect, it } from 'vitest';
import { useParity, type CliOutput } from './cli-harness.js';

/**
 * The EPCIS and aggregation commands (`epcis capture`, `epcis events`, `pack`, `unpack`,
 * `contents`, `parents`), each command line run on a local database and against a server, which
 * must print the same. The tests of the file build on each other: one server for the file.
 */

const { dir, actor, local, remote } = useParity('serialtrace-cli-epcis-');

const FIXTURE = fileURLToPath(new URL('../../epcis/test/fixtures/epcis/Example_9.6.1-ObjectEvent.jsonld', import.meta.url));
const fixture = readFileSync(FIXTURE, 'utf-8');

/** The fixture's events shifted to another month, without their eventIDs: new events with ids of their own (their hashes). */
function shifted(month: string, events: readonly number[] = [0, 1]): string {
  const document = JSON.parse(fixture.replaceAll('2005-04-0', `2005-${month}-0`)) as { epcisBody: { eventList: Record<string, unknown>[] } };
  document.epcisBody.eventList = events.map((i) => {
    const { eventID: _id, ...event } = document.epcisBody.eventList[i]!;
    return event;
  });
  return JSON.stringify(document);
}

const GS = '\u001d';
const GTIN = completeKey('0950600013435');
/** An SSCC of company prefix 9506000, extension digit 0. */
const sscc = (n: number) => completeKey(`09506000${String(n).padStart(9, '0')}`);
/** A unit as a scanner sends it: symbology identifier, GTIN, lot, GS, serial. */
const scanned = (n: number) => `]d201${GTIN}10LOT-7${GS}21U${n}`;
/** The identifiers the answers name: GS1 Digital Links without data attributes. */
const unit = (n: number) => `https://id.gs1.org/01/${GTIN}/21/U${n}`;
const container = (n: number) => `https://id.gs1.org/00/${sscc(n)}`;
const PALLET = 9;
const NOW = '2025-06-15T10:00:00.000Z';

/** Event ids of packs are random: the same on both sides once named alike. */
const sameIds = (text: string) => text.replace(/urn:uuid:[0-9a-f-]{36}/g, 'urn:uuid:*');

/** One command line on the local database and against the server: they must print the same. Answers the local run. */
async function onBoth(args: readonly string[], stdin?: string): Promise<CliOutput> {
  const here = await local(args, stdin);
  const there = await remote(args, stdin);
  const label = `serialtrace ${args.join(' ')}`;
  expect({ label, code: there.code, stdout: sameIds(there.stdout), stderr: sameIds(there.stderr) }).toEqual({
    label,
    code: here.code,
    stdout: sameIds(here.stdout),
    stderr: sameIds(here.stderr),
  });
  return here;
}

const json = (output: CliOutput) => JSON.parse(output.stdout);

/** The events of an EPCISQueryDocument. */
const eventsOf = (document: { epcisBody: { queryResults: { resultsBody: { eventList: Record<string, unknown>[] } } } }) =>
  document.epcisBody.queryResults.resultsBody.eventList;

describe('epcis capture', () => {
  it('captures an EPCISDocument from a file and from standard input, and prints the capture job', async () => {
    const fromFile = await onBoth(['epcis', 'capture', FIXTURE, '--json']);
    expect(fromFile.code).toBe(0);
    expect(json(fromFile)).toEqual({
      captureID: '1',
      createdAt: NOW,
      finishedAt: NOW,
      running: false,
      success: true,
      captureErrorBehaviour: 'rollback',
      eventCount: 2,
      capturedCount: 2,
      errors: [],
    });

    const fromStdin = await onBoth(['epcis', 'capture', '-', '--station', 'Dock-2', '--reason', 'ASN 4711'], shifted('05'));
    expect(fromStdin).toEqual({ code: 0, stdout: 'Captured 2 of 2 events (capture 2, rollback).\n', stderr: '' });
    const audit = json(await onBoth(['audit', '--limit', '1', '--json'])).entries[0];
    expect(audit).toMatchObject({ action: 'epcis_capture.finished', actor: actor(), station: 'Dock-2', reason: 'ASN 4711' });
  });

  it('refuses a document with a refused event (rollback), every problem named, exit status 1', async () => {
    const text = await onBoth(['epcis', 'capture', FIXTURE]);
    expect(text.code).toBe(1);
    expect(text.stdout).toBe('');
    const lines = text.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error: EPCIS_EVENT_DUPLICATE: Event 0 was captured before \(eventID ni:\/\/\/sha-256;df7bb3c3/);
    expect(lines[1]).toMatch(/^ {2}also: EPCIS_EVENT_DUPLICATE: Event 1 was captured before/);

    const refused = await onBoth(['epcis', 'capture', '-', '--json'], fixture);
    expect(refused.code).toBe(1);
    const { error } = json(refused);
    expect(error.code).toBe('EPCIS_EVENT_DUPLICATE');
    expect(error.problems.map((p: { field: string }) => p.field)).toEqual(['/epcisBody/eventList/0', '/epcisBody/eventList/1']);

    const invalid = await onBoth(['epcis', 'capture', '-', '--json'], JSON.stringify({ type: 'EPCISDocument', schemaVersion: '2.0' }));
    expect(invalid.code).toBe(1);
    expect(json(invalid).error.code).toBe('EPCIS_DOCUMENT_INVALID');
  });

  it('keeps the good events with --proceed, lists the refused ones, and exits 1', async () => {
    // A new event (the second of the fixture, a month later) and one captured before.
    const mixed = JSON.parse(shifted('06', [1])) as { epcisBody: { eventList: unknown[] } };
    mixed.epcisBody.eventList.push((JSON.parse(fixture) as { epcisBody: { eventList: unknown[] } }).epcisBody.eventList[0]);
    const document = JSON.stringify(mixed);

    // Rolled back, nothing is stored: the same document can still proceed below.
    expect((await onBoth(['epcis', 'capture', '-'], document)).code).toBe(1);

    const text = await onBoth(['epcis', 'capture', '-', '--proceed'], document);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^Captured 1 of 2 events \(capture 3, proceed\); 1 refused:\n {2}EPCIS_EVENT_DUPLICATE: Event 1 was captured before .*\(\/epcisBody\/eventList\/1\)\n$/);
    // Once more: the new event is stored now, so both are refused and nothing is captured.
    const job = json(await onBoth(['epcis', 'capture', '-', '--proceed', '--json'], document));
    expect(job).toMatchObject({ success: false, captureErrorBehaviour: 'proceed', eventCount: 2, capturedCount: 0 });
    expect(job.errors.map((p: { code: string }) => p.code)).toEqual(['EPCIS_EVENT_DUPLICATE', 'EPCIS_EVENT_DUPLICATE']);
  });

  it('refuses a file that cannot be read, is not JSON or holds no object, naming the argument', async () => {
    writeFileSync(join(dir(), 'not.json'), 'EPCIS, but not JSON');
    for (const [file, stdin, reason] of [
      [join(dir(), 'missing.jsonld'), '', /cannot read .*missing\.jsonld: ENOENT/],
      [join(dir(), 'not.json'), '', /not\.json is not JSON/],
      ['-', '[1, 2]', /standard input holds a JSON array, not an EPCISDocument object/],
    ] as const) {
      const refused = await onBoth(['epcis', 'capture', file, '--json'], stdin);
      expect(refused.code).toBe(1);
      expect(json(refused).error).toMatchObject({ code: 'VALUE_INVALID', field: 'file', reason: expect.stringMatching(reason) });
    }
  });
});

describe('epcis events', () => {
  it('selects events by the standard parameters, identifiers as Digital Links or EPC URNs', async () => {
    const params = ['--param', 'MATCH_anyEPC=urn:epc:id:sgtin:0614141.107346.2017', '--param', 'eventType=ObjectEvent'];
    const asLinks = await onBoth(['epcis', 'events', ...params, '--json']);
    expect(asLinks.code).toBe(0);
    const document = json(asLinks);
    expect(document).toMatchObject({ type: 'EPCISQueryDocument', schemaVersion: '2.0', creationDate: NOW });
    const events = eventsOf(document);
    expect(events.map((e) => e['eventTime'])).toEqual(['2005-05-03T20:33:31.116000-06:00', '2005-04-03T20:33:31.116000-06:00']);
    expect(events[0]!['epcList']).toEqual(['https://id.gs1.org/01/10614141073464/21/2017', 'https://id.gs1.org/01/10614141073464/21/2018']);

    const asUrns = eventsOf(json(await onBoth(['epcis', 'events', ...params, '--format', 'urn', '--json'])));
    expect(asUrns[0]!['epcList']).toEqual(['urn:epc:id:sgtin:0614141.107346.2017', 'urn:epc:id:sgtin:0614141.107346.2018']);
    const asCaptured = eventsOf(json(await onBoth(['epcis', 'events', ...params, '--format', 'as-captured', '--json'])));
    expect(asCaptured[0]!['epcList']).toEqual(asUrns[0]!['epcList']);

    const text = await onBoth(['epcis', 'events', ...params]);
    expect(text.stdout).toBe(
      [
        'EVENT TIME                        TYPE         ACTION   BIZ STEP  IDENTIFIERS',
        '2005-05-03T20:33:31.116000-06:00  ObjectEvent  OBSERVE  shipping  https://id.gs1.org/01/10614141073464/21/2017, https://id.gs1.org/01/10614141073464/21/2018',
        '2005-04-03T20:33:31.116000-06:00  ObjectEvent  OBSERVE  shipping  https://id.gs1.org/01/10614141073464/21/2017, https://id.gs1.org/01/10614141073464/21/2018',
        '',
      ].join('\n'),
    );
    const urnText = await onBoth(['epcis', 'events', ...params, '--format', 'urn']);
    expect(urnText.stdout).toContain('shipping  urn:epc:id:sgtin:0614141.107346.2017, urn:epc:id:sgtin:0614141.107346.2018\n');
    expect((await onBoth(['epcis', 'events', '--param', 'eventType=AggregationEvent'])).stdout).toBe('No events match.\n');
  });

  it('answers a page at a time, with the next page\'s token, and every page with --all', async () => {
    const objects = ['--param', 'eventType=ObjectEvent'];
    const whole = eventsOf(json(await onBoth(['epcis', 'events', ...objects, '--json'])));
    expect(whole).toHaveLength(5);

    const first = await onBoth(['epcis', 'events', ...objects, '--per-page', '1', '--json']);
    expect(eventsOf(json(first))).toEqual(whole.slice(0, 1));
    const { nextPageToken } = JSON.parse(first.stderr) as { nextPageToken: string };
    expect(nextPageToken).toMatch(/^[\w-]+$/);
    const second = await onBoth(['epcis', 'events', ...objects, '--per-page', '1', '--next-page-token', nextPageToken, '--json']);
    expect(eventsOf(json(second))).toEqual(whole.slice(1, 2));
    const firstText = await onBoth(['epcis', 'events', ...objects, '--per-page', '1']);
    expect(firstText.stdout.trimEnd().split('\n')).toHaveLength(3);
    expect(firstText.stdout).toContain(`\nmore: --next-page-token ${nextPageToken} (or --all)\n`);

    const all = await onBoth(['epcis', 'events', ...objects, '--per-page', '1', '--all', '--json']);
    expect(all.stderr).toBe('');
    expect(json(all)).toEqual(json(await onBoth(['epcis', 'events', ...objects, '--json'])));
    const allText = await onBoth(['epcis', 'events', ...objects, '--per-page', '2', '--all']);
    expect(allText.stdout.trimEnd().split('\n')).toHaveLength(6);
    expect(allText.stdout).not.toContain('more:');
  });

  it('refuses malformed parameters and an unknown format, exit status 1', async () => {
    for (const [args, code, field] of [
      [['--param', 'eventType'], 'VALUE_INVALID', 'param'],
      [['--format', 'xml'], 'VALUE_INVALID', 'format'],
      [['--per-page', '0'], 'VALUE_INVALID', 'per-page'],
      [['--param', 'eventType=ObjectEvent', '--next-page-token', 'bogus'], 'EPCIS_PAGE_TOKEN_INVALID', undefined],
    ] as const) {
      const refused = await onBoth(['epcis', 'events', ...args, '--json']);
      expect(refused.code).toBe(1);
      expect(json(refused).error).toMatchObject({ code, ...(field === undefined ? {} : { field }) });
    }
  });
});

describe('pack, unpack, contents and parents', () => {
  it('pack units given as element strings with GS into an SSCC case, printing the event', async () => {
    const packed = await onBoth(['pack', `00${sscc(1)}`, scanned(1), scanned(2), '--station', 'Pack-1', '--json']);
    expect(packed.code).toBe(0);
    expect(json(packed)).toEqual({
      eventID: expect.stringMatching(/^urn:uuid:/),
      action: 'ADD',
      parent: container(1),
      children: [unit(1), unit(2)],
      moved: [],
      eventTime: NOW,
    });
    // The entries name the random event ids, so their hashes differ from side to side.
    for (const run of [local, remote]) {
      expect(json(await run(['audit', '--limit', '1', '--json'])).entries[0]).toMatchObject({
        action: 'container.packed',
        actor: actor(),
        station: 'Pack-1',
        entityType: 'container',
        entityId: container(1),
        data: { children: [unit(1), unit(2)] },
      });
    }

    const text = await onBoth(['pack', `(00)${sscc(2)}`, `(01)${GTIN}(21)U3`]);
    expect(sameIds(text.stdout)).toBe(`Packed 1 into ${container(2)} (event urn:uuid:*, ${NOW}):\n  ${unit(3)}\n`);
  });

  it('refuse a unit that is in a case already, with its code, and move it with --move', async () => {
    const refused = await onBoth(['pack', `00${sscc(2)}`, scanned(1)]);
    expect(refused).toEqual({ code: 1, stdout: '', stderr: `error: AGGREGATION_CHILD_PACKED: ${unit(1)} is in ${container(1)} already\n` });
    const refusedJson = await onBoth(['pack', `00${sscc(2)}`, scanned(1), '--json']);
    expect(json(refusedJson).error).toEqual({
      code: 'AGGREGATION_CHILD_PACKED',
      message: `${unit(1)} is in ${container(1)} already`,
      field: 'children',
      child: unit(1),
      parent: container(1),
    });

    const moved = await onBoth(['pack', `00${sscc(2)}`, scanned(1), '--move']);
    expect(sameIds(moved.stdout)).toBe(`Packed 1 into ${container(2)} (event urn:uuid:*, ${NOW}):\n  ${unit(1)} (moved out of ${container(1)})\n`);
    expect(json(await onBoth(['parents', unit(1), '--json'])).parents).toEqual([container(2)]);
  });

  it('pack a list from a file: cases, then the pallet that takes them, in one request', async () => {
    const file = join(dir(), 'packs.json');
    writeFileSync(
      file,
      JSON.stringify([
        { parent: `00${sscc(3)}`, children: [scanned(4)] },
        { parent: `(00)${sscc(PALLET)}`, children: [`urn:epc:id:sscc:9506000.0${String(1).padStart(9, '0')}`, container(2), `00${sscc(3)}`] },
      ]),
    );
    const packed = await onBoth(['pack', '--from', file, '--json']);
    expect(packed.code).toBe(0);
    expect(json(packed).packs.map((p: { parent: string; children: string[] }) => [p.parent, p.children])).toEqual([
      [container(3), [unit(4)]],
      [container(PALLET), [container(1), container(2), container(3)]],
    ]);

    // What the list names is checked as a whole before anything is sent: nothing was packed.
    const bad = await onBoth(['pack', '--from', '-', '--json'], JSON.stringify([{ parent: `00${sscc(4)}`, children: [] }]));
    expect(json(bad).error).toMatchObject({ code: 'VALUE_INVALID', field: 'from', reason: 'standard input: entry 0 needs "children", a list of at least one code' });
    const worse = await onBoth(['pack', '--from', '-', '--json'], JSON.stringify({ packs: [{ parent: '', children: [scanned(4)], move: 'yes' }, 7] }));
    expect(worse.code).toBe(1);
    expect(json(worse).error.problems.map((p: { details: { reason: string } }) => p.details.reason)).toEqual([
      'standard input: entry 0 has no "parent" code',
      'standard input: entry 0: "move" is true or false',
      'standard input: entry 1 is not an object',
    ]);
  });

  it('contents prints the tree, two spaces a level, and a total; --at reads the past', async () => {
    const tree = await onBoth(['contents', `00${sscc(PALLET)}`]);
    expect(tree).toEqual({
      code: 0,
      stdout: [
        container(PALLET),
        `  ${container(1)}`,
        `    ${unit(2)}`,
        `  ${container(2)}`,
        `    ${unit(1)}`,
        `    ${unit(3)}`,
        `  ${container(3)}`,
        `    ${unit(4)}`,
        `total: 7 at every level (at ${NOW})`,
        '',
      ].join('\n'),
      stderr: '',
    });
    const node = (identifier: string, children: unknown[] = []) => ({ identifier, children });
    expect(json(await onBoth(['contents', container(PALLET), '--json']))).toEqual({
      identifier: container(PALLET),
      at: NOW,
      total: 7,
      children: [node(container(1), [node(unit(2))]), node(container(2), [node(unit(1)), node(unit(3))]), node(container(3), [node(unit(4))])],
    });
    const before = await onBoth(['contents', container(PALLET), '--at', '2025-06-15T09:00:00Z']);
    expect(before.stdout).toBe(`${container(PALLET)}\ntotal: 0 at every level (at 2025-06-15T09:00:00.000Z)\n`);
  });

  it('parents names what holds a unit, innermost first', async () => {
    expect(await onBoth(['parents', scanned(1)])).toEqual({
      code: 0,
      stdout: `${unit(1)} is in, innermost first (at ${NOW}):\n  ${container(2)}\n  ${container(PALLET)}\n`,
      stderr: '',
    });
    expect(json(await onBoth(['parents', `(01)${GTIN}(21)U1`, '--json']))).toEqual({ identifier: unit(1), at: NOW, parents: [container(2), container(PALLET)] });
    expect((await onBoth(['parents', `(01)${GTIN}(21)U99`])).stdout).toBe(`${unit(99)} is in nothing (at ${NOW})\n`);
  });

  it('unpack takes the units named out, or everything, and refuses what is not there', async () => {
    const one = await onBoth(['unpack', `00${sscc(2)}`, `(01)${GTIN}(21)U3`, '--json']);
    expect(json(one)).toMatchObject({ action: 'DELETE', parent: container(2), children: [unit(3)], moved: [] });
    const again = await onBoth(['unpack', `00${sscc(2)}`, `(01)${GTIN}(21)U3`]);
    expect(again).toEqual({ code: 1, stdout: '', stderr: `error: AGGREGATION_NOT_CONTAINED: ${unit(3)} is not in ${container(2)}\n` });

    const all = await onBoth(['unpack', `00${sscc(PALLET)}`]);
    expect(sameIds(all.stdout)).toBe(
      `Unpacked 3 from ${container(PALLET)} (event urn:uuid:*, ${NOW}):\n  ${container(1)}\n  ${container(2)}\n  ${container(3)}\n`,
    );
    expect(json(await onBoth(['contents', `00${sscc(PALLET)}`, '--json'])).total).toBe(0);
    expect((await onBoth(['unpack', `00${sscc(PALLET)}`, '--json'])).code).toBe(1);

    const events = await onBoth(['epcis', 'events', '--param', 'eventType=AggregationEvent', '--param', `MATCH_parentID=${container(2)}`]);
    expect(events.stdout.trimEnd().split('\n').slice(1).map((line) => line.split(/\s{2,}/).slice(1, 3))).toEqual([
      ['AggregationEvent', 'DELETE'],
      ['AggregationEvent', 'ADD'],
      ['AggregationEvent', 'ADD'],
    ]);
  });

  it('refuse malformed command lines: missing codes, blank codes, control characters other than GS', async () => {
    const usage = await onBoth(['pack', `00${sscc(5)}`, '--json']);
    expect(usage.code).toBe(2);
    expect(json(usage).error.code).toBe('USAGE_INVALID');
    expect((await onBoth(['pack', `00${sscc(5)}`, '--from', '-'], '[]')).code).toBe(2);

    const blank = await onBoth(['pack', `00${sscc(5)}`, scanned(5), ' ', '--json']);
    expect(json(blank).error).toMatchObject({ code: 'VALUE_INVALID', field: 'children/1', reason: 'the code is empty' });

    const bell = await onBoth(['pack', `00${sscc(5)}`, `]d201${GTIN}10LOT\u000721U5`, '--json']);
    expect(bell.code).toBe(1);
    expect(json(bell).error).toMatchObject({ code: 'VALUE_INVALID', field: 'children' });
    expect(json(bell).error.reason).toContain('U+0007');
  });

  it('record --actor on a local database, and refuse it against a server', async () => {
    const there = await remote(['pack', `00${sscc(5)}`, scanned(5), '--actor', 'jane', '--json']);
    expect(there.code).toBe(1);
    expect(json(there).error).toMatchObject({ code: 'VALUE_INVALID', field: 'actor' });
    const here = await local(['pack', `00${sscc(5)}`, scanned(5), '--actor', 'jane', '--line', 'L2']);
    expect(here.code).toBe(0);
    expect(json(await local(['audit', '--limit', '1', '--json'])).entries[0]).toMatchObject({ action: 'container.packed', actor: 'jane', line: 'L2' });
  });
});
