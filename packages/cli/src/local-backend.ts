import { SerialtraceError } from '@serialtrace/core';
import {
  auditExportChunks,
  DEFAULT_COMPANY_ID,
  MasterKey,
  type AuditQuery,
  type Caller,
  type EpcisQueryParams,
  type JournalQuery,
  type RecordQuery,
  type Serialtrace,
} from '@serialtrace/service';
import {
  whereOf,
  type AggregationResult,
  type AuditOptions,
  type Backend,
  type CaptureJob,
  type ContentsResult,
  type EpcFormat,
  type EpcisEventsPage,
  type GenerateRequest,
  type LabelRequest,
  type PackRequest,
  type ParentsResult,
  type PreviewRequest,
  type RenderedLabel,
  type ScriptRunOutput,
  type ScriptRunPage,
  type ScriptRunView,
  type ScriptSummary,
  type ScriptVersionView,
  type ScriptView,
  type SeriesFields,
  type StatusChange,
} from './backend.js';

const MAX_ACTOR_LENGTH = 100;

/**
 * The services in this process, on the SQLite file or a PostgreSQL database: the actor is
 * `--actor` or the operating-system user.
 */
export class LocalBackend implements Backend {
  readonly #app: Serialtrace;
  readonly #osUser: () => string;

  constructor(app: Serialtrace, osUser: () => string) {
    this.#app = app;
    this.#osUser = osUser;
  }

