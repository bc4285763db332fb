import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { SerialtraceError } from '@serialtrace/core';
import { DEFAULT_POOL_SIZE, DEFAULT_STATEMENT_TIMEOUT_MS } from '@serialtrace/store';

/** Everything the server reads from flags and the environment. Flags win over variables. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** SQLite file, used when there is no {@link databaseUrl}. */
  readonly db: string;
  /** PostgreSQL, `postgres://user:password@host:5432/database`; when set, it wins over {@link db}. */
  readonly databaseUrl: string | undefined;
  /** The PostgreSQL schema that holds serialtrace's tables (created when missing). */
  readonly databaseSchema: string;
  /** PostgreSQL connections this server keeps open at most. */
  readonly databasePoolSize: number;
  /** Longest a PostgreSQL statement may run, a lock wait included, before it is cancelled. */
  readonly databaseStatementTimeoutMs: number;
  /** Initial password of `admin` on first start; a random one is printed when absent. */
  readonly adminPassword: string | undefined;
  readonly logLevel: string;
  /** Requests per minute per API key or user (per address when anonymous); 0 turns limiting off. */
  readonly rateLimitPerMinute: number;
  readonly bodyLimitBytes: number;
  readonly sessionHours: number;
  /** How long a lease of leased allocation stays this server's without being used. */
  readonly leaseSeconds: number;
  /** Mark the session cookie Secure (set when clients reach the server over HTTPS). */
  readonly secureCookies: boolean;
  /**
   * Which proxies in front of the server to believe about the client's address (X-Forwarded-For),
   * as Fastify's `trustProxy` reads it: false (none, the default), true (every one), a number of
   * hops, or the proxies' addresses and CIDR ranges.
   */
  readonly trustProxy: boolean | number | readonly string[];
  /** Fixed clock (tests, simulations). */
  readonly now: string | undefined;
  /** Default time zone for series created without one. */
  readonly timeZone: string | undefined;
  /** A folder with a build of the web UI to serve at `/` instead of packages/web/dist. */
  readonly webRoot: string | undefined;
  /** The master key randomised series' keys are wrapped under (32 bytes, hex or base64); env only, never a flag. */
  readonly masterKey: string | undefined;
  /** Limits of each script run. */
  readonly scriptTimeLimitMs: number;
  readonly scriptMemoryLimitMb: number;
  readonly scriptApiCallLimit: number;
  /** The JSON a script run may return, in KiB. */
  readonly scriptResultLimitKb: number;
  /** Worker threads that run scripts, each one run at a time. */
  readonly scriptWorkers: number;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  db: 'serialtrace.db',
  databaseSchema: 'public',
  databasePoolSize: DEFAULT_POOL_SIZE,
  databaseStatementTimeoutMs: DEFAULT_STATEMENT_TIMEOUT_MS,
  logLevel: 'info',
  rateLimitPerMinute: 6000,
  bodyLimitBytes: 1024 * 1024,
  sessionHours: 12,
  leaseSeconds: 300,
  scriptTimeLimitMs: 5_000,
  scriptMemoryLimitMb: 64,
  scriptApiCallLimit: 10_000,
  scriptResultLimitKb: 1024,
  scriptWorkers: 2,
} as const;

