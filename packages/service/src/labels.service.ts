import { parseChoice, SerialtraceError, type Clock, type RecordStatus } from '@serialtrace/core';
import {
  builtInTemplate,
  BUILT_IN_TEMPLATES,
  defaultTemplateFor,
  LABEL_FORMATS,
  renderLabel,
  resolveLabelTemplate,
  type LabelData,
  type LabelDocument,
  type LabelFormat,
  type LabelTemplate,
} from '@serialtrace/labels';
import type { LabelTemplateRow, RecordRow, Store, StoreTransaction } from '@serialtrace/store';
import { appendAudit, reserveAuditIds } from './audit-writer.js';
import type { Caller } from './caller.js';
import { findRecord, lockRecord, recordViews } from './records.service.js';
import type { RecordView } from './views.js';

export interface LabelTemplateView {
  readonly name: string;
  /** Built-in templates come with serialtrace and cannot be changed; copy one under a new name instead. */
  readonly builtIn: boolean;
  /** Saves of a company template (1 for the first); 0 for built-ins. */
  readonly version: number;
  readonly updatedAt: string | null;
  readonly updatedBy: string | null;
  readonly template: LabelTemplate;
}

/** What a label is rendered from: a record (by serial), explicit values, or both (values win). */
export interface DocumentData {
  /** The serial of a record: its fields, GS1 identity included, fill the label. */
  readonly serial?: string;
  /** The series of the serial, when two non-global series issued the same text. */
  readonly series?: string;
  /** Values for the template's fields, over the record's. */
  readonly values?: Partial<Omit<LabelData, 'fields'>> & { readonly fields?: Readonly<Record<string, string>> };
}

export interface PrintRequest {
  readonly template?: string;
  readonly format?: string;
  readonly series?: string;
}

/** A printed label: the document, and the count of prints its record has now (1 for the first). */
export interface PrintedLabel extends LabelDocument {
  readonly template: string;
  readonly print: number;
  readonly record: RecordView;
}

/** Statuses whose labels are not printed: the serial left the line for good. */
const UNPRINTABLE: readonly RecordStatus[] = ['voided', 'scrapped'];

export interface LabelsServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/**
 * Label templates and documents. `generate` renders a document and changes nothing; `print`
 * renders a record's label and records the print: the first moves a generated record to
 * `printed`, and every print (reprints included) is counted on the record and audited.
 */
export class LabelsService {
  readonly #deps: LabelsServiceDeps;

  constructor(deps: LabelsServiceDeps) {
    this.#deps = deps;
  }

  /** Built-in templates first, then the company's, each group by name. */
  async listTemplates(caller: Caller): Promise<LabelTemplateView[]> {
    const rows = await this.#deps.store.read((tx) => tx.labelTemplates.list(caller.companyId));
    return [...BUILT_IN_TEMPLATES.map(builtInView), ...rows.map(storedView)];
  }

  async getTemplate(caller: Caller, name: string): Promise<LabelTemplateView> {
    return this.#deps.store.read((tx) => templateViewIn(tx, caller, name));
  }

