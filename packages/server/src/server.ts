import { canonicalTimeZone } from '@serialtrace/core';
import { clockFromSetting, createSerialtrace, type Serialtrace } from '@serialtrace/service';
import { SqliteStore } from '@serialtrace/store';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { ServerConfig } from './config.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly services: Serialtrace;
  /** `http://host:port` */
  readonly url: string;
  /** The generated admin password on a first start without SERIALTRACE_ADMIN_PASSWORD, else null. */
  readonly initialAdminPassword: string | null;
  /**
   * Stops taking connections, lets requests in flight finish (a generation that began is answered
   * and committed), then closes the database.
   */
  close(): Promise<void>;
}

/** Opens the database, creates the first admin on a fresh install, and listens. */
export async function startServer(config: ServerConfig, logger: boolean | object = { level: config.logLevel }): Promise<RunningServer> {
  const clock = clockFromSetting(config.now);
  const defaultTimeZone = config.timeZone === undefined ? undefined : canonicalTimeZone(config.timeZone, 'SERIALTRACE_TIME_ZONE');
  const store = SqliteStore.open({ path: config.db });
  let shuttingDown = false;
  try {
    const services = createSerialtrace({
      store,
      clock,
      sessionHours: config.sessionHours,
      ...(defaultTimeZone === undefined ? {} : { defaultTimeZone }),
    });
    const admin = await services.access.bootstrap(config.adminPassword);
    const app = await buildApp({ services, config, logger, shuttingDown: () => shuttingDown });
    const url = await app.listen({ host: config.host, port: config.port });
    return {
      app,
      services,
      url,
      initialAdminPassword: admin?.generated === true ? admin.password : null,
      async close() {
        shuttingDown = true;
        await app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
