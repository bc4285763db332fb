import { problem, SerialtraceError, type Problem } from '@serialtrace/core';
import { Command } from 'commander';
import type { AggregationResult, AuditOptions, ContentsNode, ContentsResult, PackRequest, ParentsResult } from '../backend.js';
import type { CliContext } from '../cli-context.js';
import { readJsonInput } from '../files.js';
import { withAuditOptions } from '../options.js';

const CODE_HELP = 'in any notation: an element string (]d2... with GS as ASCII 29), (00)... bracketed, a GS1 Digital Link, an EPC URN, or a record\'s serial';

interface PackFlags extends AuditOptions {
  readonly move?: boolean;
  readonly from?: string;
}

interface AtFlags {
  readonly at?: string;
}

function aggregationText(result: AggregationResult): string {
  const moved = new Map(result.moved.map((m) => [m.child, m.from]));
  const head =
    result.action === 'ADD'
      ? `Packed ${result.children.length} into ${result.parent}`
      : `Unpacked ${result.children.length} from ${result.parent}`;
  return [
    `${head} (event ${result.eventID}, ${result.eventTime}):`,
    ...result.children.map((child) => `  ${child}${moved.has(child) ? ` (moved out of ${moved.get(child)!})` : ''}`),
  ].join('\n');
}

/** The container, then what it holds, two spaces deeper per level. */
function treeLines(node: ContentsNode, depth: number): string[] {
  return [`${'  '.repeat(depth)}${node.identifier}`, ...node.children.flatMap((child) => treeLines(child, depth + 1))];
}

function contentsText(contents: ContentsResult): string {
  return [...treeLines(contents, 0), `total: ${contents.total} at every level (at ${contents.at})`].join('\n');
}

function parentsText(view: ParentsResult): string {
  if (view.parents.length === 0) return `${view.identifier} is in nothing (at ${view.at})`;
  return [`${view.identifier} is in, innermost first (at ${view.at}):`, ...view.parents.map((p) => `  ${p}`)].join('\n');
}

/**
 * Refuses a blank code as the service does, naming the field it names (`parent`, `children/2`),
 * so that a server, whose schema refuses an empty code before its service reads it, answers alike.
 */
function checkCodes(codes: readonly (readonly [string, string])[]): void {
  for (const [field, code] of codes) {
    if (code.trim() === '') throw new SerialtraceError('VALUE_INVALID', { field, reason: 'the code is empty' });
  }
}

const childCodes = (children: readonly string[]) => children.map((code, i) => [`children/${i}`, code] as const);

/**
 * `--from`'s list of packs, `[{ "parent": "...", "children": ["...", ...], "move": true }, ...]`
 * (or `{ "packs": [...] }`, as the API takes it). Its shape is checked here, every entry's
 * problems at once, so both backends refuse a malformed file alike; the codes themselves are the
 * service's to read.
 */
function packsOf(value: unknown, source: string, move: boolean): PackRequest[] {
  const list = typeof value === 'object' && value !== null && !Array.isArray(value) && 'packs' in value ? value.packs : value;
  const problems: Problem[] = [];
  const refuse = (why: string) => problems.push(problem('VALUE_INVALID', { field: 'from', reason: `${source}: ${why}` }));
  if (!Array.isArray(list)) refuse('give a JSON list of {"parent": CODE, "children": [CODE, ...]}');
  else if (list.length === 0) refuse('the list is empty: there is nothing to pack');
  const packs: PackRequest[] = [];
  for (const [i, entry] of (Array.isArray(list) ? (list as unknown[]) : []).entries()) {
    const pack = entry as { parent?: unknown; children?: unknown; move?: unknown } | null;
    if (typeof pack !== 'object' || pack === null || Array.isArray(pack)) {
      refuse(`entry ${i} is not an object`);
      continue;
    }
    const { parent, children, move: own } = pack;
    const before = problems.length;
    if (typeof parent !== 'string' || parent === '') refuse(`entry ${i} has no "parent" code`);
    if (!Array.isArray(children) || children.length === 0 || children.some((c) => typeof c !== 'string' || c === '')) {
      refuse(`entry ${i} needs "children", a list of at least one code`);
    }
    if (own !== undefined && typeof own !== 'boolean') refuse(`entry ${i}: "move" is true or false`);
    if (problems.length > before) continue;
    const moves = (own as boolean | undefined) ?? move;
    packs.push({ parent: parent as string, children: children as string[], ...(moves ? { move: true } : {}) });
  }
  if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
  return packs;
}

