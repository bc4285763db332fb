import { SerialtraceError } from '@serialtrace/core';

/** When failed sign-ins start to cost waiting, and how much. */
export interface ThrottleRule {
  /** Failures allowed without waiting. */
  readonly free: number;
  /** The wait after the first failure beyond `free`; it doubles with each further one... */
  readonly firstDelayMs: number;
  /** ...up to this. */
  readonly maxDelayMs: number;
  /** Failures are forgotten this long after the last one. */
  readonly forgetAfterMs: number;
}

/**
 * One account (what is typed as username and company): 5 failures free, then 1 s, 2 s, 4 s ... up
 * to a minute between attempts. A guesser gets about 60 tries an hour; the account's owner waits
 * at most a minute after the guessing stops, never a lockout.
 */
export const ACCOUNT_RULE: ThrottleRule = { free: 5, firstDelayMs: 1000, maxDelayMs: 60_000, forgetAfterMs: 15 * 60_000 };
/**
 * One client address, whichever accounts it tries: 30 failures free (an office of colleagues with
 * typos, one of them the 30 wrong passwords of a forgotten one), then the same growing wait. A
 * spray of a few passwords over many accounts is slowed to about one try a minute.
 */
export const ADDRESS_RULE: ThrottleRule = { free: 30, firstDelayMs: 1000, maxDelayMs: 60_000, forgetAfterMs: 15 * 60_000 };
/** Each table forgets its oldest entries beyond this, so made-up names cannot fill the memory. */
const MAX_ENTRIES = 100_000;

interface Failures {
  count: number;
  lastAt: number;
  /** Attempts being checked right now (a hash takes tens of milliseconds). */
  pending: number;
}

class FailureTable {
  readonly #rule: ThrottleRule;
  readonly #entries = new Map<string, Failures>();

  constructor(rule: ThrottleRule) {
    this.#rule = rule;
  }

  /** Milliseconds to wait before the key may try again; 0 when it may now. */
  waitMs(key: string, now: number): number {
    const entry = this.#current(key, now);
    if (entry === undefined || entry.count + entry.pending < this.#rule.free) return 0;
    const beyond = entry.count - this.#rule.free;
    const delay = beyond < 0 ? 0 : Math.min(this.#rule.firstDelayMs * 2 ** beyond, this.#rule.maxDelayMs);
    const wait = entry.lastAt + delay - now;
    // Past the free failures, one attempt at a time: parallel guesses would all pass the wait.
    if (entry.pending > 0) return Math.max(wait, this.#rule.firstDelayMs);
    return Math.max(wait, 0);
  }

  begin(key: string, now: number): void {
    const entry = this.#current(key, now) ?? { count: 0, lastAt: now, pending: 0 };
    entry.pending += 1;
    this.#put(key, entry);
  }

  end(key: string, failed: boolean, now: number): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    entry.pending = Math.max(0, entry.pending - 1);
    if (failed) {
      entry.count += 1;
      entry.lastAt = now;
      this.#put(key, entry);
    } else if (entry.count === 0 && entry.pending === 0) {
      this.#entries.delete(key);
    }
  }

  #current(key: string, now: number): Failures | undefined {
    const entry = this.#entries.get(key);
    if (entry !== undefined && entry.pending === 0 && now - entry.lastAt > this.#rule.forgetAfterMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Moves the key to the newest end, and forgets the oldest beyond the bound. */
  #put(key: string, entry: Failures): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
  }
}

/** One sign-in attempt under way: end it with whether the password was wrong. */
export interface ThrottledAttempt {
  end(failed: boolean): void;
}

/**
 * Slows password guessing by growing waits, per account and per client address, in this process's
 * memory (each server counts its own; a restart forgets). The account is what was typed (username
 * and company), never which users exist, so the waits reveal nothing of that. Attempts refused
 * for waiting are not counted: they neither check a password nor make the wait longer. A correct
 * password does not clear the account's failures, so that knowing one user's password of a name
 * that several companies use does not reset the count of guesses at another's.
 */
export class LoginThrottle {
  readonly #accounts: FailureTable;
  readonly #addresses: FailureTable;
  readonly #monotonicMs: () => number;

  constructor(options: { account?: ThrottleRule; address?: ThrottleRule; monotonicMs?: () => number } = {}) {
    this.#accounts = new FailureTable(options.account ?? ACCOUNT_RULE);
    this.#addresses = new FailureTable(options.address ?? ADDRESS_RULE);
    this.#monotonicMs = options.monotonicMs ?? (() => performance.now());
  }

  /**
   * Starts an attempt, or refuses it with RATE_LIMITED (`retryAfterSeconds`) while the account
   * or the address must wait.
   */
  begin(attempt: { readonly username: string; readonly company?: string; readonly address?: string }): ThrottledAttempt {
    const now = this.#monotonicMs();
    const account = `${attempt.company ?? ''}\u0000${attempt.username}`;
    const address = attempt.address;
    const waitMs = Math.max(this.#accounts.waitMs(account, now), address === undefined ? 0 : this.#addresses.waitMs(address, now));
    if (waitMs > 0) throw new SerialtraceError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(waitMs / 1000) });
    this.#accounts.begin(account, now);
    if (address !== undefined) this.#addresses.begin(address, now);
    let ended = false;
    return {
      end: (failed) => {
        if (ended) return;
        ended = true;
        const at = this.#monotonicMs();
        this.#accounts.end(account, failed, at);
        if (address !== undefined) this.#addresses.end(address, failed, at);
      },
    };
  }
}
