import { CONTEXT_TOKENS, DATE_TOKENS, TOKEN_DESCRIPTIONS } from '@serialtrace/core';
import { useId, type RefObject } from 'react';
import { flushSync } from 'react-dom';

type TokenName = keyof typeof TOKEN_DESCRIPTIONS;

/** The token groups as core defines them, so a token core learns appears here by itself. */
const GROUPS: readonly { readonly title: string; readonly tokens: readonly TokenName[] }[] = [
  { title: 'Date and time', tokens: DATE_TOKENS },
  { title: 'Sequence', tokens: ['SEQUENCE', '####'] },
  { title: 'From the request', tokens: CONTEXT_TOKENS },
];

/** The format with `token` in place of the selection, and where the caret goes: right after it. */
export function insertToken(text: string, selectionStart: number, selectionEnd: number, token: string): { text: string; caret: number } {
  const start = Math.max(0, Math.min(selectionStart, text.length));
  const end = Math.max(start, Math.min(selectionEnd, text.length));
  return { text: text.slice(0, start) + token + text.slice(end), caret: start + token.length };
}

/**
 * One button per token. A click puts the token where the caret is in the format input (over the
 * selection, if any) and hands focus back to the input with the caret after the token, so typing
 * goes on where it left off.
 */
export function TokenButtons(props: {
  readonly input: RefObject<HTMLInputElement | null>;
  readonly value: string;
  readonly onChange: (value: string) => void;
}) {
  const titleId = useId();
  const insert = (token: string) => {
    const input = props.input.current;
    const start = input?.selectionStart ?? props.value.length;
    const end = input?.selectionEnd ?? start;
    const next = insertToken(props.value, start, end, token);
    // The input must hold the new text before the caret can be put after the token.
    flushSync(() => props.onChange(next.text));
    if (input !== null) {
      input.focus();
      input.setSelectionRange(next.caret, next.caret);
    }
  };
  return (
    <div role="group" aria-labelledby={titleId} className="token-buttons">
      <p id={titleId} className="token-buttons-title">
        Available tokens
      </p>
      {GROUPS.map((group) => (
        <div key={group.title} role="group" aria-label={`${group.title} tokens`} className="token-group">
          <span className="token-group-title" aria-hidden="true">
            {group.title}
          </span>
          {group.tokens.map((name) => {
            const token = `{${name}}`;
            return (
              <button
                key={name}
                type="button"
                className="token-button"
                title={TOKEN_DESCRIPTIONS[name]}
                // Keeps the caret and selection in the input while the pointer presses the button.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => insert(token)}
              >
                {token}
              </button>
            );
          })}
        </div>
      ))}
    </div>
  );
}
