import { SerialtraceError } from '@serialtrace/core';
import { barcodeContent, symbolModules, type BarcodeContent, type SymbolModules } from './barcode-symbol.js';
import { fillFieldTemplate, missingFields, parseFieldTemplate, type LabelData } from './field-template.js';
import type { LabelTemplate } from './label-template.js';

/** Quiet zone each side of a linear symbol, in modules (GS1-128 and Code 128 ask for 10). */
export const LINEAR_QUIET_ZONE_MODULES = 10;

/** The widest module a linear symbol gets, in millimetres (GS1 logistic labels: 0.495 to 1.016 mm). */
export const LINEAR_MAX_MODULE_MM = 0.5;

/** Advance of a character of OCR-B, the widest of the label fonts, as a share of its height. */
export const TEXT_ADVANCE_RATIO = 0.64;

/** The barcode placed on the label, in printer dots. */
export interface PlacedBarcode {
  readonly content: BarcodeContent;
  readonly modules: SymbolModules;
  readonly x: number;
  readonly y: number;
  /** Dots per module: an integer, so every module prints as whole dots. */
  readonly moduleDots: number;
  /** The drawn size: columns * moduleDots wide; rows * moduleDots high, or the bar height when linear. */
  readonly width: number;
  readonly height: number;
}

/** A human-readable line placed on the label, in dots; `y` is the top of the text, `size` its height. */
export interface PlacedLine {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly size: number;
  readonly bold: boolean;
}

/**
 * A label with every field filled in and every position in dots of the template's resolution,
 * the one geometry the PNG, PDF and ZPL writers share.
 */
export interface LabelLayout {
  readonly template: LabelTemplate;
  readonly data: LabelData;
  readonly width: number;
  readonly height: number;
  readonly barcode: PlacedBarcode;
  readonly lines: readonly PlacedLine[];
}

/** Millimetres as whole printer dots. */
export function mmToDots(mm: number, dpi: number): number {
  return Math.round((mm * dpi) / 25.4);
}

/**
 * Fills the template's fields for `data` and places everything in dots. Refuses with
 * LABEL_DATA_MISSING when the barcode or a non-optional line prints a field `data` lacks;
 * an optional line with a missing field is left out.
 */
export function layoutLabel(template: LabelTemplate, data: LabelData): LabelLayout {
  const dots = (mm: number) => mmToDots(mm, template.dpi);
  const barcodeText = fillFieldTemplate(parseFieldTemplate(template.barcode.data).nodes, data, template.name);
  const content = barcodeContent(template.barcode.type, barcodeText);
  const modules = symbolModules(content);
  const x = dots(template.barcode.x);
  const y = dots(template.barcode.y);
  const size = dots(template.barcode.size);
  const width = dots(template.width);
  let moduleDots: number;
  let reason: string;
  if (modules.linear) {
    const maxModule = Math.max(1, mmToDots(LINEAR_MAX_MODULE_MM, template.dpi));
    moduleDots = Math.min(maxModule, Math.floor((width - x) / (modules.columns + LINEAR_QUIET_ZONE_MODULES)));
    reason = `it needs ${modules.columns} modules and a quiet zone of ${LINEAR_QUIET_ZONE_MODULES}, more than the ${width - x} dots from x ${template.barcode.x} mm to the right edge`;
  } else {
    moduleDots = Math.floor(size / Math.max(modules.columns, modules.rows));
    reason = `it needs ${modules.columns} x ${modules.rows} modules, more than the ${size} dots of ${template.barcode.size} mm at ${template.dpi} dpi`;
  }
  if (moduleDots < 1) throw new SerialtraceError('LABEL_BARCODE_INVALID', { barcode: template.barcode.type, reason });
  const barcode: PlacedBarcode = {
    content,
    modules,
    x,
    y,
    moduleDots,
    width: modules.columns * moduleDots,
    height: modules.linear ? size : modules.rows * moduleDots,
  };

  const lines: PlacedLine[] = [];
  for (const line of template.lines) {
    const { nodes } = parseFieldTemplate(line.text);
    if (line.optional === true && missingFields(nodes, data).length > 0) continue;
    const text = fillFieldTemplate(nodes, data, template.name);
    const lineX = dots(line.x);
    // Shrink a line that would run off the right edge; the widest font (OCR-B) sets the measure.
    const fitting = Math.floor((width - lineX) / (Math.max(1, [...text].length) * TEXT_ADVANCE_RATIO));
    lines.push({ text, x: lineX, y: dots(line.y), size: Math.max(1, Math.min(dots(line.size), fitting)), bold: line.bold === true });
  }
  return { template, data, width, height: dots(template.height), barcode, lines };
}

/** A rectangle in dots from the label's top-left corner. */
export interface DotRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * The barcode's dark modules as rectangles, one per run of dark modules in a row, so that every
 * format draws the same shapes (and a linear symbol's bars are one rectangle each).
 */
export function darkRuns(barcode: PlacedBarcode): DotRect[] {
  const { modules, moduleDots } = barcode;
  const runs: DotRect[] = [];
  const height = modules.linear ? barcode.height : moduleDots;
  for (let row = 0; row < modules.rows; row++) {
    let column = 0;
    while (column < modules.columns) {
      if (modules.dark[row * modules.columns + column] !== 1) {
        column++;
        continue;
      }
      const start = column;
      while (column < modules.columns && modules.dark[row * modules.columns + column] === 1) column++;
      runs.push({ x: barcode.x + start * moduleDots, y: barcode.y + row * moduleDots, width: (column - start) * moduleDots, height });
    }
  }
  return runs;
}