const USAGE = `Usage: serialtrace-server [--host H] [--port P] [--db FILE | --database URL] [--log-level L]

Starts the serialtrace HTTP API and web UI on the embedded SQLite database, or on
PostgreSQL when a database URL is given.

  --host H         address to listen on (SERIALTRACE_HOST, default ${DEFAULTS.host})
  --port P         port (SERIALTRACE_PORT, default ${DEFAULTS.port}; 0 picks a free one)
  --db FILE        SQLite database file (SERIALTRACE_DB, default ./${DEFAULTS.db})
  --database URL   PostgreSQL instead of SQLite, postgres://user:password@host:5432/name
                   (SERIALTRACE_DATABASE_URL); wins over --db and SERIALTRACE_DB
  --log-level L    fatal, error, warn, info, debug, trace or silent (SERIALTRACE_LOG_LEVEL, default ${DEFAULTS.logLevel})

Environment only:
  SERIALTRACE_DATABASE_SCHEMA   PostgreSQL schema for serialtrace's tables, created when missing (default ${DEFAULTS.databaseSchema})
  SERIALTRACE_DATABASE_POOL     PostgreSQL connections this server keeps open at most (default ${DEFAULTS.databasePoolSize})
  SERIALTRACE_DATABASE_STATEMENT_TIMEOUT
                                milliseconds a PostgreSQL statement may run before it is cancelled (default ${DEFAULTS.databaseStatementTimeoutMs})
  SERIALTRACE_ADMIN_PASSWORD    password of user "admin" on first start (else one is generated and printed once)
  SERIALTRACE_RATE_LIMIT        requests per minute per API key or user (default ${DEFAULTS.rateLimitPerMinute}; 0 = off; sign-in
                                throttling stays on either way)
  SERIALTRACE_BODY_LIMIT        largest request body in bytes (default ${DEFAULTS.bodyLimitBytes})
  SERIALTRACE_SESSION_HOURS     how long a sign-in lasts (default ${DEFAULTS.sessionHours})
  SERIALTRACE_LEASE_SECONDS     how long an unused lease of a leased series stays this server's; after that another server
                                may release it, recording its unused values as skipped (default ${DEFAULTS.leaseSeconds})
  SERIALTRACE_SECURE_COOKIES    true when clients use HTTPS (marks the session cookie Secure)
  SERIALTRACE_TRUST_PROXY       the reverse proxies whose X-Forwarded-For gives the client's address (for sign-in
                                throttling, rate limits and logs): their addresses or CIDR ranges, comma-separated
                                (10.0.0.5,10.1.0.0/16), a number of proxy hops, or true for every hop (only when
                                nothing can reach the server but through the proxy); default: none, the peer's address
  SERIALTRACE_TIME_ZONE         time zone of series created without one (default: this machine's)
  SERIALTRACE_WEB_ROOT          folder of a web UI build to serve at / (default: the built packages/web/dist)
  SERIALTRACE_SCRIPT_TIME_LIMIT_MS   longest a script run may take (default ${DEFAULTS.scriptTimeLimitMs}); it holds a write transaction
  SERIALTRACE_SCRIPT_MEMORY_LIMIT_MB memory a script run may allocate (default ${DEFAULTS.scriptMemoryLimitMb})
  SERIALTRACE_SCRIPT_API_CALL_LIMIT  calls to the manufacturing and documents APIs per run (default ${DEFAULTS.scriptApiCallLimit})
  SERIALTRACE_SCRIPT_RESULT_LIMIT_KB JSON a script run may return, in KiB (default ${DEFAULTS.scriptResultLimitKb})
  SERIALTRACE_SCRIPT_WORKERS         worker threads that run scripts, one run each at a time (default ${DEFAULTS.scriptWorkers})
  SERIALTRACE_MASTER_KEY        32 bytes (64 hex digits or base64) that encrypt the keys of randomised series;
                                without it randomised series cannot be created or issue serials
  SERIALTRACE_NOW               stop the clock at an ISO-8601 instant (tests, simulations)
`;

function whole(value: string, field: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new SerialtraceError('VALUE_INVALID', { field, reason: `"${value}" is not a whole number from ${min} to ${max}` });
  }
  return n;
}

/** Refused here rather than at the first connection, naming the setting; the password is not repeated. */
function databaseUrl(value: string | undefined): string | undefined {
  if (value !== undefined && !/^postgres(ql)?:\/\//.test(value)) {
    throw new SerialtraceError('VALUE_INVALID', { field: 'database', reason: 'a PostgreSQL URL starts with postgres:// or postgresql://' });
  }
  return value;
}

