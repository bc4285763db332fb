import { isSerialtraceError } from '@serialtrace/core';
import { readConfig, USAGE } from './config.js';
import { startServer } from './server.js';

/** `serialtrace-server`: configuration from flags and environment, a first-start notice, clean shutdown on SIGINT/SIGTERM. */
async function main(): Promise<number> {
  const config = readConfig(process.argv.slice(2), process.env);
  if (config === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const server = await startServer(config);
  const { address, port } = server.app.server.address() as { address: string; port: number };
  const firstStartNotice = (password: string) =>
    process.stdout.write(
      `\nFirst start: the administrator "admin" was created. Sign in with this one-time password:\n\n    ${password}\n\n` +
        'It is shown only now; change it after signing in (POST /api/v1/auth/password).\n\n',
    );
  if (server.initialAdminPassword !== null) firstStartNotice(server.initialAdminPassword);
  const { engine, location } = server.services.store;
  process.stdout.write(`serialtrace is listening on http://${address.includes(':') ? `[${address}]` : address}:${port} (database: ${engine} ${location})\n`);
  process.stdout.write(`API reference: ${server.url}/api/v1/docs\n`);
  // When the database was unreachable at start, the first start completes later, in the background.
  server.firstStart.then(
    (password) => {
      if (password !== null && server.initialAdminPassword === null) firstStartNotice(password);
    },
    (error: unknown) => {
      // As when it fails at start: say why and exit 1.
      report(error);
      const exit = () => process.exit(1);
      server.close().then(exit, exit);
    },
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down: finishing requests in flight');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  return -1;
}

function report(error: unknown): void {
  if (isSerialtraceError(error)) process.stderr.write(`error: ${error.code}: ${error.message}\n`);
  else process.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
}

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    report(error);
    process.exitCode = 1;
  },
);
