import { describe, expect, it } from 'vitest';
import { BUILT_IN_TEMPLATES, fieldData, renderLabel, type LabelData, type LabelTemplate } from '@serialtrace/labels';
import { GS1_RECORD, PLAIN_RECORD, templateFor } from './fixtures.ts';

async function zpl(template: LabelTemplate, data: LabelData): Promise<string> {
  const document = await renderLabel(template, data, 'zpl');
  expect(document.contentType).toBe('application/zpl');
  return new TextDecoder().decode(document.bytes);
}

const gs1Product = BUILT_IN_TEMPLATES[0] as LabelTemplate;

describe('ZPL', () => {
  it('frames the label: ^XA, UTF-8, width and length in dots, ^XZ', async () => {
    const text = await zpl(gs1Product, GS1_RECORD);
    const commands = text.trim().split('\n');
    expect(commands[0]).toBe('^XA');
    expect(commands.at(-1)).toBe('^XZ');
    expect(commands).toContain('^CI28');
    expect(commands).toContain('^PW591'); // 50 mm at 300 dpi
    expect(commands).toContain('^LL354'); // 30 mm
    expect(text.match(/\^XA/g)).toHaveLength(1);
    expect(text.match(/\^XZ/g)).toHaveLength(1);
    // Every field is positioned and closed.
    for (const command of commands.slice(5, -1)) expect(command).toMatch(/^(\^BY\d+)?\^FO\d+,\d+.*\^FS$/);
  });

  it('writes GS1 DataMatrix with FNC1 first and for each separator', async () => {
    const text = await zpl(gs1Product, GS1_RECORD);
    // (01)09520123456788 (17)270331 (10)L42 <GS> (21)SN-0001; 22 x 22 modules of 10 dots.
    expect(text).toContain('^FO24,59^BXN,10,200,22,22,,_^FD_101095201234567881727033110L42_121SN-0001^FS');
    expect(text).toContain('^FO283,189^A0N,25,25^FDLOT L42^FS');
  });

  it('writes GS1-128 in UCC/EAN mode from the bracketed form, with a module width', async () => {
    const text = await zpl(BUILT_IN_TEMPLATES[1] as LabelTemplate, GS1_RECORD);
    expect(text).toMatch(/\^BY4\^FO48,32\^BCN,240,N,N,N,D\^FD\(00\)095201234567891235\^FS/);
  });

  it('writes QR with error correction Q and a magnification', async () => {
    const text = await zpl(BUILT_IN_TEMPLATES[3] as LabelTemplate, GS1_RECORD);
    expect(text).toContain(`^BQN,2,9^FDQA,${GS1_RECORD.digitalLink ?? ''}^FS`);
  });

  it('writes plain DataMatrix and Code 128, doubling > for Code 128', async () => {
    expect(await zpl(BUILT_IN_TEMPLATES[2] as LabelTemplate, PLAIN_RECORD)).toMatch(/\^BXN,\d+,200,\d+,\d+\^FDWX-2026-000417\^FS/);
    expect(await zpl(templateFor('code128', '{serial}'), { serial: 'A>B' })).toMatch(/\^BY\d+\^FO\d+,\d+\^BCN,177,N,N,N,A\^FDA><B\^FS/);
  });

  it('escapes ^ and ~ in field data with ^FH hex escapes', async () => {
    const template: LabelTemplate = { ...templateFor('datamatrix', '{serial}'), lines: [{ text: 'SN {serial}', x: 28, y: 10, size: 3 }] };
    const text = await zpl(template, { serial: 'A^B~C\\D' });
    expect(text).toContain('^FH\\^FDA\\5EB\\7EC\\5CD^FS');
    expect(text).toContain('^FH\\^FDSN A\\5EB\\7EC\\5CD^FS');
    expect(text.split('\n').filter((line) => line.includes('~'))).toEqual([]);
    expect(fieldData('plain')).toBe('^FDplain');
  });

  it('sends a symbol ZPL cannot carry as a graphic of the same modules', async () => {
    const text = await zpl(templateFor('gs1-qr', '{elementString}'), GS1_RECORD);
    const graphic = /\^FO(\d+),(\d+)\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)\^FS/.exec(text);
    expect(graphic).not.toBeNull();
    const [, , , total, , rowBytes, hex] = graphic ?? [];
    expect(hex?.length).toBe(Number(total) * 2);
    expect(Number(total) % Number(rowBytes)).toBe(0);
    // DataMatrix data holding "_", ^BX's escape character, goes the same way.
    expect(await zpl(templateFor('datamatrix', '{serial}'), { serial: 'A_B' })).toMatch(/\^GFA,/);
  });

  it('prints a bold line twice, a little apart', async () => {
    const text = await zpl(gs1Product, GS1_RECORD);
    expect(text).toContain('^FO283,130^A0N,25,25^FDSN SN-0001^FS\n^FO285,130^A0N,25,25^FDSN SN-0001^FS');
  });

  it('prints a line too long for the label smaller, so it stays on the label', async () => {
    const text = await zpl(gs1Product, { ...GS1_RECORD, serial: 'ABCDEFGHIJ0123456789' });
    // 591 - 283 dots for 23 characters of at most 0.64 of their height each.
    expect(text).toContain('^FO283,130^A0N,20,20^FDSN ABCDEFGHIJ0123456789^FS');
  });
});
