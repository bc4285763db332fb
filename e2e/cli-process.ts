import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** The installed command, exactly as `npx serialtrace` runs it. */
export const BIN = fileURLToPath(new URL('../node_modules/.bin/serialtrace', import.meta.url));

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real `serialtrace` binary in its own process, with `input` on standard input, which is
 * then closed (so an argument given as `-` reads to its end instead of waiting for more).
 */
export function serialtrace(args: readonly string[], env: Record<string, string> = {}, input = ''): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd: ROOT, env: { ...process.env, TZ: 'UTC', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // A process that ends without reading its input closes the pipe first (EPIPE): nothing to report.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}
