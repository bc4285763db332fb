import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SerialtraceError } from '@serialtrace/core';
import type { CliContext } from './cli-context.js';

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

/**
 * The JSON of a file, or of standard input for `-`, or VALUE_INVALID naming the argument that
 * gave it (a file that cannot be read, text that is not JSON).
 *
 * @example const document = await readJsonInput(c, 'events.jsonld', 'file');
 */
export async function readJsonInput(c: CliContext, file: string, field: string): Promise<unknown> {
  const source = file === '-' ? 'standard input' : file;
  let text: string;
  try {
    text = file === '-' ? await c.stdinText() : await readFile(file, 'utf-8');
  } catch (error) {
    throw new SerialtraceError('VALUE_INVALID', { field, reason: `cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
  }
  try {
    // A byte order mark, which Windows editors write, is not part of the JSON.
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error) {
    throw new SerialtraceError('VALUE_INVALID', { field, reason: `${source} is not JSON: ${(error as Error).message}` });
  }
}
