import { setImmediate as nextTurn } from 'node:timers/promises';
import type { StoreTransaction } from '../store-port.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** How large a group of write units may grow before it commits. */
export interface GroupLimits {
  /** The most units one transaction takes; 1 gives every unit its own transaction. */
  readonly maxUnits: number;
  /**
   * Once a group has run this long, the units it has not started wait for the next group, so the
   * first unit's answer is not held back by a long line behind it. A running unit is never cut.
   */
  readonly maxMs: number;
}

interface Unit {
  /** `read` only where there is no separate read connection (`:memory:`). */
  readonly kind: 'read' | 'write';
  readonly work: (tx: StoreTransaction) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** How a unit of a group ended, kept until the group's COMMIT decides what its caller hears. */
type Outcome =
  | { readonly unit: Unit; readonly ok: true; readonly value: unknown }
  | { readonly unit: Unit; readonly ok: false; readonly error: unknown };

/** A savepoint per unit: units run one after another, so one name is enough. */
const SAVEPOINT = 'unit';

/** Every this many group starts, a store serving one client at a time looks for company anyway. */
const PROBE_EVERY = 32;
/** This many waits in a row that found no company, and groups start at once again. */
const LONELY_LIMIT = 8;

/**
 * The units of work waiting for one connection, run as groups: every write pending when a group
 * starts shares one `BEGIN IMMEDIATE ... COMMIT`, so concurrent requests pay for one fsync
 * together. Each unit runs inside its own savepoint, in arrival order, and a unit that throws is
 * rolled back to it, so neither it nor its neighbours see what it wrote. Promises are settled only
 * after COMMIT returns: a unit is acknowledged once its data is on disk, and never when the
 * commit failed.
 *
 * When a group starts matters. A unit runs synchronously on the driver, so requests that reach
 * the process through I/O (HTTP) can only join a group that waits for the next turn of the event
 * loop; but that wait measurably slows a single client (`npm run bench`). So a group starts at
 * once, taking whatever was sent in the same breath (a `Promise.all`), until groups are seen to
 * find company: every {@link PROBE_EVERY}th start waits a turn to find out, and once one does,
 * starts keep waiting until {@link LONELY_LIMIT} waits in a row found none.
 */
export class GroupCommitQueue {
  readonly #db: SqliteConnection;
  readonly #transaction: () => StoreTransaction;
  readonly #limits: GroupLimits;
  readonly #translate: (error: unknown) => unknown;
  readonly #pending: Unit[] = [];
  /** The loop running groups, while there is anything to run. */
  #draining: Promise<void> | undefined;
  /** Whether groups wait a turn of the event loop before they start (see the class comment). */
  #waitForCompany = false;
  #lonelyWaits = 0;
  #startsSinceProbe = 0;

  /** `transaction` gives each unit its areas over the connection (areas keep per-transaction state). */
  constructor(
    db: SqliteConnection,
    transaction: () => StoreTransaction,
    limits: GroupLimits,
    translate: (error: unknown) => unknown,
  ) {
    this.#db = db;
    this.#transaction = transaction;
    this.#limits = limits;
    this.#translate = translate;
  }

  write<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#enqueue('write', work);
  }

  /** A read between groups, for a connection that must also serve reads. */
  read<T>(work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return this.#enqueue('read', work);
  }

