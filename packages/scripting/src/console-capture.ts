import type { ScriptLog } from './script-outcome.js';

/**
 * Collects a run's console output up to a byte budget; past it, one marker line says that the
 * rest was dropped, so a chatty loop cannot fill the host's memory.
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
    const bytes = Buffer.byteLength(message);
    if (this.used + bytes <= this.limitBytes) {
      this.used += bytes;
      this.logs.push({ level, message, at });
      return true;
    }
    const room = this.limitBytes - this.used;
    // Cutting at a byte offset may split a character; the replacement character marks the cut.
    if (room > 0) this.logs.push({ level, message: Buffer.from(message).subarray(0, room).toString(), at });
    this.logs.push({ level: 'warn', message: `[console output over ${this.limitBytes} bytes; the rest was dropped]`, at });
    this.used = this.limitBytes;
    this.full = true;
    return false;
  }
}
