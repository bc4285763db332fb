export { runCli, EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from './cli.js';
export type { CliIo } from './cli-context.js';
