/**
 * `npm run bench`: generation through the service against a bare SQLite loop, then the HTTP API
 * under 1, 16 and 64 concurrent clients, each measured against the bare loop in the same run, then
 * generation on PostgreSQL (gapless and leased) against bare node-postgres transactions, then the
 * web UI's records explorer on 1,000,000 records in headless Chromium against the API alone.
 * `--json` prints one JSON object; `--quick` shortens every measurement (and seeds 200,000
 * records for the web UI); `--only generation`, `--only gs1`, `--only scripts`, `--only script-isolation`, `--only http`,
 * `--only postgres`, `--only web`, `--only auth`, `--only audit`, `--only journal` or `--only epcis` runs one part. The journal part
 * measures a follower's delivery delay while clients generate, and a backlog read. The audit part times a
 * verification of 200,000 records against reading their chain alone. The auth part prices identifying a caller
 * (an API key in the service, and `GET /api/v1/auth/me` by key and by session on both engines). The gs1 part sets randomised serials against
 * sequential ones and times label renders; the scripts part times script runs and sets serials
 * generated from a script against the service called directly; the script-isolation part times the
 * server's answers while runaway scripts run, how long past its limit each ends, how long writers
 * wait for a run, and the server's memory around a memory bomb. The epcis part measures the EPCIS repository
 * against its targets: capture against a bare insert of the same rows, queries over `--events N` events
 * (1,000,000; 100,000 with `--quick`), packing and reading pallets; `--engine sqlite` or `--engine postgres`
 * limits it to one engine. The full run skips PostgreSQL when it cannot
 * reach SERIALTRACE_BENCH_DATABASE_URL (default postgres://root@127.0.0.1:5432/test).
 */
import { printAuditReport, runAuditBench } from './audit.js';
import { printAuthReport, runAuthBench } from './auth.js';
import { printEpcisReport, runEpcisBench } from './epcis.js';
import { printGenerationReport, runGenerationBench } from './generation.js';
import { journalText, runJournalBench } from './journal.js';
import { printGs1Report, runGs1Bench } from './gs1.js';
import { printScriptsReport, runScriptsBench } from './scripts.js';
import { printScriptIsolationReport, runScriptIsolationBench } from './script-isolation.js';
import { printHttpReport, runHttpBench } from './http.js';
import { printPostgresReport, runPostgresBench } from './postgres.js';
import { printWebUiReport, runWebUiBench } from './web-ui.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const quick = args.includes('--quick');
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const events = args.includes('--events') ? Number(args[args.indexOf('--events') + 1]?.replace(/[_,]/g, '')) : undefined;
const engine = args.includes('--engine') ? args[args.indexOf('--engine') + 1] : undefined;

const report: Record<string, unknown> = { machine: { node: process.version, platform: `${process.platform}-${process.arch}` } };
if (only === undefined || only === 'generation') report['generation'] = await runGenerationBench({ quick });
if (only === undefined || only === 'gs1') report['gs1'] = await runGs1Bench({ quick });
if (only === undefined || only === 'scripts') report['scripts'] = await runScriptsBench({ quick });
if (only === undefined || only === 'script-isolation') report['scriptIsolation'] = await runScriptIsolationBench({ quick });
if (only === undefined || only === 'http') report['http'] = await runHttpBench({ seconds: quick ? 2 : 5 });
if (only === undefined || only === 'postgres') report['postgres'] = await runPostgresBench({ quick, required: only === 'postgres' });
if (only === undefined || only === 'web') report['web'] = await runWebUiBench({ quick });
if (only === undefined || only === 'auth') report['auth'] = await runAuthBench({ quick });
if (only === undefined || only === 'audit') report['audit'] = await runAuditBench({ quick });
if (only === undefined || only === 'journal') report['journal'] = await runJournalBench({ quick });
if (only === undefined || only === 'epcis') {
  report['epcis'] = await runEpcisBench({ quick, ...(events === undefined ? {} : { events }), ...(engine === undefined ? {} : { engines: [engine] }) });
}

if (json) {
  console.log(JSON.stringify(report));
} else {
  console.log(`serialtrace benchmarks (${process.version}, ${process.platform}-${process.arch})`);
  if (report['generation'] !== undefined) printGenerationReport(report['generation'] as Awaited<ReturnType<typeof runGenerationBench>>);
  if (report['gs1'] !== undefined) printGs1Report(report['gs1'] as Awaited<ReturnType<typeof runGs1Bench>>);
  if (report['scripts'] !== undefined) printScriptsReport(report['scripts'] as Awaited<ReturnType<typeof runScriptsBench>>);
  if (report['scriptIsolation'] !== undefined) printScriptIsolationReport(report['scriptIsolation'] as Awaited<ReturnType<typeof runScriptIsolationBench>>);
  if (report['http'] !== undefined) printHttpReport(report['http'] as Awaited<ReturnType<typeof runHttpBench>>);
  if (report['postgres'] !== undefined) printPostgresReport(report['postgres'] as Awaited<ReturnType<typeof runPostgresBench>>);
  if (report['web'] !== undefined) printWebUiReport(report['web'] as Awaited<ReturnType<typeof runWebUiBench>>);
  if (report['auth'] !== undefined) printAuthReport(report['auth'] as Awaited<ReturnType<typeof runAuthBench>>);
  if (report['audit'] !== undefined) printAuditReport(report['audit'] as Awaited<ReturnType<typeof runAuditBench>>);
  if (report['journal'] !== undefined) console.log(journalText(report['journal'] as Awaited<ReturnType<typeof runJournalBench>>));
  if (report['epcis'] !== undefined) printEpcisReport(report['epcis'] as Awaited<ReturnType<typeof runEpcisBench>>);
}
