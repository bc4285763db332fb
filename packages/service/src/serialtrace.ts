import { canonicalTimeZone, type Clock } from '@serialtrace/core';
import type { Store } from '@serialtrace/store';
import { AccessService } from './access.service.js';
import { AuditService } from './audit.service.js';
import { GenerationService } from './generation.service.js';
import { RecordsService } from './records.service.js';
import { SeriesPlans } from './series-plans.js';
import { SeriesService } from './series.service.js';
import { hostTimeZone, systemClock } from './system-clock.js';

export interface SerialtraceOptions {
  readonly store: Store;
  readonly clock?: Clock;
  /** The zone for series that name none; the host's zone by default. */
  readonly defaultTimeZone?: string;
  /** How long a sign-in lasts. */
  readonly sessionHours?: number;
}

/** The use cases over one store, wired once per process. */
export interface Serialtrace {
  readonly store: Store;
  /** The clock every service reads (fixed in tests and simulations). */
  readonly clock: Clock;
  readonly series: SeriesService;
  readonly generation: GenerationService;
  readonly records: RecordsService;
  readonly audit: AuditService;
  readonly access: AccessService;
}

/**
 * @example
 * const app = createSerialtrace({ store: SqliteStore.open({ path: 'serialtrace.db' }) });
 * await app.series.create(caller, { name: 'Widgets', format: 'W-{YYYY}-{#####}' });
 */
export function createSerialtrace(options: SerialtraceOptions): Serialtrace {
  const clock = options.clock ?? systemClock;
  const defaultTimeZone = canonicalTimeZone(options.defaultTimeZone ?? hostTimeZone(), 'defaultTimeZone');
  const plans = new SeriesPlans();
  const { store } = options;
  return {
    store,
    clock,
    series: new SeriesService({ store, clock, plans, defaultTimeZone }),
    generation: new GenerationService({ store, clock, plans }),
    records: new RecordsService({ store, clock }),
    audit: new AuditService({ store }),
    access: new AccessService({ store, clock, ...(options.sessionHours === undefined ? {} : { sessionHours: options.sessionHours }) }),
  };
}