/** proxy-addr's names for address ranges, which Fastify's trustProxy also takes. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function trustProxy(value: string | undefined): boolean | number | string[] {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (text === 'true') return true;
  if (/^\d+$/.test(text)) return whole(text, 'SERIALTRACE_TRUST_PROXY', 1, 100);
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (PROXY_RANGE_NAMES.has(entry)) continue;
    const [address = '', prefix, ...more] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (family === 0 || !prefixOk || more.length > 0) {
      throw new SerialtraceError('VALUE_INVALID', {
        field: 'SERIALTRACE_TRUST_PROXY',
        reason: `"${entry}" is not an address or CIDR range (10.0.0.5, 10.1.0.0/16, ::1), loopback, linklocal or uniquelocal; give them comma-separated, a number of hops, true or false`,
      });
    }
  }
  return entries;
}

function schemaName(value: string): string {
  // PostgreSQL's unquoted identifiers; the store creates the schema under this name.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(value)) {
    throw new SerialtraceError('VALUE_INVALID', {
      field: 'SERIALTRACE_DATABASE_SCHEMA',
      reason: `"${value}" is not a schema name (letters, digits and _, not starting with a digit, at most 63)`,
    });
  }
  return value;
}

export function readConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerConfig | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        host: { type: 'string' },
        port: { type: 'string' },
        db: { type: 'string' },
        database: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new SerialtraceError('USAGE_INVALID', { reason: `${(error as Error).message}\n\n${USAGE}` });
  }
  if (values['help'] === true) return 'help';
  const pick = (flag: string, variable: string) => (values[flag] as string | undefined) ?? (env[variable] || undefined);
  return {
    host: pick('host', 'SERIALTRACE_HOST') ?? DEFAULTS.host,
    port: whole(pick('port', 'SERIALTRACE_PORT') ?? String(DEFAULTS.port), 'port', 0, 65535),
    db: pick('db', 'SERIALTRACE_DB') ?? DEFAULTS.db,
    databaseUrl: databaseUrl(pick('database', 'SERIALTRACE_DATABASE_URL')),
    databaseSchema: schemaName(env['SERIALTRACE_DATABASE_SCHEMA'] || DEFAULTS.databaseSchema),
    databasePoolSize: whole(env['SERIALTRACE_DATABASE_POOL'] ?? String(DEFAULTS.databasePoolSize), 'SERIALTRACE_DATABASE_POOL', 1, 1000),
    databaseStatementTimeoutMs: whole(
      env['SERIALTRACE_DATABASE_STATEMENT_TIMEOUT'] ?? String(DEFAULTS.databaseStatementTimeoutMs),
      'SERIALTRACE_DATABASE_STATEMENT_TIMEOUT',
      1,
      24 * 60 * 60 * 1000,
    ),
    adminPassword: env['SERIALTRACE_ADMIN_PASSWORD'] || undefined,
    logLevel: pick('log-level', 'SERIALTRACE_LOG_LEVEL') ?? DEFAULTS.logLevel,
    rateLimitPerMinute: whole(env['SERIALTRACE_RATE_LIMIT'] ?? String(DEFAULTS.rateLimitPerMinute), 'SERIALTRACE_RATE_LIMIT', 0, 10_000_000),
    bodyLimitBytes: whole(env['SERIALTRACE_BODY_LIMIT'] ?? String(DEFAULTS.bodyLimitBytes), 'SERIALTRACE_BODY_LIMIT', 1024, 1024 ** 3),
    sessionHours: whole(env['SERIALTRACE_SESSION_HOURS'] ?? String(DEFAULTS.sessionHours), 'SERIALTRACE_SESSION_HOURS', 1, 24 * 90),
    leaseSeconds: whole(env['SERIALTRACE_LEASE_SECONDS'] ?? String(DEFAULTS.leaseSeconds), 'SERIALTRACE_LEASE_SECONDS', 1, 7 * 24 * 3600),
    secureCookies: env['SERIALTRACE_SECURE_COOKIES'] === 'true',
    trustProxy: trustProxy(env['SERIALTRACE_TRUST_PROXY']),
    now: env['SERIALTRACE_NOW'] || undefined,
    timeZone: env['SERIALTRACE_TIME_ZONE'] || undefined,
    webRoot: env['SERIALTRACE_WEB_ROOT'] || undefined,
    masterKey: env['SERIALTRACE_MASTER_KEY'] || undefined,
    scriptTimeLimitMs: whole(env['SERIALTRACE_SCRIPT_TIME_LIMIT_MS'] ?? String(DEFAULTS.scriptTimeLimitMs), 'SERIALTRACE_SCRIPT_TIME_LIMIT_MS', 10, 3_600_000),
    scriptMemoryLimitMb: whole(env['SERIALTRACE_SCRIPT_MEMORY_LIMIT_MB'] ?? String(DEFAULTS.scriptMemoryLimitMb), 'SERIALTRACE_SCRIPT_MEMORY_LIMIT_MB', 1, 4096),
    scriptApiCallLimit: whole(env['SERIALTRACE_SCRIPT_API_CALL_LIMIT'] ?? String(DEFAULTS.scriptApiCallLimit), 'SERIALTRACE_SCRIPT_API_CALL_LIMIT', 1, 10_000_000),
    scriptResultLimitKb: whole(env['SERIALTRACE_SCRIPT_RESULT_LIMIT_KB'] ?? String(DEFAULTS.scriptResultLimitKb), 'SERIALTRACE_SCRIPT_RESULT_LIMIT_KB', 1, 64 * 1024),
    scriptWorkers: whole(env['SERIALTRACE_SCRIPT_WORKERS'] ?? String(DEFAULTS.scriptWorkers), 'SERIALTRACE_SCRIPT_WORKERS', 1, 64),
  };
}

export { USAGE };

/** The limits of each script run, as the services take them. */
export function scriptLimitsOf(config: Pick<ServerConfig, 'scriptTimeLimitMs' | 'scriptMemoryLimitMb' | 'scriptApiCallLimit' | 'scriptResultLimitKb'>): {
  timeMs: number;
  memoryBytes: number;
  apiCalls: number;
  resultBytes: number;
} {
  return {
    timeMs: config.scriptTimeLimitMs,
    memoryBytes: config.scriptMemoryLimitMb * 1024 * 1024,
    apiCalls: config.scriptApiCallLimit,
    resultBytes: config.scriptResultLimitKb * 1024,
  };
}
