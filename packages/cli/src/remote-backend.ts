import { headerTextOf, type SerialtraceClient } from '@serialtrace/client';
import {
  MAX_DESCRIPTION_LENGTH,
  readWholeNumber,
  resolveSeriesSettings,
  SerialtraceError,
  type SeriesInput,
} from '@serialtrace/core';
import {
  validateGenerateRequest,
  validateStatusChange,
  type AuditQuery,
  type EpcisQueryParams,
  type JournalQuery,
  type RecordQuery,
} from '@serialtrace/service';
import {
  whereOf,
  type AuditOptions,
  type Backend,
  type ContentsResult,
  type EpcFormat,
  type EpcisEventsPage,
  type GenerateRequest,
  type LabelFormat,
  type LabelRequest,
  type PackRequest,
  type PreviewRequest,
  type RenderedLabel,
  type SeriesFields,
  type SeriesView,
  type StatusChange,
} from './backend.js';

/** The series fields of the API's request schemas (SeriesCreate, SeriesUpdate, the preview's `series`). */
interface WireSeries {
  name?: string;
  description?: string;
  format?: string;
  base?: string;
  start?: string;
  increment?: string;
  minLength?: number;
  reset?: string;
  timeZone?: string;
  shiftStarts?: string;
  global?: boolean;
  allowGrowth?: boolean;
  allocation?: string;
  leaseSize?: string;
  gtin?: string;
  sscc?: boolean;
  companyPrefix?: string;
  extensionDigit?: number;
  randomized?: boolean;
}

/**
 * The flags' series fields in the types the API takes, or `undefined` when one of them cannot be
 * sent as typed: text where a number goes, no format where one is required, a description past
 * its limit. The server would refuse those as REQUEST_INVALID before its service saw them.
 */
function wireSeries(fields: SeriesFields, formatRequired: boolean): WireSeries | undefined {
  const wire: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (key === 'start' || key === 'increment') {
      const n = readWholeNumber(value);
      if (n === undefined) return undefined;
      wire[key] = n.toString();
    } else if (key === 'minLength' || key === 'leaseSize') {
      const n = readWholeNumber(value);
      if (n === undefined || n > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      wire[key] = Number(n);
    } else if (key === 'extensionDigit') {
      // One digit, sent as the integer the API takes.
      if (typeof value !== 'string' || !/^\s*\d\s*$/.test(value)) return undefined;
      wire[key] = Number(value.trim());
    } else if (key === 'description' && typeof value === 'string') {
      // The core keeps the description trimmed, and checks its length after trimming.
      if (value.trim().length > MAX_DESCRIPTION_LENGTH) return undefined;
      wire[key] = value.trim();
    } else {
      wire[key] = value;
    }
  }
  if (formatRequired && typeof wire['format'] !== 'string') return undefined;
  return wire;
}

/**
 * Series fields for the wire. What the API cannot carry is refused the way the service refuses
 * it, by running the same core validation here (`validate`), so that the CLI says over HTTP what
 * it says on a local database.
 */
async function seriesBody(fields: SeriesFields, formatRequired: boolean, validate: () => Promise<void> | void): Promise<WireSeries> {
  const wire = wireSeries(fields, formatRequired);
  if (wire !== undefined) return wire;
  await validate();
  throw new Error(`The core accepts series fields the API cannot carry: ${JSON.stringify(fields)}`);
}

/** The series fields of a view, as the service merges changes into them. */
function settingsOf(view: SeriesView): SeriesInput {
  const { name, description, format, base, start, increment, minLength, reset, timeZone, shiftStarts, global, allowGrowth, allocation, leaseSize } = view;
  const { gtin, sscc, companyPrefix, extensionDigit, randomized } = view;
  return {
    name,
    description,
    format,
    base,
    start,
    increment,
    minLength,
    reset,
    timeZone,
    shiftStarts,
    global,
    allowGrowth,
    allocation,
    leaseSize,
    gtin,
    sscc,
    companyPrefix,
    extensionDigit,
    randomized,
  };
}

/**
 * A serialtrace server, through the typed client. The server names the actor after the API key
 * (or user) that signs the request, so `--actor` is refused rather than silently dropped; the
 * where and why travel as the Serialtrace-Station, -Line, -Plant and -Reason headers.
 */
