/**
 * A database of many records for the web UI benchmark, written through the service exactly as
 * the server writes them (batches of 10,000 through `generation.generate`, durable commits, one
 * audit entry each), and cached under `.bench/` so the next run starts at once. The cache's name
 * carries the record count, the schema version and this seed's own version: a migration or a
 * change to what is seeded makes a new file rather than reusing a stale one.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSerialtrace } from '@serialtrace/service';
import { LATEST_SCHEMA_VERSION, SqliteStore } from '@serialtrace/store';

/** Bump when the seeded data changes shape. */
const SEED_VERSION = 1;
const BATCH = 10_000;

const CACHE = fileURLToPath(new URL('../.bench/', import.meta.url));

/** Four series of different formats, so the explorer shows a mix and the series filter means something. */
const SERIES = [
  { name: 'Product serials', format: 'SN-{YYYY}{JJJ}-{########}' },
  { name: 'Lots', format: 'LOT-{########}' },
  { name: 'Asset tags', format: 'AT{SEQUENCE}', base: 'alphanumeric', minLength: 8 },
  { name: 'Work documents', format: 'DOC-{YY}-{#######}' },
] as const;

const WORK_ORDERS = 25;
const PART_NUMBERS = 8;
/** Records moved to `printed`, so the status filter finds a few among the million. */
const PRINTED = 200;

export interface SeededDatabase {
  /** The cached file; copy it before a server writes to it. */
  readonly path: string;
  readonly records: number;
  /** How long seeding took when the file was made. */
  readonly seedSeconds: number;
  /** Whether this run reused the cached file. */
  readonly reused: boolean;
  /** Serials spread over the data (oldest to newest), for searches. */
  readonly samples: readonly string[];
  readonly workOrders: readonly string[];
}

interface Meta {
  readonly records: number;
  readonly seedSeconds: number;
  readonly samples: readonly string[];
  readonly workOrders: readonly string[];
}

export async function seededDatabase(records: number, log: (line: string) => void): Promise<SeededDatabase> {
  if (records % BATCH !== 0) throw new Error(`seed a multiple of ${BATCH} records`);
  mkdirSync(CACHE, { recursive: true });
  const stem = join(CACHE, `web-ui-${records}-schema${LATEST_SCHEMA_VERSION}-seed${SEED_VERSION}`);
  const path = `${stem}.db`;
  const metaPath = `${stem}.json`;
  // The meta file is written last: without it, the database is an interrupted seed.
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Meta;
    return { path, reused: true, ...meta };
  }

  const partial = `${stem}.partial.db`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
  log(`seeding ${records.toLocaleString('en-US')} records through the service into ${partial} (cached for the next run)...`);
  const started = performance.now();
  const store = SqliteStore.open({ path: partial });
  const app = createSerialtrace({ store, defaultTimeZone: 'UTC' });
  const caller = { companyId: 1, actor: 'bench-seed', station: 'BENCH-SEED' };
  const samples: string[] = [];
  const workOrders = Array.from({ length: WORK_ORDERS }, (_, i) => `WO-${String(40_000 + i)}`);
  try {
    for (const series of SERIES) await app.series.create(caller, series);
    const batches = records / BATCH;
    const printed: string[] = [];
    for (let i = 0; i < batches; i++) {
      const result = await app.generation.generate(caller, SERIES[i % SERIES.length]!.name, {
        quantity: BATCH,
        workOrder: workOrders[i % WORK_ORDERS]!,
        partNumber: `PN-${String(100 + (i % PART_NUMBERS))}`,
        context: { LINE: `L${(i % 3) + 1}` },
      });
      // Eight serials spread from the oldest batch to the newest.
      if (i % Math.max(1, Math.floor(batches / 8)) === 0) samples.push(result.serials[(i * 997) % BATCH]!);
      if (printed.length < PRINTED) printed.push(result.serials[i % BATCH]!);
      if ((i + 1) % 20 === 0) log(`  ${((i + 1) * BATCH).toLocaleString('en-US')} records, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
    // Status changes one by one, as the line would send them (they share commits when concurrent).
    await Promise.all(printed.map((serial) => app.records.changeStatus(caller, serial, 'printed', { reason: 'bench: label printed' })));
  } finally {
    await store.close();
  }
  const seedSeconds = Math.round((performance.now() - started) / 100) / 10;
  renameSync(partial, path);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${partial}${suffix}`)) renameSync(`${partial}${suffix}`, `${path}${suffix}`);
  }
  const meta: Meta = { records, seedSeconds, samples, workOrders };
  writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
  return { path, reused: false, ...meta };
}
