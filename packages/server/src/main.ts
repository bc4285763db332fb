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
  if (server.initialAdminPassword !== null) {
    process.stdout.write(
      `\nFirst start: the administrator "admin" was created. Sign in with this one-time password:\n\n    ${server.initialAdminPassword}\n\n` +
        'It is shown only now; change it after signing in (POST /api/v1/auth/password).\n\n',
    );
  }
  process.stdout.write(`serialtrace is listening on http://${address.includes(':') ? `[${address}]` : address}:${port} (database ${config.db})\n`);
  process.stdout.write(`API reference: ${server.url}/api/v1/docs\n`);

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

main().then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (error: unknown) => {
    if (isSerialtraceError(error)) process.stderr.write(`error: ${error.code}: ${error.message}\n`);
    else process.stderr.write(`error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
