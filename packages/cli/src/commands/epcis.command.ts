import { parseChoice, SerialtraceError } from '@serialtrace/core';
import { Command } from 'commander';
import type { AuditOptions, CaptureJob, EpcFormat, EpcisEventsPage } from '../backend.js';
import type { CliContext } from '../cli-context.js';
import { readJsonInput } from '../files.js';
import { wholeNumber, withAuditOptions } from '../options.js';
import { table } from '../output.js';

/** `--format`'s words for the GS1-EPC-Format values a query may ask for. */
const EPC_FORMATS = {
  dl: 'Always_GS1_Digital_Link',
  urn: 'Always_EPC_URN',
  'as-captured': 'Never_Translates',
} as const satisfies Readonly<Record<string, EpcFormat>>;
type EpcFormatWord = keyof typeof EPC_FORMATS;

/** How many identifiers an event's line shows before it counts the rest. */
const SHOWN_IDENTIFIERS = 2;

interface CaptureFlags extends AuditOptions {
  readonly proceed?: boolean;
}

interface EventsFlags {
  readonly param?: readonly string[];
  readonly perPage?: string;
  readonly nextPageToken?: string;
  readonly all?: boolean;
  readonly format: string;
}

/** Collects the `--param` flags as given; their text is checked like every argument's before they are read. */
function collectParam(value: string, previous: readonly string[] = []): string[] {
  return [...previous, value];
}

/** `--param NAME=VALUE` flags as query parameters: a name given twice keeps both values, as in a query string. */
function queryParams(flags: readonly string[]): Record<string, string | readonly string[]> {
  const values = new Map<string, string[]>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new SerialtraceError('VALUE_INVALID', { field: 'param', reason: `"${flag}" is not NAME=VALUE (for example eventType=ObjectEvent)` });
    const name = flag.slice(0, eq);
    values.set(name, [...(values.get(name) ?? []), flag.slice(eq + 1)]);
  }
  return Object.fromEntries([...values].map(([name, list]) => [name, list.length === 1 ? list[0]! : list]));
}

function captureText(job: CaptureJob): string {
  const head = `Captured ${job.capturedCount} of ${job.eventCount} ${job.eventCount === 1 ? 'event' : 'events'} (capture ${job.captureID}, ${job.captureErrorBehaviour})`;
  if (job.errors.length === 0) return `${head}.`;
  return [
    `${head}; ${job.eventCount - job.capturedCount} refused:`,
    ...job.errors.map((p) => `  ${p.code}: ${p.message}${p.field === undefined ? '' : ` (${p.field})`}`),
  ].join('\n');
}

/** The events of an EPCISQueryDocument, in order. */
function eventsOf(document: Readonly<Record<string, unknown>>): readonly Record<string, unknown>[] {
  const body = document['epcisBody'] as { queryResults?: { resultsBody?: { eventList?: unknown } } } | undefined;
  const list = body?.queryResults?.resultsBody?.eventList;
  return Array.isArray(list) ? (list as Record<string, unknown>[]) : [];
}

