import { WhereHeaders, type RouteName } from '@serialtrace/api';
import type { RouteResult } from '@serialtrace/client';
import { checkText, problem, SerialtraceError, type Problem } from '@serialtrace/core';
import type { AuditQuery, EpcisQueryParams, JournalQuery, RecordQuery } from '@serialtrace/service';

/** The services answer with readonly views; the API's static types are mutable. */
type DeepReadonly<T> = T extends readonly (infer U)[] ? readonly DeepReadonly<U>[] : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/**
 * What the commands print is the API's published shape: the local services answer with views
 * the server proves assignable to it (see packages/server/src/route.ts), and the client answers
 * with it, so one printing code serves both backends.
 */
type View<N extends RouteName> = DeepReadonly<RouteResult<N>>;

export type SeriesView = View<'getSeries'>;
export type PreviewResult = View<'previewNext'>;
export type GenerateResult = View<'generate'>;
export type RecordPage = View<'searchRecords'>;
export type RecordDetails = View<'getRecord'>;
export type AuditPage = View<'listAudit'>;
export type JournalPage = View<'readJournal'>;
export type VerifyResult = View<'verifyAudit'>;
export type LabelTemplateView = View<'getLabelTemplate'>;
export type ScriptView = View<'getScript'>;
export type ScriptSummary = View<'listScripts'>['scripts'][number];
export type ScriptVersionView = View<'scriptVersions'>['versions'][number];
/** What `script run --json` prints: what main returned (`null` for nothing) and the script's console output. */
export type ScriptRunOutput = View<'runScript'>;
export type ScriptRunPage = View<'listScriptRuns'>;
export type ScriptRunView = View<'getScriptRun'>;
/** An EPCIS capture job: how many of the document's events were stored, and the problems of the others. */
export type CaptureJob = View<'epcisCapture'>;
/** What a pack or an unpack did: its AggregationEvent's id, and the identifiers as GS1 Digital Links. */
export type AggregationResult = View<'pack'>;
export type ParentsResult = View<'parents'>;

/** A container and what it holds, at every level. */
export interface ContentsNode {
  readonly identifier: string;
  readonly children: readonly ContentsNode[];
}

/**
 * What a container holds. The API's schema cannot name the tree's nodes by themselves (its
 * `children` are open objects), so the nodes are typed here, as the service builds them.
 */
export type ContentsResult = Omit<View<'contents'>, 'children'> & { readonly children: readonly ContentsNode[] };

/** GS1-EPC-Format: identifiers as GS1 Digital Links, as EPC URNs, or as they were captured. */
export type EpcFormat = 'Always_GS1_Digital_Link' | 'Always_EPC_URN' | 'Never_Translates';

/** One page of the EPCIS standard query: an EPCISQueryDocument, and the token of the next page when there is one. */
export interface EpcisEventsPage {
  readonly document: View<'epcisEvents'>;
  readonly nextPageToken?: string;
}

/** Children to pack into a parent, each a code in any notation (element string, bracketed, Digital Link, EPC URN, serial). */
export interface PackRequest {
  readonly parent: string;
  readonly children: readonly string[];
  /** Take children that are in another parent out of it first. */
  readonly move?: boolean;
}

/** Label formats: PNG image, PDF, or ZPL for Zebra printers. */
export type LabelFormat = 'png' | 'pdf' | 'zpl';

/** What a rendered label is asked for: a record's serial, and which template and format. */
export interface LabelRequest {
  readonly serial: string;
  /** The record's default template (gs1-product, sscc-logistic or serial) when absent. */
  readonly template?: string;
  readonly format: LabelFormat;
  /** The series of the serial, when two non-global series issued the same text. */
  readonly series?: string;
}

/** A rendered label as both backends give it back. */
export interface RenderedLabel {
  readonly bytes: Uint8Array;
  readonly format: LabelFormat;
  readonly template: string;
  /** The record's print count with this print (1 for the first); `null` for a preview, which records nothing. */
  readonly print: number | null;
}

