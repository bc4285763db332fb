import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AI_DICTIONARY_RELEASE, aiEntries, aiEntry, aiFixedLength, aiMatchesPattern, firstCharOutside, GS1_CHARSETS } from '@serialtrace/core';
import { DICTIONARY_URL, renderAiTable, TABLE_URL } from '../../../scripts/generate-gs1-tables.js';

describe('the AI table generated from the GS1 Barcode Syntax Dictionary', () => {
  it('is exactly what the generator makes of the data file (run `npx tsx scripts/generate-gs1-tables.ts`)', () => {
    expect(readFileSync(TABLE_URL, 'utf8')).toBe(renderAiTable(readFileSync(DICTIONARY_URL, 'utf8')));
  });

  it('is generated from the same dictionary as the shared conformance copy, when that is at hand', () => {
    const shared = new URL('../../../../shared/conformance/gs1/gs1-syntax-dictionary.txt', import.meta.url);
    let text: string;
    try {
      text = readFileSync(shared, 'utf8');
    } catch {
      return; // a user's clone has no ../shared
    }
    expect(readFileSync(DICTIONARY_URL, 'utf8')).toBe(text);
    expect(AI_DICTIONARY_RELEASE).toBe('2026-01-27');
  });

  it('holds one entry per AI in lexical order, ranges expanded', () => {
    const ais = aiEntries().map((entry) => entry.ai);
    expect(new Set(ais).size).toBe(ais.length);
    expect([...ais].sort()).toEqual(ais);
    for (const ai of ['3100', '3105', '3950', '3955', '91', '95', '99']) expect(aiEntry(ai), ai).toBeDefined();
    expect(aiEntry('3106')).toBeUndefined();
    expect(aiEntry('04')).toBeUndefined();
  });

  it.each([
    // ai, title, predefined length, fixed length, first component's set and lengths, linters
    ['00', 'SSCC', true, 18, 'N', 18, 18, ['csum', 'gcppos2']],
    ['01', 'GTIN', true, 14, 'N', 14, 14, ['csum', 'gcppos2']],
    ['10', 'BATCH/LOT', false, undefined, 'X', 1, 20, []],
    ['17', 'USE BY or EXPIRY', true, 6, 'N', 6, 6, ['yymmd0']],
    ['20', 'VARIANT', true, 2, 'N', 2, 2, []],
    ['21', 'SERIAL', false, undefined, 'X', 1, 20, []],
    ['3103', 'NET WEIGHT (kg)', true, 6, 'N', 6, 6, []],
    ['3922', 'PRICE', false, undefined, 'N', 1, 15, []],
    ['414', 'LOC No.', true, 13, 'N', 13, 13, ['csum', 'gcppos1']],
    ['422', 'ORIGIN', false, 3, 'N', 3, 3, ['iso3166']],
    ['8010', 'CPID', false, undefined, 'Y', 1, 30, ['gcppos1']],
    ['8030', 'DIGSIG', false, undefined, 'Z', 1, 90, []],
  ] as const)('AI %s (%s)', (ai, title, predefinedLength, fixedLength, charSet, min, max, linters) => {
    const entry = aiEntry(ai);
    expect(entry).toMatchObject({ ai, title, predefinedLength });
    expect(aiFixedLength(entry!)).toBe(fixedLength);
    expect(entry!.components[0]).toEqual({ charSet, min, max, optional: false, linters });
  });

  it('keeps optional components, requirements, exclusions and Digital Link keys', () => {
    expect(aiEntry('8003')!.components.map((c) => [c.charSet, c.min, c.max, c.optional, c.linters])).toEqual([
      ['N', 1, 1, false, ['zero']],
      ['N', 13, 13, false, ['csum', 'gcppos1']],
      ['X', 1, 16, true, []],
    ]);
    expect(aiEntry('7007')!.components[1]).toEqual({ charSet: 'N', min: 6, max: 6, optional: true, linters: ['yymmdd'] });
    expect(aiEntry('21')).toMatchObject({ requires: [[['01'], ['03'], ['8006']]], excludes: ['235'] });
    expect(aiEntry('250')!.requires).toEqual([[['01'], ['8006']], [['21']]]);
    expect(aiEntry('8030')!.requires[0]).toContainEqual(['01', '21']);
    expect(aiEntry('3100')!.excludes).toEqual(['310n']);
    expect(aiEntry('01')).toMatchObject({ dlPrimaryKey: true, dlQualifiers: [['22', '10', '21'], ['235']] });
    expect(aiEntry('414')).toMatchObject({ dlPrimaryKey: true, dlQualifiers: [['254'], ['7040']] });
    expect(aiEntry('00')).toMatchObject({ dlPrimaryKey: true, dlQualifiers: [] });
    expect(aiEntry('17')).toMatchObject({ dlPrimaryKey: false, dlDataAttribute: true });
    expect(aiEntry('21')!.dlDataAttribute).toBe(false);
    expect(aiEntry('8110')!.title).toBe('');
  });

  it('marks exactly the AIs of the predefined-length table as needing no separator', () => {
    const predefined = aiEntries().filter((entry) => entry.predefinedLength).map((entry) => entry.ai);
    for (const ai of predefined) expect(['00', '01', '02', '03', '11', '12', '13', '15', '16', '17', '20', '31', '32', '33', '34', '35', '36', '41'], ai).toContain(ai.slice(0, 2));
    for (const ai of ['422', '7003', '8005', '3900', '10', '21']) expect(predefined, ai).not.toContain(ai);
  });

  it('matches patterns with n for any digit', () => {
    expect(aiMatchesPattern('3103', '310n')).toBe(true);
    expect(aiMatchesPattern('3113', '310n')).toBe(false);
    expect(aiMatchesPattern('3592', '35nn')).toBe(true);
    expect(aiMatchesPattern('35', '35nn')).toBe(false);
  });
});

describe('GS1 character sets', () => {
  it('CSET 82 has exactly the 82 characters GS1 lists, without space, #, $, @, [, \\, ], ^, `, {, |, } or ~', () => {
    expect(GS1_CHARSETS.X).toBe('!"%&\'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz');
    expect(new Set(GS1_CHARSETS.X).size).toBe(82);
    for (const char of ' #$@[\\]^`{|}~') expect(GS1_CHARSETS.X, char).not.toContain(char);
    expect(new Set(GS1_CHARSETS.Y).size).toBe(39);
    expect(new Set(GS1_CHARSETS.Z.replace('=', '')).size).toBe(64);
  });

  it('finds the first character outside a set', () => {
    expect(firstCharOutside('ABC DEF', 'X')).toEqual({ char: ' ', index: 3 });
    expect(firstCharOutside('AB/CD', 'X')).toBeUndefined();
    expect(firstCharOutside('12a', 'N')).toEqual({ char: 'a', index: 2 });
  });
});