  /** Creates or replaces a company template, after checking all of it; the name comes from `name`. */
  async saveTemplate(caller: Caller, name: string, definition: unknown): Promise<LabelTemplateView> {
    if (builtInTemplate(name) !== undefined) throw new SerialtraceError('LABEL_TEMPLATE_READONLY', { field: 'name', template: name });
    const body = typeof definition === 'object' && definition !== null && !Array.isArray(definition) ? definition : {};
    const template = resolveLabelTemplate({ ...body, name });
    const at = this.#deps.clock.now().toISOString();
    const row = await this.#deps.store.write(async (tx) => {
      const saved = await tx.labelTemplates.save(caller.companyId, template.name, JSON.stringify(template), { at, actor: caller.actor, reason: caller.reason ?? null });
      await appendAudit(tx, caller, at, [
        { action: 'label_template.saved', entityType: 'label_template', entityId: String(saved.id), data: { name: saved.name, version: saved.version, template } },
      ]);
      return saved;
    });
    return storedView(row);
  }

  async deleteTemplate(caller: Caller, name: string): Promise<void> {
    if (builtInTemplate(name) !== undefined) throw new SerialtraceError('LABEL_TEMPLATE_READONLY', { field: 'name', template: name });
    const at = this.#deps.clock.now().toISOString();
    await this.#deps.store.write(async (tx) => {
      const row = await tx.labelTemplates.find(caller.companyId, name);
      if (row === undefined || !(await tx.labelTemplates.delete(caller.companyId, name))) {
        throw new SerialtraceError('LABEL_TEMPLATE_NOT_FOUND', { field: 'template', template: name });
      }
      await appendAudit(tx, caller, at, [
        { action: 'label_template.deleted', entityType: 'label_template', entityId: String(row.id), data: { name, version: row.version } },
      ]);
    });
  }

  /**
   * Renders a document from a template; nothing is stored or counted (see {@link print} for a
   * record's label). Without a template name, a record's default is used: gs1-product for a
   * GTIN, sscc-logistic for an SSCC, serial otherwise.
   *
   * @example await labels.generate(caller, 'gs1-product', { serial: 'SN-0001' }, 'pdf')
   */
  async generate(caller: Caller, templateName: string | undefined, data: DocumentData, format: string = 'png'): Promise<LabelDocument & { template: string }> {
    return this.#deps.store.read(async (tx) => this.generateIn(tx, caller, templateName, data, format));
  }

  /** {@link generate} inside a transaction the caller owns, seeing its uncommitted records (a script's run). */
  async generateIn(
    tx: StoreTransaction,
    caller: Caller,
    templateName: string | undefined,
    data: DocumentData,
    format: string = 'png',
  ): Promise<LabelDocument & { template: string }> {
    const chosen = readFormat(format);
    const { labelData } = await this.#dataIn(tx, caller, data);
    const template = await templateIn(tx, caller, templateName ?? defaultTemplateFor(labelData));
    return { ...(await renderLabel(template, labelData, chosen)), template: template.name };
  }

  /**
   * Renders a record's label and records the print, atomically with its count: a document is
   * only returned once its print is durable. Labels of voided or scrapped records are refused.
   * `beforeCommit` runs inside the transaction with what will be answered; whatever it throws
   * undoes the print, so an interface prepares there everything that could still fail to send
   * (a response header, say), and a print is never counted for a document nobody received.
   */
  async print(caller: Caller, serial: string, request: PrintRequest = {}, beforeCommit?: (printed: PrintedLabel) => void): Promise<PrintedLabel> {
    const format = readFormat(request.format ?? 'png');
    const lookup = { serial, ...(request.series === undefined ? {} : { series: request.series }) };
    const { row, labelData, template } = await this.#deps.store.read(async (tx) => {
      const found = await this.#dataIn(tx, caller, lookup);
      return { ...found, template: await templateIn(tx, caller, request.template ?? defaultTemplateFor(found.labelData)) };
    });
    // Rendered before anything is written: a label that cannot be drawn is never counted.
    const document = await renderLabel(template, labelData, format);
    const at = this.#deps.clock.now().toISOString();
    const printed = await this.#deps.store.write(async (tx) => {
      const current = await lockRecord(tx, caller, row?.serial ?? serial, request.series);
      if (UNPRINTABLE.includes(current.status)) {
        throw new SerialtraceError('LABEL_PRINT_REFUSED', { field: 'serial', serial: current.serial, recordStatus: current.status });
      }
      const auditIds = await reserveAuditIds(tx, 1);
      const print = await tx.records.countLabelPrint(current.id, at);
      const data = { template: template.name, format, print };
      const firstMove = current.status === 'generated';
      if (firstMove) {
        await tx.records.updateStatus(current.id, 'printed', at);
        await tx.records.insertHistory([
          { recordId: current.id, fromStatus: 'generated', toStatus: 'printed', at, actor: caller.actor, station: caller.station ?? null, reason: caller.reason ?? null, data, auditId: auditIds[0]! },
        ]);
      }
      await appendAudit(
        tx,
        caller,
        at,
        [
          {
            action: 'record.label_printed',
            entityType: 'record',
            entityId: String(current.id),
            data: { series: current.seriesName, serial: current.serial, ...data, reprint: print > 1, ...(firstMove ? { from: 'generated', to: 'printed' } : {}) },
          },
        ],
        auditIds,
      );
      const result: PrintedLabel = {
        ...document,
        template: template.name,
        print,
        record: (await recordViews(tx, [{ ...current, status: firstMove ? 'printed' : current.status, labelPrints: print, updatedAt: at }]))[0]!,
      };
      beforeCommit?.(result);
      return result;
    });
    return printed;
  }

  async #dataIn(tx: StoreTransaction, caller: Caller, data: DocumentData): Promise<{ row: RecordRow | undefined; labelData: LabelData }> {
    let row: RecordRow | undefined;
    let fromRecord: LabelData | undefined;
    if (data.serial !== undefined) {
      row = await findRecord(tx, caller, data.serial, data.series);
      fromRecord = labelDataOf((await recordViews(tx, [row]))[0]!);
    }
    const values = data.values ?? {};
    const serial = values.serial ?? fromRecord?.serial;
    if (serial === undefined) {
      throw new SerialtraceError('VALUE_INVALID', { field: 'serial', reason: 'name a record by its serial, or give the serial among the values' });
    }
    return { row, labelData: { ...fromRecord, ...values, serial } };
  }
}

