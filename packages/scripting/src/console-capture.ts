import type { ScriptLog } from './script-outcome.js';

/** What a line costs beyond its text: about what its level and time take in the stored JSON. */
export const LINE_BYTES = 32;

/**
 * Collects a run's console output up to a byte budget; past it, one marker line says that the
 * rest was dropped, so a chatty loop cannot fill the host's memory. Each line costs its bytes
 * and {@link LINE_BYTES} more, so a million empty lines cannot become a stored row of megabytes.
 */
export class ConsoleCapture {
  readonly logs: ScriptLog[] = [];
  private used = 0;
  private full = false;

  constructor(
    private readonly limitBytes: number,
    private readonly startedAt: number,
  ) {}

  /** Records one line; false once the budget is spent, so the script stops formatting. */
  write(level: ScriptLog['level'], message: string): boolean {
    if (this.full) return false;
    const at = Math.round(performance.now() - this.startedAt);
    const bytes = Buffer.byteLength(message) + LINE_BYTES;
    if (this.used + bytes <= this.limitBytes) {
      this.used += bytes;
      this.logs.push({ level, message, at });
      return true;
    }
    const room = this.limitBytes - this.used - LINE_BYTES;
    // Cutting at a byte offset may split a character; the replacement character marks the cut.
    if (room > 0) this.logs.push({ level, message: Buffer.from(message).subarray(0, room).toString(), at });
    this.logs.push({ level: 'warn', message: `[console output over ${this.limitBytes} bytes; the rest was dropped]`, at });
    this.used = this.limitBytes;
    this.full = true;
    return false;
  }
}
