import { createContext, lazy, Suspense, useContext, useEffect, useRef, type ComponentType } from 'react';

/** Where a refusal points in the source: 1-based line and column, and what is wrong there. */
export interface SourceMark {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * What the Scripts page needs of a code editor. The page uses CodeMirror (loaded on demand, so
 * other pages do not pay for it); the component tests give it a plain textarea through
 * `CodeEditorContext`, since CodeMirror measures a layout jsdom does not have.
 */
export interface CodeEditorProps {
  /** The accessible name of the editing area. */
  readonly label: string;
  readonly value: string;
  readonly onChange?: (value: string) => void;
  readonly readOnly?: boolean;
  /** A problem to mark; when it changes, the cursor moves there and the editor takes focus. */
  readonly mark?: SourceMark | null;
  /** Ctrl/Cmd-S in the editor. */
  readonly onSaveShortcut?: () => void;
  readonly describedBy?: string;
}

/** The offset of a 1-based line and column in `text`, clamped into it. */
export function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  const index = Math.min(Math.max(line, 1), lines.length) - 1;
  let offset = 0;
  for (let i = 0; i < index; i++) offset += lines[i]!.length + 1;
  return offset + Math.min(Math.max(column - 1, 0), lines[index]!.length);
}

const CodeMirrorEditor = lazy(() => import('./codemirror-editor'));

function LazyCodeEditor(props: CodeEditorProps) {
  return (
    <Suspense
      fallback={
        <p className="muted script-editor-loading" role="status">
          Loading the editor…
        </p>
      }
    >
      <CodeMirrorEditor {...props} />
    </Suspense>
  );
}

/**
 * A plain textarea with the same contract: a stand-in where CodeMirror cannot run (the component
 * tests); a mark selects the place it points at.
 */
export function PlainCodeEditor(props: CodeEditorProps) {
  const ref = useRef<HTMLTextAreaElement>(null);
  const { mark } = props;
  useEffect(() => {
    const area = ref.current;
    if (area === null || mark === null || mark === undefined) return;
    const at = offsetOf(area.value, mark.line, mark.column);
    area.focus();
    area.setSelectionRange(at, at);
  }, [mark]);
  return (
    <textarea
      ref={ref}
      className="script-source-plain mono"
      aria-label={props.label}
      aria-describedby={props.describedBy}
      aria-invalid={mark !== null && mark !== undefined}
      value={props.value}
      readOnly={props.readOnly}
      spellCheck={false}
      rows={16}
      onChange={(event) => props.onChange?.(event.target.value)}
      onKeyDown={(event) => {
        if ((event.ctrlKey || event.metaKey) && event.key === 's' && props.onSaveShortcut !== undefined) {
          event.preventDefault();
          props.onSaveShortcut();
        }
      }}
    />
  );
}

export const CodeEditorContext = createContext<ComponentType<CodeEditorProps>>(LazyCodeEditor);

export function CodeEditor(props: CodeEditorProps) {
  const Editor = useContext(CodeEditorContext);
  return <Editor {...props} />;
}
