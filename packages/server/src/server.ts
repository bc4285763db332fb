import { canonicalTimeZone, isSerialtraceError } from '@serialtrace/core';
import { clockFromSetting, createSerialtrace, type Serialtrace } from '@serialtrace/service';
import { openStore } from '@serialtrace/store';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { scriptLimitsOf, type ServerConfig } from './config.js';

/** How often a closing server closes the connections that have fallen idle since it began. */
const IDLE_SWEEP_MS = 100;

/** How often a server that started without its database tries the first start again. */
export const FIRST_START_RETRY_MS = 2000;

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly services: Serialtrace;
  /** `http://host:port` */
  readonly url: string;
  /** The generated admin password on a first start without SERIALTRACE_ADMIN_PASSWORD, else null. */
  readonly initialAdminPassword: string | null;
  /**
   * Settles once the first start is complete (the administrator `admin` exists). It already has
   * when the database answered at start; otherwise the server listens, answers /ready with
   * NOT_READY, and tries again in the background until the database answers. Resolves with the
   * password generated then (null when there was none), and rejects when the first start fails
   * for another reason than an unreachable database (a SERIALTRACE_ADMIN_PASSWORD that is too
   * short); it stays pending when the server closes first.
   */
  readonly firstStart: Promise<string | null>;
  /**
   * Stops taking connections, lets requests in flight finish (a generation that began is answered
   * and committed), then closes the database.
   */
  close(): Promise<void>;
}

/** Worth trying again: the database did not answer, or stayed busy. Anything else stays wrong. */
function isTransient(error: unknown): boolean {
  return isSerialtraceError(error) && (error.code === 'STORE_UNAVAILABLE' || error.code === 'STORE_BUSY');
}

/**
 * Opens the database (PostgreSQL when a URL is configured, else the SQLite file), creates the
 * first admin on a fresh install, and listens. A database that does not answer at start does not
 * stop the server: see {@link RunningServer.firstStart}.
 */
export async function startServer(config: ServerConfig, logger: boolean | object = { level: config.logLevel }): Promise<RunningServer> {
  const clock = clockFromSetting(config.now);
  const defaultTimeZone = config.timeZone === undefined ? undefined : canonicalTimeZone(config.timeZone, 'SERIALTRACE_TIME_ZONE');
  const store = openStore({
    databaseUrl: config.databaseUrl,
    path: config.db,
    postgres: { schema: config.databaseSchema, poolSize: config.databasePoolSize, statementTimeoutMs: config.databaseStatementTimeoutMs },
  });
  let shuttingDown = false;
  let startPending: string | null = null;
  try {
    const services = createSerialtrace({
      store,
      clock,
      sessionHours: config.sessionHours,
      leases: { ttlMs: config.leaseSeconds * 1000 },
      ...(defaultTimeZone === undefined ? {} : { defaultTimeZone }),
      ...(config.masterKey === undefined ? {} : { masterKey: config.masterKey }),
      scriptLimits: scriptLimitsOf(config),
      scriptWorkers: config.scriptWorkers,
    });
    const bootstrap = async () => {
      const admin = await services.users.bootstrap(config.adminPassword);
      return admin?.generated === true ? admin.password : null;
    };
    let initialAdminPassword: string | null = null;
    let unreachable: unknown;
    try {
      initialAdminPassword = await bootstrap();
    } catch (error) {
      // Anything but an unreachable database (a password too short, a newer schema) stops the start.
      if (!isTransient(error)) throw error;
      unreachable = error;
      startPending = 'the first start waits for the database (the administrator is not created yet)';
    }

    const app = await buildApp({
      services,
      config,
      logger,
      shuttingDown: () => shuttingDown,
      startPending: () => startPending,
    });
    // The location never carries a password.
    app.log.info({ engine: store.engine, location: store.location }, `database: ${store.engine} at ${store.location}`);
    const url = await app.listen({ host: config.host, port: config.port });

    let retry: NodeJS.Timeout | undefined;
    let attempt: Promise<unknown> | undefined;
    let firstStart: Promise<string | null>;
    if (unreachable === undefined) {
      firstStart = Promise.resolve(initialAdminPassword);
    } else {
      app.log.error(
        { err: unreachable, engine: store.engine, location: store.location },
        `the database at ${store.location} is unreachable: serving 503 until it answers, trying again every ${FIRST_START_RETRY_MS / 1000} s`,
      );
      firstStart = new Promise<string | null>((resolve, reject) => {
        const again = () => {
          retry = undefined;
          attempt = bootstrap().then(
            (password) => {
              startPending = null;
              app.log.info({ engine: store.engine, location: store.location }, 'the database answers: the first start is complete');
              resolve(password);
            },
            (error: unknown) => {
              if (shuttingDown) return;
              if (isTransient(error)) {
                app.log.debug({ err: error }, 'the database is still unreachable');
                retry = setTimeout(again, FIRST_START_RETRY_MS);
                return;
              }
              startPending = 'the first start failed (the server log has the cause)';
              app.log.error({ err: error }, 'the first start failed');
              reject(error instanceof Error ? error : new Error(String(error)));
            },
          );
        };
        retry = setTimeout(again, FIRST_START_RETRY_MS);
      });
      // Rejection is the caller's to handle; a caller that does not look must not crash the process.
      firstStart.catch(() => undefined);
    }

    return {
      app,
      services,
      url,
      initialAdminPassword,
      firstStart,
      async close() {
        shuttingDown = true;
        clearTimeout(retry);
        await attempt?.catch(() => undefined);
        // Fastify closes the connections that are idle when the shutdown begins; one answered
        // later (a request begun before it) would stay open until its keep-alive timeout and hold
        // the exit that long. Close such connections as soon as they fall idle.
        const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
        }
        // What this server leased and did not issue is recorded as skipped now, rather than when
        // another server finds the lease expired.
        await services.generation.releaseLeases().catch((error: unknown) => {
          app.log.error({ err: error }, 'could not release this server\'s leases; another server releases them once they expire');
        });
        services.dispose();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
