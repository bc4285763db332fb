import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { parseChoice, SerialtraceError } from '@serialtrace/core';
import { Command } from 'commander';
import type { AuditOptions, LabelFormat, LabelTemplateView, RenderedLabel } from '../backend.js';
import type { CliContext } from '../cli-context.js';
import { writeAtomically } from '../files.js';
import { withAuditOptions } from '../options.js';
import { fields, table } from '../output.js';

const LABEL_FORMATS: readonly LabelFormat[] = ['png', 'pdf', 'zpl'];

interface RenderFlags extends AuditOptions {
  readonly serial: string;
  readonly template?: string;
  readonly format?: string;
  readonly out: string;
  readonly series?: string;
  readonly preview?: boolean;
}

/** The format asked for, or the one the file's extension names, or PNG. */
function labelFormat(format: string | undefined, out: string): LabelFormat {
  if (format !== undefined) return parseChoice(format, LABEL_FORMATS, 'format', 'label format');
  const extension = extname(out).slice(1).toLowerCase();
  return (LABEL_FORMATS as readonly string[]).includes(extension) ? (extension as LabelFormat) : 'png';
}

/** Refuses, before anything is printed, a file whose folder is missing or not writable. */
async function checkWritable(file: string): Promise<void> {
  try {
    await access(dirname(file), constants.W_OK);
  } catch (error) {
    throw new SerialtraceError('VALUE_INVALID', { field: 'out', reason: `cannot write into ${dirname(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
  }
}

function renderedText(file: string, label: RenderedLabel, serial: string): string {
  const what = label.print === null ? 'preview, not recorded' : `print #${label.print} of ${serial}`;
  return `Wrote ${file} (${label.bytes.byteLength} bytes, template ${label.template}, ${what})`;
}

function sizeOf(view: LabelTemplateView): string {
  return `${view.template.width}x${view.template.height} mm`;
}

function templateText(view: LabelTemplateView): string {
  const t = view.template;
  const b = t.barcode;
  return [
    fields([
      ['name', view.name],
      ['kind', view.builtIn ? 'built-in (read-only: save a copy under a new name to change it)' : `company template, version ${view.version}`],
      ['updated', view.updatedAt === null ? null : `${view.updatedAt} by ${view.updatedBy ?? '-'}`],
      ['description', t.description],
      ['size', `${sizeOf(view)} at ${t.dpi} dpi`],
      ['barcode', `${b.type} of "${b.data}" at ${b.x},${b.y} mm, ${b.size} mm`],
    ]),
    '',
    'lines:',
    ...t.lines.map((l) => `  "${l.text}" at ${l.x},${l.y} mm, ${l.size} mm${l.bold === true ? ', bold' : ''}${l.optional === true ? ', optional' : ''}`),
  ].join('\n');
}

/** A template file's JSON: the template itself, or a template as `label template show --json` prints it. */
function definitionOf(text: string, file: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SerialtraceError('VALUE_INVALID', { field: 'file', reason: `${file} is not JSON: ${(error as Error).message}` });
  }
  if (typeof value === 'object' && value !== null && 'builtIn' in value && 'template' in value) return (value as { template: unknown }).template;
  return value;
}

/** Label templates, and rendering records' labels (the CLI's print step). */
export function labelCommand(ctx: () => CliContext): Command {
  const label = new Command('label').description('print records\' labels (PNG, PDF or ZPL) and manage label templates');

  withAuditOptions(
    label
      .command('render')
      .description('print a record\'s label to a file: records the print (the first moves the record to printed; reprints are counted)')
      .requiredOption('--serial <serial>', 'the serial whose label to print')
      .option('--template <name>', 'label template (default: the record\'s own: gs1-product for a GTIN, sscc-logistic for an SSCC, serial otherwise)')
      .option('--format <format>', 'png, pdf, or zpl for Zebra printers (default: from the --out extension, else png)')
      .requiredOption('--out <file>', 'the file to write, replaced whole once the print is recorded; - writes to standard output')
      .option('--series <name>', 'the series, when several issued the same serial')
      .option('--preview', 'render only: nothing is recorded, the print count and status stay as they are'),
  ).action(async (flags: RenderFlags) => {
    const c = ctx();
    const backend = c.backend();
    const request = {
      serial: flags.serial,
      format: labelFormat(flags.format, flags.out),
      ...(flags.template === undefined ? {} : { template: flags.template }),
      ...(flags.series === undefined ? {} : { series: flags.series }),
    };
    if (flags.preview === true && (flags.actor ?? flags.station ?? flags.line ?? flags.plant ?? flags.reason) !== undefined) {
      throw new SerialtraceError('USAGE_INVALID', { reason: '--preview records nothing: leave out --actor, --station, --line, --plant and --reason' });
    }
    // A print whose file could not be written would be counted for nothing: look before printing.
    if (flags.out !== '-') await checkWritable(flags.out);
    const rendered = flags.preview === true ? await backend.previewLabel(request) : await backend.printLabel(flags, request);
    // Only now, the print recorded (or the preview rendered), does the file appear.
    if (flags.out === '-') c.writeBytes(rendered.bytes);
    else await writeAtomically(flags.out, rendered.bytes);
    const result = {
      file: flags.out,
      bytes: rendered.bytes.byteLength,
      format: rendered.format,
      template: rendered.template,
      print: rendered.print,
      serial: flags.serial,
    };
    const human = () => renderedText(flags.out === '-' ? 'standard output' : flags.out, rendered, flags.serial);
    // The document owns standard output when written there; the report goes to standard error.
    if (flags.out === '-') c.io.stderr(c.json ? `${JSON.stringify(result)}\n` : `${human()}\n`);
    else c.print(result, human);
  });

  label
    .command('templates')
    .description('list label templates: the built-in ones, then the company\'s')
    .action(async () => {
      const c = ctx();
      const templates = await c.backend().listLabelTemplates();
      c.print({ templates }, () =>
        table(
          ['NAME', 'VERSION', 'SIZE', 'BARCODE', 'DESCRIPTION'],
          templates.map((t) => [t.name, t.builtIn ? 'built-in' : String(t.version), sizeOf(t), t.template.barcode.type, t.template.description]),
        ),
      );
    });

  const template = label.command('template').description('show, save or delete one label template');

  template
    .command('show')
    .argument('<name>', 'template name')
    .description('show a label template (--json prints it as `label template save` reads it back)')
    .action(async (name: string) => {
      const c = ctx();
      const view = await c.backend().getLabelTemplate(name);
      c.print(view, () => templateText(view));
    });

  withAuditOptions(
    template
      .command('save')
      .argument('<name>', 'template name; built-in names cannot be used')
      .argument('<file>', 'the template as JSON (width, height in mm, dpi, barcode, lines), or as `label template show --json` prints it; - reads standard input')
      .description('create or replace a company label template (each save is a new version)'),
  ).action(async (name: string, file: string, flags: AuditOptions) => {
    const c = ctx();
    let text: string;
    if (file === '-') text = await c.text('-');
    else {
      try {
        text = await readFile(file, 'utf-8');
      } catch (error) {
        throw new SerialtraceError('VALUE_INVALID', { field: 'file', reason: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` });
      }
    }
    const view = await c.backend().saveLabelTemplate(flags, name, definitionOf(text, file === '-' ? 'standard input' : file));
    c.print(view, () => `Saved label template "${view.name}" (version ${view.version}).`);
  });

  withAuditOptions(
    template
      .command('delete')
      .argument('<name>', 'template name; built-in templates cannot be deleted')
      .description('delete a company label template'),
  ).action(async (name: string, flags: AuditOptions) => {
    const c = ctx();
    await c.backend().deleteLabelTemplate(flags, name);
    c.print({ name, deleted: true }, () => `Deleted label template "${name}".`);
  });

  return label;
}
