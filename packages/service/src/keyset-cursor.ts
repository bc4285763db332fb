import { SerialtraceError } from '@serialtrace/core';

/**
 * Opaque cursors for keyset paging: the last id of a page, tagged with what it pages through so
 * that a records cursor is not taken for an audit cursor.
 */
export function keysetCursor(tag: string): { encode(id: number): string; decode(cursor: string): number } {
  const pattern = new RegExp(`^${tag}:(\\d{1,15})$`);
  return {
    encode: (id) => Buffer.from(`${tag}:${id}`, 'utf8').toString('base64url'),
    decode: (cursor) => {
      const match = pattern.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
      if (match === null) throw new SerialtraceError('VALUE_INVALID', { field: 'cursor', reason: 'it is not a cursor this server issued' });
      return Number(match[1]);
    },
  };
}
