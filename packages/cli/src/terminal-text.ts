/**
 * Text on its way to a terminal, with every character that could act on the terminal made
 * visible instead: C0 and C1 control characters (ESC and CSI start escape sequences that move
 * the cursor, retitle the window or rewrite what was printed), DEL, and the bidirectional
 * overrides and isolates that reorder what a line shows. Each becomes `\uXXXX`, which reads the
 * same in prose and is the same value inside JSON text. TAB, line feeds and the CR of a CRLF
 * pair stay as they are, so tables, multi-line logs and CSV come out unchanged.
 *
 * Stored text (names, script logs, reasons) is printed through this, so an entry written to
 * trick whoever reads it cannot reach the terminal as anything but text.
 *
 * @example terminalText('OK\u001b[2J') // 'OK\\u001b[2J'
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (char, offset: number, whole: string) =>
    char === '\r' && whole[offset + 1] === '\n' ? char : `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
