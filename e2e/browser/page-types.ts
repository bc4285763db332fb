/**
 * The few DOM shapes the functions that run inside the page use. Tests and benchmarks compile
 * without the DOM library (their code runs in Node), so a file with page functions declares the
 * browser's globals it needs with these types, module-locally:
 *
 * @example declare const document: PageDocument;
 */

export interface PageElement {
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
  getBoundingClientRect(): { readonly top: number; readonly bottom: number; readonly height: number };
}

export interface PageScrollable extends PageElement {
  scrollTop: number;
  readonly scrollHeight: number;
  readonly clientHeight: number;
}

export interface PageSelect extends PageElement {
  readonly options: ArrayLike<{ readonly value: string; readonly label: string }>;
}

export interface PageDocument {
  readonly activeElement: PageElement | null;
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
}