/** Who does a change, where and why: the writing commands' `--actor`, `--station`, ... flags. */
export interface AuditOptions {
  readonly actor?: string;
  readonly station?: string;
  readonly line?: string;
  readonly plant?: string;
  readonly reason?: string;
}

/** Series fields as the flags give them: text for numbers, absent when not given. */
export type SeriesFields = Readonly<Record<string, unknown>>;

export interface PreviewRequest {
  /** The instant to preview at; the backend's clock when absent. */
  readonly at?: Date;
  readonly count: number;
  readonly context: Readonly<Record<string, string>>;
  readonly partNumber: string | null;
  readonly placeholders?: boolean;
}

export interface GenerateRequest {
  /** As typed: the service's own check words the refusal of a bad value. */
  readonly quantity: string;
  readonly workOrder?: string;
  readonly partNumber?: string;
  readonly context: Readonly<Record<string, string>>;
  /** Parsed `--metadata` JSON, of any shape (the service refuses what is not an object). */
  readonly metadata?: unknown;
  readonly idempotencyKey?: string;
  /** GS1 batch/lot (AI 10), for a series bound to a GTIN. */
  readonly lot?: string;
  /** GS1 expiry date (AI 17), YYYY-MM-DD or YYMMDD. */
  readonly expiry?: string;
}

export interface StatusChange {
  readonly series?: string;
  readonly reason: string | null;
  /** Parsed `--data` JSON, of any shape. */
  readonly data?: unknown;
}

/**
 * Where the commands' work is done: the services in this process on a database of their own
 * (`LocalBackend`, SQLite or PostgreSQL) or a serialtrace server through the typed client
 * (`RemoteBackend`). Both answer with the same shapes and refuse with the same
 * `SerialtraceError`s, so a command prints the same either way.
 *
 * @example
 * const view = await backend.createSeries({ station: 'ST-04' }, { name: 'Widgets', format: 'W-{####}' });
 */
