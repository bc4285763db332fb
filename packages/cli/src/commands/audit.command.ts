import { readFile } from 'node:fs/promises';
import { describeAuditProblem, EVENT_TYPE_NAMES, EVENT_TYPES, isEventType, SerialtraceError, suggestEventType } from '@serialtrace/core';
import { AuditKey, clockFromSetting } from '@serialtrace/service';
import { Command } from 'commander';
import type { VerifyResult } from '../backend.js';
import type { CliContext } from '../cli-context.js';
import { writeAtomically } from '../files.js';
import { wholeNumber } from '../options.js';
import { table } from '../output.js';

interface AuditFlags {
  readonly verify?: boolean;
  readonly checkpoint?: string;
  readonly export?: string;
  readonly limit?: string;
  readonly entity?: string;
  readonly action?: string;
}

/** Problems printed in words after a failed verification; `--json` lists them all. */
const PRINTED_PROBLEMS = 20;

/**
 * The operator's audit key, from the environment only (a flag would show in process lists), as
 * the master key is given.
 */
function auditKey(c: CliContext): AuditKey {
  const text = c.io.env['SERIALTRACE_AUDIT_KEY'];
  if (text === undefined || text.trim() === '') throw new SerialtraceError('AUDIT_KEY_MISSING');
  return AuditKey.parse(text);
}

function verificationText(result: VerifyResult): string {
  if (result.valid) {
    return [
      `Audit chain intact: ${result.checked} entries verified.${result.head === null ? '' : ` Head: #${result.head.seq} ${result.head.hash}`}`,
      `${result.recordsChecked} records and ${result.historyChecked} status changes match the entries that made them.`,
      ...(result.checkpoint === null ? [] : [`The signed checkpoint at entry #${result.checkpoint.seq} holds.`]),
    ].join('\n');
  }
  const lines = [`Audit trail does NOT verify: ${result.problemCount} ${result.problemCount === 1 ? 'problem' : 'problems'}.`];
  for (const problem of result.problems.slice(0, PRINTED_PROBLEMS)) lines.push(`- ${describeAuditProblem(problem)}`);
  if (result.problemCount > PRINTED_PROBLEMS) lines.push(`- ...and ${result.problemCount - PRINTED_PROBLEMS} more (--json lists up to ${result.problems.length}).`);
  lines.push(
    result.head === null
      ? `No entry verified from the start of the chain; ${result.checked} entries checked.`
      : `The chain holds from its start up to entry #${result.head.seq} (${result.head.hash}); ${result.checked} entries checked.`,
  );
  return lines.join('\n');
}

/** The actions `--action` takes, with their words, for the command's help. */
function actionsHelp(): string {
  const width = Math.max(...EVENT_TYPE_NAMES.map((type) => type.length));
  return ['', 'Actions (--action):', ...EVENT_TYPE_NAMES.map((type) => `  ${type.padEnd(width)}  ${EVENT_TYPES[type].label}`)].join('\n');
}

/**
 * Refuses an action the audit trail never records before anything is opened or sent: filtering
 * by it would list nothing, and a typo should not look like an empty trail.
 */
function checkAction(action: string | undefined): void {
  if (action === undefined || isEventType(action)) return;
  const suggestion = suggestEventType(action);
  throw new SerialtraceError('USAGE_INVALID', {
    field: 'action',
    value: action,
    reason: `--action "${action}" is not an action the audit trail records${suggestion === undefined ? '' : `; did you mean ${suggestion}?`} (serialtrace audit --help lists them all)`,
    ...(suggestion === undefined ? {} : { suggestion }),
  });
}

