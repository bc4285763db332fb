import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { canonicalTimeZone, type Clock } from '@serialtrace/core';
import type { Store } from '@serialtrace/store';
import { ApiKeyService } from './api-key.service.js';
import { AuditService } from './audit.service.js';
import { JournalService } from './journal.service.js';
import { GenerationService, type LeasePolicy } from './generation.service.js';
import { DEFAULT_SCRIPT_LIMITS, ScriptEngine, type ScriptLimits } from '@serialtrace/scripting';
import { LabelsService } from './labels.service.js';
import { ScriptsService } from './scripts.service.js';
import { RecordsService } from './records.service.js';
import { MasterKey } from './series-keys.js';
import { SeriesPlans } from './series-plans.js';
import { SeriesService } from './series.service.js';
import { hostTimeZone, systemClock } from './system-clock.js';
import { SignInService } from './sign-in.service.js';
import { UserService } from './user.service.js';
import { CompanyService } from './company.service.js';
import { AggregationService } from './aggregation.service.js';
import { TraceService } from './trace.service.js';
import { EpcisService } from './epcis.service.js';

export interface SerialtraceOptions {
  readonly store: Store;
  readonly clock?: Clock;
  /** The zone for series that name none; the host's zone by default. */
  readonly defaultTimeZone?: string;
  /** How long a sign-in lasts. */
  readonly sessionHours?: number;
  /**
   * Leased allocation: the name this process holds leases under (unique per process by default),
   * how long an unused lease stays its own (default 5 minutes), and whether leases outlive a
   * request (default true; a one-shot process such as the CLI passes false and leaves nothing
   * unused behind).
   */
  readonly leases?: Partial<LeasePolicy>;
  /**
   * The master key randomised series' keys are wrapped under (`SERIALTRACE_MASTER_KEY`): 32
   * bytes as hex or base64. Without it randomised series cannot be created or issue serials.
   */
  readonly masterKey?: string | MasterKey;
  /** Limits of every script run: time, memory, stack, API calls, captured logs, result (defaults: DEFAULT_SCRIPT_LIMITS). */
  readonly scriptLimits?: Partial<ScriptLimits>;
  /** Worker threads that run scripts, each one run at a time (default 2). */
  readonly scriptWorkers?: number;
}

export const DEFAULT_LEASE_TTL_MS = 5 * 60_000;

/** The use cases over one store, wired once per process. */
export interface Serialtrace {
  readonly store: Store;
  /** The clock every service reads (fixed in tests and simulations). */
  readonly clock: Clock;
  /** The time zone of series created without one (an IANA name). */
  readonly defaultTimeZone: string;
  readonly series: SeriesService;
  readonly generation: GenerationService;
  readonly records: RecordsService;
  readonly audit: AuditService;
  /** Every committed change as a typed event, in commit order, for readers that follow it. */
  readonly journal: JournalService;
  /** Signing in and out, sessions, a user's own password. */
  readonly signIn: SignInService;
  /** API keys, and identifying the callers that present one. */
  readonly apiKeys: ApiKeyService;
  /** A company's users. */
  readonly users: UserService;
  /** Companies (system administrators). */
  readonly companies: CompanyService;
  /** Label templates, and printing records' labels. */
  readonly labels: LabelsService;
  /** Documents rendered from label templates (`documents.generate`); nothing is stored. */
  readonly documents: Pick<LabelsService, 'generate'>;
  /** Customer scripts: stored versions, sandboxed runs, their records. */
  readonly scripts: ScriptsService;
  /** The EPCIS event repository: capture of partners' and machines' events. */
  readonly epcis: EpcisService;
  /** Packing units into containers, and what holds what, now or at a past instant. */
  readonly aggregation: AggregationService;
  /** Shipping and receiving, and a unit's state and story. */
  readonly trace: TraceService;
  /** Frees what the services hold beyond the store (the script engine's sandboxes). */
  dispose(): void;
}

/**
 * @example
 * const app = createSerialtrace({ store: SqliteStore.open({ path: 'serialtrace.db' }) });
 * await app.series.create(caller, { name: 'Widgets', format: 'W-{YYYY}-{#####}' });
 */
export function createSerialtrace(options: SerialtraceOptions): Serialtrace {
  const clock = options.clock ?? systemClock;
  const defaultTimeZone = canonicalTimeZone(options.defaultTimeZone ?? hostTimeZone(), 'defaultTimeZone');
  const masterKey = typeof options.masterKey === 'string' ? MasterKey.parse(options.masterKey) : options.masterKey;
  const plans = new SeriesPlans(masterKey);
  const { store } = options;
  const labels = new LabelsService({ store, clock });
  const records = new RecordsService({ store, clock });
  const generation = new GenerationService({
    store,
    clock,
    plans,
    leases: {
      owner: options.leases?.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
      ttlMs: options.leases?.ttlMs ?? DEFAULT_LEASE_TTL_MS,
      hold: options.leases?.hold ?? true,
    },
  });
  // The sandbox's workers start on the first script that is saved or run, not at start.
  let engine: Promise<ScriptEngine> | undefined;
  const scripts = new ScriptsService({
    store,
    clock,
    engine: () => (engine ??= ScriptEngine.create(options.scriptWorkers === undefined ? {} : { poolSize: options.scriptWorkers })),
    limits: { ...DEFAULT_SCRIPT_LIMITS, ...Object.fromEntries(Object.entries(options.scriptLimits ?? {}).filter(([, v]) => v !== undefined)) },
    generation,
    records,
    labels,
  });
  return {
    store,
    clock,
    defaultTimeZone,
    series: new SeriesService({ store, clock, plans, defaultTimeZone }),
    generation,
    records,
    labels,
    documents: labels,
    scripts,
    epcis: new EpcisService({ store, clock }),
    aggregation: new AggregationService({ store, clock }),
    trace: new TraceService({ store, clock }),
    dispose() {
      void engine?.then((e) => e.dispose());
      engine = undefined;
    },
    audit: new AuditService({ store }),
    journal: new JournalService({ store }),
    signIn: new SignInService({ store, clock, ...(options.sessionHours === undefined ? {} : { sessionHours: options.sessionHours }) }),
    apiKeys: new ApiKeyService({ store, clock }),
    users: new UserService({ store, clock }),
    companies: new CompanyService({ store, clock }),
  };
}