/** A record's values as a label prints them. */
export function labelDataOf(record: RecordView): LabelData {
  const optional = (value: string | null | undefined) => value ?? undefined;
  const entries: [string, string | undefined][] = [
    ['serial', record.serial],
    ['series', record.series],
    ['workOrder', optional(record.workOrder)],
    ['partNumber', optional(record.partNumber)],
    ['status', record.status],
    ['gtin', optional(record.gs1?.gtin)],
    ['lot', optional(record.lot)],
    ['expiry', optional(record.expiry)],
    ['sscc', optional(record.gs1?.sscc)],
    ['bracketed', record.gs1?.bracketed],
    ['elementString', record.gs1?.elementString],
    ['digitalLink', record.gs1?.digitalLink],
    ['epcUrn', optional(record.gs1?.epcUrn)],
    ['generatedAt', record.generatedAt],
  ];
  const fields: Record<string, string> = { ...record.context };
  for (const [key, value] of Object.entries(record.metadata !== null && typeof record.metadata === 'object' ? record.metadata : {})) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = String(value);
  }
  return { ...(Object.fromEntries(entries.filter(([, v]) => v !== undefined)) as unknown as LabelData), fields };
}

async function templateViewIn(tx: StoreTransaction, caller: Caller, name: string): Promise<LabelTemplateView> {
  const builtIn = builtInTemplate(name);
  if (builtIn !== undefined) return builtInView(builtIn);
  const row = await tx.labelTemplates.find(caller.companyId, name);
  if (row === undefined) throw new SerialtraceError('LABEL_TEMPLATE_NOT_FOUND', { field: 'template', template: name });
  return storedView(row);
}

async function templateIn(tx: StoreTransaction, caller: Caller, name: string): Promise<LabelTemplate> {
  return (await templateViewIn(tx, caller, name)).template;
}

function readFormat(format: string): LabelFormat {
  return parseChoice(format, LABEL_FORMATS, 'format', 'label format');
}

function builtInView(template: LabelTemplate): LabelTemplateView {
  return { name: template.name, builtIn: true, version: 0, updatedAt: null, updatedBy: null, template };
}

function storedView(row: LabelTemplateRow): LabelTemplateView {
  return {
    name: row.name,
    builtIn: false,
    version: row.version,
    updatedAt: row.updatedAt,
    updatedBy: row.updatedBy,
    template: resolveLabelTemplate(JSON.parse(row.definition) as unknown),
  };
}