  #caller(who: AuditOptions = {}): Caller {
    const actor = who.actor?.trim() || this.#osUser();
    if (actor.length > MAX_ACTOR_LENGTH) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'actor', reason: `it is longer than ${MAX_ACTOR_LENGTH} characters` });
    }
    const where = whereOf(who);
    return {
      companyId: DEFAULT_COMPANY_ID,
      actor,
      station: where.station ?? null,
      line: where.line ?? null,
      plant: where.plant ?? null,
      reason: where.reason ?? null,
    };
  }

  rotateMasterKey(who: AuditOptions, next: string) {
    return this.#app.series.rotateMasterKey(this.#caller(who), MasterKey.parse(next));
  }

  createSeries(who: AuditOptions, fields: SeriesFields) {
    return this.#app.series.create(this.#caller(who), fields);
  }

  listSeries() {
    return this.#app.series.list(this.#caller());
  }

  getSeries(name: string) {
    return this.#app.series.get(this.#caller(), name);
  }

  updateSeries(who: AuditOptions, name: string, changes: SeriesFields) {
    return this.#app.series.update(this.#caller(who), name, changes);
  }

  previewDefinition(fields: SeriesFields, request: PreviewRequest) {
    return this.#app.series.previewDefinition(fields, request);
  }

  previewNext(name: string, request: PreviewRequest) {
    return this.#app.series.previewNext(this.#caller(), name, request);
  }

  generate(who: AuditOptions, series: string, request: GenerateRequest) {
    return this.#app.generation.generate(this.#caller(who), series, request);
  }

  searchRecords(query: RecordQuery) {
    return this.#app.records.search(this.#caller(), query);
  }

  getRecord(serial: string, options: { readonly series?: string }) {
    return this.#app.records.get(this.#caller(), serial, options);
  }

  changeStatus(who: AuditOptions, serial: string, status: string, change: StatusChange) {
    return this.#app.records.changeStatus(this.#caller(who), serial, status, change);
  }

  listAudit(query: AuditQuery) {
    return this.#app.audit.list(this.#caller(), query);
  }

  readJournal(query: JournalQuery) {
    return this.#app.journal.read(this.#caller(), query);
  }

  verifyAudit(options: { readonly checkpoint?: { readonly seq: number; readonly hash: string } }) {
    return this.#app.audit.verify(this.#caller(), options);
  }

  exportAudit(format: 'json' | 'csv') {
    return auditExportChunks(this.#app.audit.entries(this.#caller()), format);
  }

  async printLabel(who: AuditOptions, request: LabelRequest): Promise<RenderedLabel> {
    const printed = await this.#app.labels.print(this.#caller(who), request.serial, {
      format: request.format,
      ...(request.template === undefined ? {} : { template: request.template }),
      ...(request.series === undefined ? {} : { series: request.series }),
    });
    return { bytes: printed.bytes, format: printed.format, template: printed.template, print: printed.print };
  }

  async previewLabel(request: LabelRequest): Promise<RenderedLabel> {
    const document = await this.#app.documents.generate(
      this.#caller(),
      request.template,
      { serial: request.serial, ...(request.series === undefined ? {} : { series: request.series }) },
      request.format,
    );
    return { bytes: document.bytes, format: document.format, template: document.template, print: null };
  }

  listLabelTemplates() {
    return this.#app.labels.listTemplates(this.#caller());
  }

  getLabelTemplate(name: string) {
    return this.#app.labels.getTemplate(this.#caller(), name);
  }

  saveLabelTemplate(who: AuditOptions, name: string, definition: unknown) {
    return this.#app.labels.saveTemplate(this.#caller(who), name, definition);
  }

  deleteLabelTemplate(who: AuditOptions, name: string) {
    return this.#app.labels.deleteTemplate(this.#caller(who), name);
  }

  listScripts(): Promise<readonly ScriptSummary[]> {
    return this.#app.scripts.list(this.#caller());
  }

  async getScript(name: string): Promise<ScriptView> {
    return inApiOrder(await this.#app.scripts.get(this.#caller(), name));
  }

  scriptVersions(name: string): Promise<readonly ScriptVersionView[]> {
    return this.#app.scripts.versions(this.#caller(), name);
  }

  async saveScript(who: AuditOptions, name: string, input: { readonly source: string; readonly description?: string }): Promise<ScriptView> {
    return inApiOrder(await this.#app.scripts.save(this.#caller(who), name, input));
  }

  async runScript(who: AuditOptions, name: string, context: unknown): Promise<ScriptRunOutput> {
    // On a local database every call the script makes is allowed, as every command is.
    const { result, logs } = await this.#app.scripts.run(this.#caller(who), name, context === undefined ? {} : { context });
    // As the server answers: a main that returns nothing gives null.
    return { result: result ?? null, logs };
  }

  listScriptRuns(name: string, query: { readonly limit?: number; readonly cursor?: string }): Promise<ScriptRunPage> {
    return this.#app.scripts.runs(this.#caller(), name, query);
  }

  getScriptRun(id: number): Promise<ScriptRunView> {
    return this.#app.scripts.getRun(this.#caller(), id);
  }

  captureEpcis(who: AuditOptions, document: unknown, options: { readonly errorBehaviour: 'rollback' | 'proceed' }): Promise<CaptureJob> {
    return this.#app.epcis.capture(this.#caller(who), document, options);
  }

  async epcisEvents(params: EpcisQueryParams, format: EpcFormat): Promise<EpcisEventsPage> {
    const page = await this.#app.epcis.events(this.#caller(), params, format);
    return { document: page.body, ...(page.nextPageToken === undefined ? {} : { nextPageToken: page.nextPageToken }) };
  }

  pack(who: AuditOptions, request: PackRequest): Promise<AggregationResult> {
    return this.#app.aggregation.pack(this.#caller(who), request);
  }

  packMany(who: AuditOptions, requests: readonly PackRequest[]): Promise<readonly AggregationResult[]> {
    return this.#app.aggregation.packMany(this.#caller(who), requests);
  }

  unpack(who: AuditOptions, request: { readonly parent: string; readonly children?: readonly string[] }): Promise<AggregationResult> {
    return this.#app.aggregation.unpack(this.#caller(who), request);
  }

  async contents(code: string, options: { readonly at?: string }): Promise<ContentsResult> {
    const { identifier, at, total, children } = await this.#app.aggregation.contents(this.#caller(), code, options);
    // The members in the order the server sends them (the tree last), so `--json` prints the same bytes.
    return { identifier, at, total, children };
  }

  parents(code: string, options: { readonly at?: string }): Promise<ParentsResult> {
    return this.#app.aggregation.parents(this.#caller(), code, options);
  }

  async close(): Promise<void> {
    // The script sandbox, if a command loaded it, goes with the database.
    this.#app.dispose();
    await this.#app.store.close();
  }
}

/** A script with its members in the order the server sends them (the source last), so `--json` prints the same bytes. */
function inApiOrder(view: ScriptView): ScriptView {
  const { name, description, version, createdAt, createdBy, updatedAt, updatedBy, source } = view;
  return { name, description, version, createdAt, createdBy, updatedAt, updatedBy, source };
}
