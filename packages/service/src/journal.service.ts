import { SerialtraceError } from '@serialtrace/core';
import type { JournalEvent, Store } from '@serialtrace/store';
import type { Caller } from './caller.js';

/** One event as the journal's readers receive it. */
export interface JournalEventView {
  /** Its place in commit order: positions strictly increase. */
  readonly position: number;
  /** A name from the event catalog (`docs/events.md`): `series.created`, `serials.generated`, ... */
  readonly type: string;
  readonly at: string;
  readonly entity: { readonly type: string; readonly id: string };
  readonly data: unknown;
}

export interface JournalPage {
  readonly events: readonly JournalEventView[];
  /** Pass back as `after` for the events that follow (the last position read, or `after` when none was). */
  readonly next: number;
}

export interface JournalQuery {
  /** Events after this position; 0 (the default) from the start. */
  readonly after?: number;
  readonly limit?: number;
}

export interface FollowOptions {
  /** Events after this position (0: from the start). */
  readonly after: number;
  /** Only this company's events; every company's when absent (in-process consumers). */
  readonly companyId?: number;
  /** Events per page, at most (default 500). */
  readonly pageSize?: number;
  /**
   * How long to wait for news before looking again (default 250 ms). Events sealed by this
   * process wake the follower at once; those sealed by another server are found by this poll.
   */
  readonly pollMs?: number;
  /** Ends the follow: the generator returns at its next turn. */
  readonly signal?: AbortSignal;
}

export const MAX_JOURNAL_PAGE = 1000;
const DEFAULT_FOLLOW_PAGE = 500;
const DEFAULT_POLL_MS = 250;

export function journalEventView(event: JournalEvent): JournalEventView {
  if (event.position === null) throw new Error(`journal event ${event.id} is not sealed yet`);
  return { position: event.position, type: event.action, at: event.at, entity: { type: event.entityType, id: event.entityId }, data: event.data ?? null };
}

function wholeNumber(field: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SerialtraceError('VALUE_INVALID', { field, reason: `it must be a whole number from ${min} to ${max}` });
  }
  return value;
}

/**
 * The journal: every committed change as a typed event, in commit order. Readers keep their own
 * position and ask for what came after it; they never miss an event, even one whose transaction
 * took its id before another's and committed after it (the sealer gives positions in commit
 * order). Webhooks, message publishing and EPCIS build on {@link follow}.
 *
 * @example
 * const after = await app.journal.keptPosition('publisher');
 * for await (const page of app.journal.follow({ after })) {
 *   for (const event of page) await publish(event);
 *   await app.journal.keepPosition('publisher', page.at(-1)!.position!);
 * }
 */
export class JournalService {
  readonly #store: Store;

  constructor(deps: { readonly store: Store }) {
    this.#store = deps.store;
  }

  /** The caller's company's events after a position, oldest first: what `GET /api/v1/journal` answers. */
  async read(caller: Caller, query: JournalQuery = {}): Promise<JournalPage> {
    const after = wholeNumber('after', query.after ?? 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = wholeNumber('limit', query.limit ?? 100, 1, MAX_JOURNAL_PAGE);
    // Every event committed before the request is readable in it.
    await this.#store.sealJournal();
    const events = await this.#store.read((tx) => tx.journal.read({ after, limit, companyId: caller.companyId }));
    const views = events.map(journalEventView);
    return { events: views, next: views.at(-1)?.position ?? after };
  }

  /** How far a named follower has handled events (0 when it never kept a position): where it resumes. */
  async keptPosition(name: string): Promise<number> {
    return (await this.#store.read((tx) => tx.journal.followerPosition(name))) ?? 0;
  }

  /** Keeps how far a named follower has handled events; a position never moves back. */
  async keepPosition(name: string, position: number, at: Date = new Date()): Promise<void> {
    wholeNumber('position', position, 0, Number.MAX_SAFE_INTEGER);
    await this.#store.write((tx) => tx.journal.keepFollowerPosition(name, position, at.toISOString()));
  }

  /**
   * Follows the journal from `after`, page by page, for as long as the caller iterates (or until
   * `signal` aborts): each page continues exactly where the last ended, in commit order.
   */
  async *follow(options: FollowOptions): AsyncGenerator<readonly JournalEvent[]> {
    const pageSize = wholeNumber('pageSize', options.pageSize ?? DEFAULT_FOLLOW_PAGE, 1, 10_000);
    const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    let after = wholeNumber('after', options.after, 0, Number.MAX_SAFE_INTEGER);
    let news: boolean;
    let wake: (() => void) | undefined;
    const nudge = () => {
      news = true;
      wake?.();
    };
    const unlisten = this.#store.onJournalSealed(nudge);
    options.signal?.addEventListener('abort', nudge);
    try {
      while (options.signal?.aborted !== true) {
        news = false;
        const page = await this.#store.read((tx) =>
          tx.journal.read({ after, limit: pageSize, ...(options.companyId === undefined ? {} : { companyId: options.companyId }) }),
        );
        if (page.length > 0) {
          after = page[page.length - 1]!.position!;
          yield page;
          continue;
        }
        if (news) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    } finally {
      unlisten();
      options.signal?.removeEventListener('abort', nudge);
    }
  }
}
