import { refuseOnErrors, SerialtraceError } from '../errors/serialtrace-error.js';
import { aiEntry, type AiEntry } from './ai-dictionary.js';
import { checkAis, type AiValue, type Gs1ParseOptions } from './element-string.js';

/** The resolver GS1 runs; any domain may serve Digital Link URIs. */
export const GS1_RESOLVER = 'https://id.gs1.org';

/**
 * Percent-encodes a value as GS1's syntax engine does: only `A-Z a-z 0-9 - . _ ~` stay as they
 * are, so `/` and `%` inside a serial cannot be misread as structure.
 *
 * @example escapeDigitalLinkValue('A/B%C') === 'A%2FB%25C'
 */
export function escapeDigitalLinkValue(value: string): string {
  // encodeURIComponent keeps ! ' ( ) * as well, which GS1 escapes.
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The GS1 Digital Link URI of `ais`: the first primary key in the path, then its key qualifiers
 * in the order the dictionary gives (01: 22, 10, 21 or 235), and every other AI as a query
 * parameter in the order given. The data are checked first.
 *
 * @example
 * buildDigitalLink([{ ai: '01', value: '09520123456788' }, { ai: '17', value: '251231' }, { ai: '21', value: '12345' }])
 * // 'https://id.gs1.org/01/09520123456788/21/12345?17=251231'
 */
export function buildDigitalLink(ais: readonly AiValue[], options: Gs1ParseOptions & { readonly base?: string } = {}): string {
  refuseOnErrors(checkAis(ais, options));
  const key = ais.find(({ ai }) => aiEntry(ai)?.dlPrimaryKey === true);
  if (key === undefined) throw invalid('no primary key', 'the data hold no AI that can be a Digital Link primary key (01, 00, 414, ...)');
  const entry = aiEntry(key.ai) as AiEntry;
  const present = new Set(ais.map((a) => a.ai));
  // The alternative sequence of qualifiers that covers the most of the AIs given.
  let qualifiers: readonly string[] = [];
  for (const sequence of entry.dlQualifiers) {
    const used = sequence.filter((ai) => present.has(ai));
    if (used.length > qualifiers.length) qualifiers = used;
  }
  const valueOf = (ai: string) => ais.find((a) => a.ai === ai)?.value ?? '';
  let path = `/${key.ai}/${escapeDigitalLinkValue(key.value)}`;
  for (const ai of qualifiers) path += `/${ai}/${escapeDigitalLinkValue(valueOf(ai))}`;
  const inPath = new Set([key.ai, ...qualifiers]);
  const query: string[] = [];
  for (const { ai, value } of ais) {
    if (inPath.has(ai)) continue;
    if (aiEntry(ai)?.dlDataAttribute !== true) {
      throw invalid('data attribute', `AI (${ai}) is neither a qualifier of (${key.ai}) nor allowed as a data attribute`, ai);
    }
    query.push(`${ai}=${escapeDigitalLinkValue(value)}`);
  }
  const base = (options.base ?? GS1_RESOLVER).replace(/\/+$/, '');
  return base + path + (query.length === 0 ? '' : `?${query.join('&')}`);
}

/**
 * The AIs of a GS1 Digital Link URI: the primary key, its qualifiers (refused when out of
 * order), and the query parameters that are AIs (others are left alone, as the standard
 * allows). The path may start with segments of its own before the key.
 *
 * @example parseDigitalLink('https://id.gs1.org/01/09520123456788/10/ABC1?17=180426')
 * // [{ ai: '01', value: '09520123456788' }, { ai: '10', value: 'ABC1' }, { ai: '17', value: '180426' }]
 */
export function parseDigitalLink(uri: string, options: Gs1ParseOptions = {}): AiValue[] {
  const match = /^https?:\/\/[^/?#]+(\/[^?#]*)?(?:\?([^#]*))?(?:#.*)?$/i.exec(uri);
  if (match === null) throw invalid('uri', 'expected an http or https URI');
  const segments = (match[1] ?? '').split('/').slice(1);
  if (segments.at(-1) === '') segments.pop();
  const start = segments.findIndex(
    (segment, index) => (segments.length - index) % 2 === 0 && aiEntry(segment)?.dlPrimaryKey === true,
  );
  if (start < 0) throw invalid('no primary key', 'the path holds no primary key such as /01/{GTIN} or /00/{SSCC}');
  const entry = aiEntry(segments[start] ?? '') as AiEntry;
  const ais: AiValue[] = [{ ai: entry.ai, value: decode(segments[start + 1] ?? '', false) }];
  const qualifiers: string[] = [];
  for (let i = start + 2; i < segments.length; i += 2) {
    const ai = segments[i] ?? '';
    qualifiers.push(ai);
    ais.push({ ai, value: decode(segments[i + 1] ?? '', false) });
  }
  if (qualifiers.length > 0) {
    const fits = entry.dlQualifiers.some((sequence) => {
      let at = 0;
      return qualifiers.every((ai) => {
        at = sequence.indexOf(ai, at);
        return at++ >= 0;
      });
    });
    if (!fits) {
      const known = entry.dlQualifiers.map((s) => s.join(', ')).join(' or ');
      const stray = qualifiers.find((ai) => !entry.dlQualifiers.some((s) => s.includes(ai)));
      if (stray !== undefined) {
        throw invalid('qualifier', `(${stray}) is not a key qualifier of (${entry.ai})${known === '' ? ', which takes none' : `; its qualifiers are ${known}`}`, stray);
      }
      throw invalid('qualifier order', `the key qualifiers of (${entry.ai}) must come in the order ${known}; got ${qualifiers.join(', ')}`, qualifiers.join(','));
    }
  }
  for (const parameter of (match[2] ?? '').split('&')) {
    const [name = '', value = ''] = parameter.split('=', 2);
    if (!/^\d{2,4}$/.test(name)) continue;
    if (aiEntry(name) !== undefined && aiEntry(name)?.dlDataAttribute !== true) {
      throw invalid('data attribute', `AI (${name}) may not be a data attribute`, name);
    }
    ais.push({ ai: name, value: decode(value, true) });
  }
  refuseOnErrors(checkAis(ais, options));
  return ais;
}

function decode(text: string, query: boolean): string {
  try {
    return decodeURIComponent(query ? text.replaceAll('+', ' ') : text);
  } catch {
    throw invalid('percent-encoding', `"${text}" is not valid percent-encoding`);
  }
}

function invalid(rule: string, reason: string, ai?: string): SerialtraceError {
  return new SerialtraceError('GS1_DIGITAL_LINK_INVALID', ai === undefined ? { rule, reason } : { rule, reason, ai });
}