/** The document of the first page holding the events of every page. */
function withEvents(document: Readonly<Record<string, unknown>>, events: readonly Record<string, unknown>[]): Record<string, unknown> {
  const body = document['epcisBody'] as { queryResults: { resultsBody: Record<string, unknown> } & Record<string, unknown> } & Record<string, unknown>;
  return {
    ...document,
    epcisBody: { ...body, queryResults: { ...body.queryResults, resultsBody: { ...body.queryResults.resultsBody, eventList: events } } },
  };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** A quantity list's entries: `urn:epc:idpat:sgtin:4012345.098765.* (200 KGM)`. */
function quantities(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((q: { epcClass?: unknown; quantity?: unknown; uom?: unknown } | null) => {
    if (typeof q?.epcClass !== 'string') return [];
    const amount = typeof q.quantity === 'number' ? `${q.quantity}${typeof q.uom === 'string' ? ` ${q.uom}` : ''}` : '';
    return [amount === '' ? q.epcClass : `${q.epcClass} (${amount})`];
  });
}

/** Up to two identifiers, and how many more there are. */
function listText(identifiers: readonly string[]): string {
  const shown = identifiers.slice(0, SHOWN_IDENTIFIERS).join(', ');
  return identifiers.length > SHOWN_IDENTIFIERS ? `${shown} (+${identifiers.length - SHOWN_IDENTIFIERS} more)` : shown;
}

/**
 * What an event is about, in a line: its EPCs and classes; a parent before what it holds
 * (`PARENT: CHILD, CHILD (+38 more)`); a transformation's inputs before its outputs.
 */
function identifiersText(event: Readonly<Record<string, unknown>>): string {
  if (event['type'] === 'TransformationEvent') {
    const inputs = [...texts(event['inputEPCList']), ...quantities(event['inputQuantityList'])];
    const outputs = [...texts(event['outputEPCList']), ...quantities(event['outputQuantityList'])];
    return `${listText(inputs)} -> ${listText(outputs)}`;
  }
  const held = [
    ...texts(event['epcList']),
    ...texts(event['childEPCs']),
    ...quantities(event['quantityList']),
    ...quantities(event['childQuantityList']),
  ];
  const parent = text(event['parentID']);
  return parent === '' ? listText(held) : `${parent}: ${listText(held)}`;
}

/** A CBV business step as its term: `https://ref.gs1.org/cbv/BizStep-shipping` and `urn:epcglobal:cbv:bizstep:shipping` as `shipping`. */
function bizStepText(value: unknown): string {
  const step = text(value);
  const web = step.lastIndexOf('BizStep-');
  if (web >= 0) return step.slice(web + 'BizStep-'.length);
  return /^urn:epcglobal:cbv:bizstep:(.+)$/.exec(step)?.[1] ?? step;
}

function eventsText(events: readonly Record<string, unknown>[], next: string | undefined): string {
  const lines =
    events.length === 0
      ? 'No events match.'
      : table(
          ['EVENT TIME', 'TYPE', 'ACTION', 'BIZ STEP', 'IDENTIFIERS'],
          events.map((e) => [text(e['eventTime']), text(e['type']), text(e['action']), bizStepText(e['bizStep']), identifiersText(e)]),
        );
  return next === undefined ? lines : `${lines}\nmore: --next-page-token ${next} (or --all)`;
}

/** The EPCIS 2.0 repository: capturing documents, and the standard query over the events. */
export function epcisCommand(ctx: () => CliContext): Command {
  const epcis = new Command('epcis').description('the EPCIS 2.0 event repository: capture EPCISDocuments, query the events');

  withAuditOptions(
    epcis
      .command('capture')
      .argument('<file>', 'an EPCISDocument, JSON-LD; - reads standard input')
      .option('--proceed', 'store the good events and list the refused ones (GS1-Capture-Error-Behaviour: proceed); by default a refused event refuses the whole document (rollback)')
      .description('capture an EPCISDocument: prints the capture job (exit status 1 when an event was refused)'),
  ).action(async (file: string, flags: CaptureFlags) => {
    const c = ctx();
    const document = await readJsonInput(c, file, 'file');
    // The API takes a JSON object; anything else is refused here, alike for both backends.
    if (typeof document !== 'object' || document === null || Array.isArray(document)) {
      throw new SerialtraceError('VALUE_INVALID', {
        field: 'file',
        reason: `${file === '-' ? 'standard input' : file} holds ${Array.isArray(document) ? 'a JSON array' : `JSON ${document === null ? 'null' : typeof document}`}, not an EPCISDocument object`,
      });
    }
    const { proceed, ...who } = flags;
    const job = await c.backend().captureEpcis(who, document, { errorBehaviour: proceed === true ? 'proceed' : 'rollback' });
    c.print(job, () => captureText(job));
    // Stored in part (proceed) is not done: say so to scripts, as `audit --verify` does.
    if (!job.success) c.exitCode = 1;
  });

  epcis
    .command('events')
    .description('the events the EPCIS standard query selects, one line each (--json: the EPCISQueryDocument)')
    .option('--param <name=value>', 'a query parameter, repeatable: eventType=ObjectEvent, MATCH_anyEPC=URI, GE_eventTime=INSTANT, EQ_bizStep=shipping, ... (docs/epcis.md); a name given twice keeps both values', collectParam)
    .option('--per-page <n>', 'events per page, 1 to 1000 (default 30)')
    .option('--next-page-token <token>', 'continue after a previous page, with the same parameters')
    .option('--all', 'follow the pages to the end: every event the query selects')
    .option('--format <format>', 'identifiers as dl (GS1 Digital Links), urn (EPC URNs) or as-captured', 'dl')
    .action(async (flags: EventsFlags) => {
      const format = EPC_FORMATS[parseChoice(flags.format, Object.keys(EPC_FORMATS) as EpcFormatWord[], 'format', 'identifier format')];
      const perPage = wholeNumber(flags.perPage, 'per-page', 1, 1000);
      const params = queryParams(flags.param ?? []);
      if (perPage !== undefined) params['perPage'] = String(perPage);
      const c = ctx();
      const backend = c.backend();
      let page: EpcisEventsPage = await backend.epcisEvents(
        flags.nextPageToken === undefined ? params : { ...params, nextPageToken: flags.nextPageToken },
        format,
      );
      const first = page.document;
      const events = [...eventsOf(first)];
      while (flags.all === true && page.nextPageToken !== undefined) {
        page = await backend.epcisEvents({ ...params, nextPageToken: page.nextPageToken }, format);
        events.push(...eventsOf(page.document));
      }
      const next = page.nextPageToken;
      c.print(flags.all === true ? withEvents(first, events) : first, () => eventsText(events, next));
      // The document owns standard output; the next page's token goes beside it, as the Link header goes beside the body.
      if (c.json && next !== undefined) c.io.stderr(`${JSON.stringify({ nextPageToken: next })}\n`);
    });

  return epcis;
}
