export * from './field-template.js';
export * from './label-template.js';
export * from './barcode-symbol.js';
export * from './label-layout.js';
export * from './render-png.js';
export * from './render-pdf.js';
export * from './render-zpl.js';
export * from './render-label.js';