export interface Backend {
  /** Re-wraps every randomised series' key under `next` (works on the database directly only). */
  rotateMasterKey(who: AuditOptions, next: string): Promise<{ from: string; to: string; series: number }>;
  createSeries(who: AuditOptions, fields: SeriesFields): Promise<SeriesView>;
  listSeries(): Promise<readonly SeriesView[]>;
  getSeries(name: string): Promise<SeriesView>;
  updateSeries(who: AuditOptions, name: string, changes: SeriesFields): Promise<SeriesView>;
  previewDefinition(fields: SeriesFields, request: PreviewRequest): Promise<PreviewResult>;
  previewNext(name: string, request: PreviewRequest): Promise<PreviewResult>;
  generate(who: AuditOptions, series: string, request: GenerateRequest): Promise<GenerateResult>;
  searchRecords(query: RecordQuery): Promise<RecordPage>;
  getRecord(serial: string, options: { readonly series?: string }): Promise<RecordDetails>;
  changeStatus(who: AuditOptions, serial: string, status: string, change: StatusChange): Promise<RecordDetails>;
  listAudit(query: AuditQuery): Promise<AuditPage>;
  /** The company's journal events after a position, in commit order. */
  readJournal(query: JournalQuery): Promise<JournalPage>;
  /** Verifies the chain, held against a checkpoint's position and hash when one is given. */
  verifyAudit(options: { readonly checkpoint?: { readonly seq: number; readonly hash: string } }): Promise<VerifyResult>;
  /** Every audit entry in chain order, as the text chunks of the export file. */
  exportAudit(format: 'json' | 'csv'): AsyncIterable<string>;
  /** Renders a record's label AND records the print (the first moves generated to printed). */
  printLabel(who: AuditOptions, request: LabelRequest): Promise<RenderedLabel>;
  /** Renders a record's label without recording anything. */
  previewLabel(request: LabelRequest): Promise<RenderedLabel>;
  listLabelTemplates(): Promise<readonly LabelTemplateView[]>;
  getLabelTemplate(name: string): Promise<LabelTemplateView>;
  /** Creates or replaces a company template; `definition` is the parsed JSON, of any shape (the service checks it). */
  saveLabelTemplate(who: AuditOptions, name: string, definition: unknown): Promise<LabelTemplateView>;
  deleteLabelTemplate(who: AuditOptions, name: string): Promise<void>;
  listScripts(): Promise<readonly ScriptSummary[]>;
  getScript(name: string): Promise<ScriptView>;
  /** Every saved version of a script, oldest first. */
  scriptVersions(name: string): Promise<readonly ScriptVersionView[]>;
  /** Saves a new version of a script (the first creates it); `source` must compile and define main. */
  saveScript(who: AuditOptions, name: string, input: { readonly source: string; readonly description?: string }): Promise<ScriptView>;
  /**
   * Runs a script's current version in one transaction. A failed run throws its error (the
   * script's own code, SCRIPT_FAILED, SCRIPT_TIMEOUT, ...) with `script`, `runId` and `logs` in
   * its details, nothing it did kept.
   */
  runScript(who: AuditOptions, name: string, context: unknown): Promise<ScriptRunOutput>;
  /** A script's recorded runs, newest first. */
  listScriptRuns(name: string, query: { readonly limit?: number; readonly cursor?: string }): Promise<ScriptRunPage>;
  getScriptRun(id: number): Promise<ScriptRunView>;
  /**
   * Captures an EPCISDocument (`document` is the parsed JSON, of any shape: the repository checks
   * it). With `rollback` a refused event refuses the whole capture, every problem named; with
   * `proceed` the job lists the refused events and the others are stored.
   */
  captureEpcis(who: AuditOptions, document: unknown, options: { readonly errorBehaviour: 'rollback' | 'proceed' }): Promise<CaptureJob>;
  /** One page of the events the standard query parameters select (`perPage` and `nextPageToken` among them). */
  epcisEvents(params: EpcisQueryParams, format: EpcFormat): Promise<EpcisEventsPage>;
  /** Packs children into a parent: one AggregationEvent (ADD). */
  pack(who: AuditOptions, request: PackRequest): Promise<AggregationResult>;
  /** Packs several parents in order, all or nothing. */
  packMany(who: AuditOptions, requests: readonly PackRequest[]): Promise<readonly AggregationResult[]>;
  /** Takes children out of a parent, all of them when none are named: one AggregationEvent (DELETE). */
  unpack(who: AuditOptions, request: { readonly parent: string; readonly children?: readonly string[] }): Promise<AggregationResult>;
  /** What a container holds at every level, now or at a past instant. */
  contents(code: string, options: { readonly at?: string }): Promise<ContentsResult>;
  /** What holds a unit, innermost first, now or at a past instant. */
  parents(code: string, options: { readonly at?: string }): Promise<ParentsResult>;
  close(): Promise<void>;
}

/** The longest station, line, plant and reason the API takes, read from its header schemas. */
const WHERE_LIMITS = {
  station: maxLength(WhereHeaders.properties['serialtrace-station']),
  line: maxLength(WhereHeaders.properties['serialtrace-line']),
  plant: maxLength(WhereHeaders.properties['serialtrace-plant']),
  reason: maxLength(WhereHeaders.properties['serialtrace-reason']),
} as const;

function maxLength(schema: object): number {
  const max = (schema as { maxLength?: unknown }).maxLength;
  return typeof max === 'number' ? max : Number.POSITIVE_INFINITY;
}

/**
 * The where and why of a change as both backends record it: trimmed, an empty value meaning none
 * (what the server does with its Serialtrace-* headers). Values the server's headers would refuse
 * (too long, control characters) are refused here for both backends alike.
 */
export function whereOf(who: AuditOptions): { station?: string; line?: string; plant?: string; reason?: string } {
  const where: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const key of ['station', 'line', 'plant', 'reason'] as const) {
    const value = who[key]?.trim();
    if (value === undefined || value === '') continue;
    if (value.length > WHERE_LIMITS[key]) problems.push(problem('VALUE_INVALID', { field: key, reason: `it is longer than ${WHERE_LIMITS[key]} characters` }));
    checkText(value, 'line', key, problems);
    where[key] = value;
  }
  if (problems.length > 0) throw SerialtraceError.fromProblems(problems);
  return where;
}