/** Packing units into cases and pallets, unpacking them, and what holds what: each pack or unpack an AggregationEvent. */
export function aggregationCommands(ctx: () => CliContext): Command[] {
  const pack = withAuditOptions(
    new Command('pack')
      .argument('[parent]', `the case or pallet, ${CODE_HELP}`)
      .argument('[children...]', 'the units to pack into it, in any notation alike')
      .usage('[options] PARENT CHILD... | --from FILE')
      .option('--move', 'take children that are in another parent out of it first (a repack); otherwise they are refused')
      .option('--from <file>', 'pack a JSON list of {"parent": CODE, "children": [CODE, ...]} in order, all or nothing, in one request; - reads standard input')
      .description('pack units into a case or pallet (an AggregationEvent, action ADD)'),
  ).action(async (parent: string | undefined, children: string[], flags: PackFlags) => {
    const { move, from, ...who } = flags;
    if (from !== undefined) {
      if (parent !== undefined) throw new SerialtraceError('USAGE_INVALID', { reason: '--from reads the parents and children from a file: leave out PARENT and CHILD' });
      const c = ctx();
      const requests = packsOf(await readJsonInput(c, from, 'from'), from === '-' ? 'standard input' : from, move === true);
      const results = await c.backend().packMany(who, requests);
      c.print({ packs: results }, () => results.map(aggregationText).join('\n'));
      return;
    }
    if (parent === undefined || children.length === 0) {
      throw new SerialtraceError('USAGE_INVALID', { reason: 'give the parent and at least one child: serialtrace pack PARENT CHILD... (or --from FILE)' });
    }
    checkCodes([['parent', parent], ...childCodes(children)]);
    const c = ctx();
    const result = await c.backend().pack(who, { parent, children, ...(move === true ? { move: true } : {}) });
    c.print(result, () => aggregationText(result));
  });

  const unpack = withAuditOptions(
    new Command('unpack')
      .argument('<parent>', `the case or pallet, ${CODE_HELP}`)
      .argument('[children...]', 'the units to take out; everything it holds when none are named')
      .description('take units out of a case or pallet (an AggregationEvent, action DELETE)'),
  ).action(async (parent: string, children: string[], flags: AuditOptions) => {
    checkCodes([['parent', parent], ...childCodes(children)]);
    const c = ctx();
    const result = await c.backend().unpack(flags, { parent, ...(children.length === 0 ? {} : { children }) });
    c.print(result, () => aggregationText(result));
  });

  const contents = new Command('contents')
    .argument('<parent>', `the case or pallet, ${CODE_HELP}`)
    .option('--at <instant>', 'what it held at this past instant (ISO-8601, e.g. 2025-06-01T08:00:00Z); now by default')
    .description('what a case or pallet holds, at every level, as an indented tree')
    .action(async (parent: string, flags: AtFlags) => {
      checkCodes([['parent', parent]]);
      const c = ctx();
      const view = await c.backend().contents(parent, flags.at === undefined ? {} : { at: flags.at });
      c.print(view, () => contentsText(view));
    });

  const parents = new Command('parents')
    .argument('<code>', `the unit, case or pallet, ${CODE_HELP}`)
    .option('--at <instant>', 'what held it at this past instant (ISO-8601); now by default')
    .description('what holds a unit: its case, the case\'s pallet, ..., innermost first')
    .action(async (code: string, flags: AtFlags) => {
      checkCodes([['code', code]]);
      const c = ctx();
      const view = await c.backend().parents(code, flags.at === undefined ? {} : { at: flags.at });
      c.print(view, () => parentsText(view));
    });

  return [pack, unpack, contents, parents];
}