export class RemoteBackend implements Backend {
  readonly #client: SerialtraceClient;

  constructor(client: SerialtraceClient) {
    this.#client = client;
  }

  rotateMasterKey(): Promise<never> {
    // The master key never travels: the keys are re-wrapped where both keys are at hand.
    return Promise.reject(new SerialtraceError('USAGE_INVALID', { reason: 'master-key rotate works on the database directly (--db or SERIALTRACE_DATABASE_URL), not through a server' }));
  }

  #headers(who: AuditOptions, options: { reason?: boolean } = {}) {
    if (who.actor !== undefined) {
      throw new SerialtraceError('VALUE_INVALID', {
        field: 'actor',
        reason: 'with --server the audit trail names the API key that signs the request; --actor works only on a local database',
      });
    }
    const where = whereOf(who);
    return {
      ...(where.station === undefined ? {} : { 'serialtrace-station': where.station }),
      ...(where.line === undefined ? {} : { 'serialtrace-line': where.line }),
      ...(where.plant === undefined ? {} : { 'serialtrace-plant': where.plant }),
      ...(where.reason === undefined || options.reason === false ? {} : { 'serialtrace-reason': where.reason }),
    };
  }

  async createSeries(who: AuditOptions, fields: SeriesFields) {
    const headers = this.#headers(who);
    // An SSCC series may leave its format out: it follows from the company prefix and extension digit.
    const body = await seriesBody(fields, fields['sscc'] !== true, () => {
      resolveSeriesSettings(fields, { timeZone: zoneOr(fields) });
    });
    return this.#client.call('createSeries', { headers, body: { ...body, name: String(fields['name']) } });
  }

  async listSeries() {
    return (await this.#client.call('listSeries')).series;
  }

  async getSeries(name: string) {
    return this.#client.call('getSeries', { params: { name } });
  }

  async updateSeries(who: AuditOptions, name: string, changes: SeriesFields) {
    const headers = this.#headers(who);
    const body = await seriesBody(changes, false, async () => {
      // As the service: the series is read first (SERIES_NOT_FOUND wins), then the merged settings checked.
      const current = await this.getSeries(name);
      resolveSeriesSettings({ ...settingsOf(current), ...definedOnly(changes) }, { timeZone: current.timeZone });
    });
    return this.#client.call('updateSeries', { headers, params: { name }, body });
  }

  async previewDefinition(fields: SeriesFields, request: PreviewRequest) {
    const series = await seriesBody(fields, true, () => {
      resolveSeriesSettings({ ...fields, name: 'preview' }, { timeZone: zoneOr(fields) });
    });
    return this.#client.call('previewDefinition', { body: { series: { ...series, format: series.format ?? '' }, ...previewBody(request) } });
  }

  async previewNext(name: string, request: PreviewRequest) {
    return this.#client.call('previewNext', { params: { name }, body: previewBody(request) });
  }

  async generate(who: AuditOptions, series: string, request: GenerateRequest) {
    const headers = this.#headers(who);
    // The flags arrive as text; the API takes typed JSON. Checking them as the service does
    // refuses what cannot be sent with the service's own error, and gives the typed values.
    const valid = validateGenerateRequest(request);
    return this.#client.call('generate', {
      params: { name: series },
      headers: { ...headers, ...(valid.idempotencyKey === null ? {} : { 'idempotency-key': valid.idempotencyKey }) },
      body: {
        quantity: valid.quantity,
        workOrder: valid.workOrder,
        partNumber: valid.partNumber,
        context: valid.context,
        metadata: valid.metadata,
        ...(valid.lot === null ? {} : { lot: valid.lot }),
        ...(valid.expiry === null ? {} : { expiry: valid.expiry }),
      },
    });
  }

  async searchRecords(query: RecordQuery) {
    const { search, ...rest } = query;
    return this.#client.call('searchRecords', { query: { ...rest, ...(search === undefined ? {} : { q: search }) } });
  }

  async getRecord(serial: string, options: { readonly series?: string }) {
    return this.#client.call('getRecord', { params: { serial }, query: options.series === undefined ? {} : { series: options.series } });
  }

  async changeStatus(who: AuditOptions, serial: string, status: string, change: StatusChange) {
    // The reason of a status change goes in the body, as the API documents it.
    const headers = this.#headers(who, { reason: false });
    const { reason, data } = validateStatusChange(status, change);
    return this.#client.call('changeStatus', {
      headers,
      params: { serial },
      body: { status, reason, ...(change.series === undefined ? {} : { series: change.series }), data },
    });
  }

  async readJournal(query: JournalQuery) {
    return this.#client.call('readJournal', { query: { ...query } });
  }

  async listAudit(query: AuditQuery) {
    return this.#client.call('listAudit', { query: { ...query } });
  }

  async verifyAudit(options: { readonly checkpoint?: { readonly seq: number; readonly hash: string } }) {
    const { checkpoint } = options;
    return this.#client.call('verifyAudit', { query: checkpoint === undefined ? {} : { checkpointSeq: checkpoint.seq, checkpointHash: checkpoint.hash } });
  }

  /** The server streams exactly the bytes of the local export; they are passed on as they come. */
  async *exportAudit(format: 'json' | 'csv'): AsyncGenerator<string> {
    const response = await this.#client.raw('exportAudit', { query: { format } });
    if (response.body === null) return;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder('utf-8');
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        if (text !== '') yield text;
      }
      const rest = decoder.decode();
      if (rest !== '') yield rest;
    } finally {
      // Stopped early (stdout closed): let the server stop sending too.
      await reader.cancel().catch(() => undefined);
    }
  }

  async printLabel(who: AuditOptions, request: LabelRequest): Promise<RenderedLabel> {
    const headers = this.#headers(who);
    const response = await this.#client.raw('printLabel', {
      headers,
      params: { serial: request.serial },
      body: {
        format: request.format,
        ...(request.template === undefined ? {} : { template: request.template }),
        ...(request.series === undefined ? {} : { series: request.series }),
      },
    });
    const print = Number(response.headers.get('serialtrace-label-print'));
    return labelOf(response, request.format, Number.isSafeInteger(print) && print > 0 ? print : null);
  }

  async previewLabel(request: LabelRequest): Promise<RenderedLabel> {
    const response = await this.#client.raw('renderDocument', {
      body: {
        serial: request.serial,
        format: request.format,
        ...(request.template === undefined ? {} : { template: request.template }),
        ...(request.series === undefined ? {} : { series: request.series }),
      },
    });
    return labelOf(response, request.format, null);
  }

  async listLabelTemplates() {
    return (await this.#client.call('listLabelTemplates')).templates;
  }

  async getLabelTemplate(name: string) {
    return this.#client.call('getLabelTemplate', { params: { name } });
  }

  async saveLabelTemplate(who: AuditOptions, name: string, definition: unknown) {
    const headers = this.#headers(who);
    // As the service: anything but an object is an empty definition, refused field by field.
    const body = typeof definition === 'object' && definition !== null && !Array.isArray(definition) ? definition : {};
    return this.#client.call('saveLabelTemplate', { headers, params: { name }, body: body as { width: unknown; height: unknown; dpi: unknown; barcode: unknown } });
  }

  async deleteLabelTemplate(who: AuditOptions, name: string) {
    const headers = this.#headers(who);
    await this.#client.call('deleteLabelTemplate', { headers, params: { name } });
  }

  async listScripts() {
    return (await this.#client.call('listScripts')).scripts;
  }

  async getScript(name: string) {
    return this.#client.call('getScript', { params: { name } });
  }

  async scriptVersions(name: string) {
    return (await this.#client.call('scriptVersions', { params: { name } })).versions;
  }

  async saveScript(who: AuditOptions, name: string, input: { readonly source: string; readonly description?: string }) {
    const headers = this.#headers(who);
    return this.#client.call('saveScript', {
      headers,
      params: { name },
      body: { source: input.source, ...(input.description === undefined ? {} : { description: input.description }) },
    });
  }

  /** The run's id comes back in the Serialtrace-Script-Run header; what is printed is the body. */
  async runScript(who: AuditOptions, name: string, context: unknown) {
    const headers = this.#headers(who);
    return this.#client.call('runScript', { headers, params: { name }, body: context === undefined ? {} : { context } });
  }

  async listScriptRuns(name: string, query: { readonly limit?: number; readonly cursor?: string }) {
    return this.#client.call('listScriptRuns', { params: { name }, query: { ...query } });
  }

  async getScriptRun(id: number) {
    return this.#client.call('getScriptRun', { params: { id } });
  }

  async captureEpcis(who: AuditOptions, document: unknown, options: { readonly errorBehaviour: 'rollback' | 'proceed' }) {
    const headers = { ...this.#headers(who), 'gs1-capture-error-behaviour': options.errorBehaviour };
    return this.#client.call('epcisCapture', { headers, body: document as Record<string, unknown> });
  }

  /**
   * `call` answers a route's body only, and the next page's token travels in the
   * `Link: <...>; rel="next"` header: the page is read from `raw`'s response. Only the token is
   * taken from the link, whose host is the server's idea of itself (a proxy may change it).
   */
  async epcisEvents(params: EpcisQueryParams, format: EpcFormat): Promise<EpcisEventsPage> {
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(params)) if (value !== undefined) query[name] = typeof value === 'string' ? value : [...value];
    const response = await this.#client.raw('epcisEvents', { query, headers: { 'gs1-epc-format': format } });
    const text = await response.text();
    let document: Record<string, unknown>;
    try {
      document = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new SerialtraceError('NOT_READY', { reason: `GET ${this.#client.baseUrl}/epcis/events answered ${response.status} with a body that is not JSON` });
    }
    const nextPageToken = nextPageTokenOf(response.headers.get('link'));
    return { document, ...(nextPageToken === undefined ? {} : { nextPageToken }) };
  }

  async pack(who: AuditOptions, request: PackRequest) {
    const headers = this.#headers(who);
    return this.#client.call('pack', { headers, body: packBody(request) });
  }

  async packMany(who: AuditOptions, requests: readonly PackRequest[]) {
    const headers = this.#headers(who);
    return (await this.#client.call('packMany', { headers, body: { packs: requests.map(packBody) } })).packs;
  }

  async unpack(who: AuditOptions, request: { readonly parent: string; readonly children?: readonly string[] }) {
    const headers = this.#headers(who);
    return this.#client.call('unpack', {
      headers,
      body: { parent: request.parent, ...(request.children === undefined ? {} : { children: [...request.children] }) },
    });
  }

  async contents(code: string, options: { readonly at?: string }): Promise<ContentsResult> {
    // The schema's nodes are open objects; the server sends them as the service builds them.
    return (await this.#client.call('contents', { query: { code, ...(options.at === undefined ? {} : { at: options.at }) } })) as ContentsResult;
  }

  async parents(code: string, options: { readonly at?: string }) {
    return this.#client.call('parents', { query: { code, ...(options.at === undefined ? {} : { at: options.at }) } });
  }

  async close(): Promise<void> {}
}