export function auditCommand(ctx: () => CliContext): Command {
  const command = new Command('audit')
    .description('list, export or verify the hash-chained audit trail')
    .option('--verify', 'recompute the chain, hold it against its kept head and every record against its entries, and report every problem (exit 1 when any)')
    .option('--checkpoint <file>', 'with --verify: also hold the chain against a checkpoint signed by `audit checkpoint` (needs SERIALTRACE_AUDIT_KEY)')
    .option('--export <format>', 'write every entry in chain order: json or csv')
    .option('--limit <n>', 'how many of the newest entries to list', '50')
    .option('--entity <type:id>', 'only entries about one entity, e.g. record:42')
    .option('--action <action>', 'only one kind of entry, e.g. serials.generated (all are listed below)')
    .addHelpText('after', actionsHelp())
    .action(async (flags: AuditFlags) => {
      checkAction(flags.action);
      const c = ctx();
      const backend = c.backend();
      if (flags.checkpoint !== undefined && flags.verify !== true) {
        throw new SerialtraceError('USAGE_INVALID', { reason: '--checkpoint goes with --verify: serialtrace audit --verify --checkpoint FILE' });
      }
      if (flags.verify === true) {
        let checkpoint: { seq: number; hash: string; companyId: number } | undefined;
        if (flags.checkpoint !== undefined) {
          const key = auditKey(c);
          let text: string;
          try {
            text = flags.checkpoint === '-' ? await c.stdinText() : await readFile(flags.checkpoint, 'utf8');
          } catch (error) {
            throw new SerialtraceError('VALUE_INVALID', { field: 'checkpoint', reason: `cannot read ${flags.checkpoint}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
          }
          checkpoint = key.read(text);
        }
        const result = await backend.verifyAudit(checkpoint === undefined ? {} : { checkpoint: { seq: checkpoint.seq, hash: checkpoint.hash } });
        if (checkpoint !== undefined && checkpoint.companyId !== result.companyId) {
          throw new SerialtraceError('AUDIT_CHECKPOINT_INVALID', { reason: `it is a checkpoint of company ${checkpoint.companyId}, and this is the chain of company ${result.companyId}` });
        }
        c.print(result, () => verificationText(result));
        if (!result.valid) c.exitCode = 1;
        return;
      }
      if (flags.export !== undefined) {
        if (flags.export !== 'json' && flags.export !== 'csv') {
          throw new SerialtraceError('VALUE_INVALID', { field: 'export', reason: `"${flags.export}" is not json or csv` });
        }
        // The same bytes either way: the server streams what the local export writes.
        for await (const chunk of backend.exportAudit(flags.export)) c.io.stdout(chunk);
        return;
      }
      const [entityType, entityId] = flags.entity === undefined ? [] : flags.entity.split(':', 2);
      if (flags.entity !== undefined && (entityType === undefined || entityId === undefined || entityId === '')) {
        throw new SerialtraceError('VALUE_INVALID', { field: 'entity', reason: 'write it as TYPE:ID, e.g. record:42' });
      }
      const page = await backend.listAudit({
        limit: wholeNumber(flags.limit, 'limit', 1, 1000)!,
        ...(entityType === undefined ? {} : { entityType }),
        ...(entityId === undefined ? {} : { entityId }),
        ...(flags.action === undefined ? {} : { action: flags.action }),
      });
      c.print(page, () =>
        table(
          ['SEQ', 'AT', 'ACTOR', 'STATION', 'ACTION', 'ENTITY', 'REASON'],
          page.entries.map((e) => [String(e.seq), e.at, e.actor, e.station ?? '', e.action, `${e.entityType}:${e.entityId}`, e.reason ?? '']),
        ),
      );
    });

  command
    .command('checkpoint')
    .description('verify the chain, then write its head signed with SERIALTRACE_AUDIT_KEY, for `audit --verify --checkpoint` to hold the chain against later')
    .requiredOption('--out <file>', 'where to write the checkpoint (JSON; - for standard output)')
    .action(async (flags: { readonly out: string }) => {
      const c = ctx();
      const key = auditKey(c);
      if (!key.canSign) throw new SerialtraceError('AUDIT_KEY_INVALID', { reason: 'an Ed25519 public key checks checkpoints; signing one needs the private key' });
      const result = await c.backend().verifyAudit({});
      const first = result.firstBreak;
      if (!result.valid) throw new SerialtraceError('AUDIT_CHAIN_BROKEN', { problemCount: result.problemCount, seq: first?.seq ?? 0 });
      if (result.head === null) throw new SerialtraceError('VALUE_INVALID', { field: 'chain', reason: 'the audit chain is empty: there is nothing to vouch for yet' });
      const at = clockFromSetting(c.io.env['SERIALTRACE_NOW']).now().toISOString();
      const checkpoint = key.checkpoint({ companyId: result.companyId, seq: result.head.seq, hash: result.head.hash, entries: result.checked, at });
      const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
      if (flags.out === '-') {
        c.io.stdout(text);
        return;
      }
      await writeAtomically(flags.out, new TextEncoder().encode(text));
      c.print(checkpoint, () => `Checkpoint of entry #${checkpoint.seq} (${checkpoint.hash}) written to ${flags.out}, signed with ${checkpoint.algorithm} key ${checkpoint.keyId}.`);
    });
  return command;
}
