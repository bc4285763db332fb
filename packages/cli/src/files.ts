import { randomBytes } from 'node:crypto';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SerialtraceError } from '@serialtrace/core';

/**
 * Writes `bytes` to `file` whole or not at all: into a temporary file beside it, then renamed over
 * it, so a reader (a print spooler watching the folder) never sees half a file.
 */
export async function writeAtomically(file: string, bytes: Uint8Array): Promise<void> {
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, bytes, { flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new SerialtraceError('VALUE_INVALID', { field: 'out', reason: `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
  }
}