  /** Resolves once every unit queued so far has been settled. */
  async drained(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  #enqueue<T>(kind: Unit['kind'], work: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ kind, work, resolve: resolve as (value: unknown) => void, reject });
      this.#draining ??= this.#drain();
    });
  }

  async #drain(): Promise<void> {
    try {
      let waited = this.#waitForCompany || ++this.#startsSinceProbe >= PROBE_EVERY;
      while (this.#pending.length > 0) {
        if (waited) {
          // Requests whose I/O is ready (callbacks run before setImmediate) and callers resuming
          // after the last group's answers get in.
          this.#startsSinceProbe = 0;
          await nextTurn();
        } else {
          // Only what was queued in the same synchronous stretch as the first unit.
          await Promise.resolve();
        }
        const size = await this.#runNext();
        if (size > 1) {
          this.#waitForCompany = true;
          this.#lonelyWaits = 0;
        } else if (size === 1 && waited && ++this.#lonelyWaits >= LONELY_LIMIT) {
          this.#waitForCompany = false;
          this.#lonelyWaits = 0;
        }
        // Units that came while a group ran: there is company, and I/O deserves its turn.
        waited = true;
      }
    } finally {
      this.#draining = undefined;
    }
  }

  /** Runs the next group (or read) and returns how many writes it gathered. */
  async #runNext(): Promise<number> {
    const first = this.#pending[0]!;
    if (first.kind === 'read') {
      this.#pending.shift();
      await this.#runAlone('BEGIN', first);
      return 0;
    }
    let size = 1;
    while (size < this.#limits.maxUnits && size < this.#pending.length && this.#pending[size]!.kind === 'write') size++;
    const group = this.#pending.splice(0, size);
    // A lone unit needs no savepoint: its own ROLLBACK undoes it, and a single client pays nothing.
    if (group.length === 1) await this.#runAlone('BEGIN IMMEDIATE', first);
    else await this.#runGroup(group);
    return size;
  }

  async #runAlone(begin: string, unit: Unit): Promise<void> {
    try {
      this.#db.exec(begin);
    } catch (error) {
      unit.reject(this.#translate(error));
      return;
    }
    let value: unknown;
    try {
      value = await unit.work(this.#transaction());
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#rollback();
      unit.reject(this.#translate(error));
      return;
    }
    unit.resolve(value);
  }

  async #runGroup(group: readonly Unit[]): Promise<void> {
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      // Every unit waited for the same lock: each would only wait the busy timeout again.
      for (const unit of group) unit.reject(this.#translate(error));
      return;
    }
    const started = performance.now();
    const outcomes: Outcome[] = [];
    /** What ended the transaction for the whole group, when something did. */
    let failure: { error: unknown } | undefined;
    let next = 0;
    for (; next < group.length && failure === undefined; next++) {
      if (next > 0 && performance.now() - started >= this.#limits.maxMs) break;
      const unit = group[next]!;
      try {
        this.#db.exec(`SAVEPOINT ${SAVEPOINT}`);
      } catch (error) {
        outcomes.push({ unit, ok: false, error });
        failure = { error };
        continue;
      }
      try {
        outcomes.push({ unit, ok: true, value: await unit.work(this.#transaction()) });
      } catch (error) {
        outcomes.push({ unit, ok: false, error });
        // SQLite ends the whole transaction on some errors (SQLITE_FULL, IOERR, NOMEM): the units
        // before this one are gone with it, and there is no savepoint left to return to.
        if (!this.#db.inTransaction) {
          failure = { error };
          continue;
        }
        try {
          this.#db.exec(`ROLLBACK TO ${SAVEPOINT}`);
        } catch (rollbackError) {
          failure = { error: rollbackError };
          continue;
        }
      }
      try {
        this.#db.exec(`RELEASE ${SAVEPOINT}`);
      } catch (error) {
        // Also where a unit swallowed an error that ended the transaction: its data is not there.
        failure = { error };
      }
    }
    // Units not started (the group ran out of time, or failed before them) lose nothing by waiting
    // for the next group: they keep their place at the head of the line.
    this.#pending.unshift(...group.slice(next));

    if (failure === undefined) {
      try {
        this.#db.exec('COMMIT');
      } catch (error) {
        failure = { error };
      }
    }
    if (failure !== undefined) {
      this.#rollback();
      // Nothing of the group is kept: a unit that succeeded is refused with the reason its data is
      // gone, a unit that failed with its own error.
      for (const outcome of outcomes) outcome.unit.reject(this.#translate(outcome.ok ? failure.error : outcome.error));
      return;
    }
    for (const outcome of outcomes) {
      if (outcome.ok) outcome.unit.resolve(outcome.value);
      else outcome.unit.reject(this.#translate(outcome.error));
    }
  }

  #rollback(): void {
    if (!this.#db.inTransaction) return;
    try {
      this.#db.exec('ROLLBACK');
    } catch {
      // The connection is past rolling back (I/O error); the caller is already given the error
      // that got it here, which says more than this one would.
    }
  }
}
