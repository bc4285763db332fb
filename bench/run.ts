/**
 * `npm run bench`: generation through the service against a bare SQLite loop, then the HTTP API
 * under 1, 16 and 64 concurrent clients, each measured against the bare loop in the same run.
 * `--json` prints one JSON object; `--quick` shortens every measurement; `--only generation` or
 * `--only http` runs one part.
 */
import { printGenerationReport, runGenerationBench } from './generation.js';
import { printHttpReport, runHttpBench } from './http.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;

const report: Record<string, unknown> = { machine: { node: process.version, platform: `${process.platform}-${process.arch}` } };
if (only === undefined || only === 'generation') report['generation'] = await runGenerationBench({ quick });
if (only === undefined || only === 'http') report['http'] = await runHttpBench({ seconds: quick ? 2 : 5 });

if (json) {
  console.log(JSON.stringify(report));
} else {
  console.log(`serialtrace benchmarks (${process.version}, ${process.platform}-${process.arch})`);
  if (report['generation'] !== undefined) printGenerationReport(report['generation'] as Awaited<ReturnType<typeof runGenerationBench>>);
  if (report['http'] !== undefined) printHttpReport(report['http'] as Awaited<ReturnType<typeof runHttpBench>>);
}