function packBody(request: PackRequest) {
  return { parent: request.parent, children: [...request.children], ...(request.move === undefined ? {} : { move: request.move }) };
}

/** The `nextPageToken` of the `rel="next"` link of a `Link` header, if there is one. */
function nextPageTokenOf(link: string | null): string | undefined {
  if (link === null) return undefined;
  // Each link is `<URL>` and its parameters up to the next one; a URL may hold commas itself.
  for (const [, url, parameters] of link.matchAll(/<([^>]*)>([^<]*)/g)) {
    if (!/;\s*rel\s*=\s*"?next"?\s*(?:[;,]|$)/i.test(parameters!)) continue;
    try {
      return new URL(url!, 'http://link.invalid').searchParams.get('nextPageToken') ?? undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The zone a refused series is checked in: its own, or UTC standing in for the server's default
 * (only the list of problems of a request refused anyway could depend on it).
 */
function zoneOr(fields: SeriesFields): string {
  const zone = fields['timeZone'];
  return typeof zone === 'string' && zone.trim() !== '' ? zone : 'UTC';
}

function definedOnly(fields: SeriesFields): SeriesInput {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/** A label the server answered with: its bytes, and the template it names in a header. */
async function labelOf(response: Response, format: LabelFormat, print: number | null): Promise<RenderedLabel> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { bytes, format, template: headerTextOf(response.headers.get('serialtrace-label-template')) ?? '', print };
}

function previewBody(request: PreviewRequest) {
  return {
    ...(request.at === undefined ? {} : { at: request.at.toISOString() }),
    count: request.count,
    context: { ...request.context },
    partNumber: request.partNumber,
    ...(request.placeholders === undefined ? {} : { placeholders: request.placeholders }),
  };
}

