import { aiEntry } from './ai-dictionary.js';
import { buildDigitalLink, parseDigitalLink } from './digital-link.js';
import { buildBracketed, buildElementString, parseBracketed, parseElementString, type AiValue, type Gs1ParseOptions } from './element-string.js';

/** GS1 data in every notation, as `serialtrace gs1 parse` prints it. */
export interface Gs1Notations {
  readonly ais: readonly AiValue[];
  /** `(01)09520123456788(21)A1` */
  readonly bracketed: string;
  /** With ASCII 29 (GS) after each variable-length value but the last; no symbology identifier. */
  readonly elementString: string;
  /** The GS1 Digital Link URI; `null` when the data hold no AI that can be its primary key. */
  readonly digitalLink: string | null;
}

/**
 * Reads GS1 data in whichever notation it comes: a Digital Link URI (`https://...`), the
 * bracketed form (`(01)...`), or an element string as a scanner sends it (GS as ASCII 29, with
 * or without a symbology identifier such as `]d2`). Refuses with the code of the first rule
 * broken, naming the AI.
 *
 * @example parseGs1Text(']d20109520123456788\u001d21A1').bracketed === '(01)09520123456788(21)A1'
 */
export function parseGs1Text(text: string, options: Gs1ParseOptions & { readonly base?: string } = {}): Gs1Notations {
  const trimmed = text.trim();
  let ais: AiValue[];
  if (/^https?:\/\//i.test(trimmed)) ais = parseDigitalLink(trimmed, options);
  else if (trimmed.startsWith('(')) ais = parseBracketed(trimmed, options);
  else ais = parseElementString(trimmed, options).ais;
  const hasKey = ais.some(({ ai }) => aiEntry(ai)?.dlPrimaryKey === true);
  return {
    ais,
    bracketed: buildBracketed(ais, options),
    elementString: buildElementString(ais, options),
    digitalLink: hasKey ? buildDigitalLink(ais, options) : null,
  };
}
