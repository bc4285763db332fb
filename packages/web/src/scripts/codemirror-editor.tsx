import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { javascriptLanguage } from '@codemirror/lang-javascript';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef } from 'react';
import type { CodeEditorProps } from './code-editor';

/**
 * The editor's look. CodeMirror writes its styles as `<style>` elements, which the server's
 * Content-Security-Policy (`style-src 'self'`) refuses in the document; inside a shadow root it
 * uses constructed style sheets instead, which the policy allows. So the editor lives in one, and
 * its theme is given here rather than in scripts.css (page styles do not reach into it).
 */
const theme = EditorView.theme({
  '&': { minHeight: '16rem', maxHeight: '32rem', fontSize: '0.9rem', backgroundColor: '#fff', borderRadius: '6px' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: "var(--mono, ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace)", overflow: 'auto', lineHeight: '1.5' },
  '.cm-gutters': { backgroundColor: '#f6f8fa', color: '#5b6675', borderRight: '1px solid #d5dbe3', borderRadius: '6px 0 0 6px' },
  '.cm-activeLine': { backgroundColor: '#f3f7fc' },
  '.cm-activeLineGutter': { backgroundColor: '#e6f0fa' },
  '&.cm-editor[aria-readonly] .cm-activeLine, .cm-content[aria-readonly="true"] .cm-activeLine': { backgroundColor: 'transparent' },
});

/**
 * CodeMirror 6 for scripts: JavaScript highlighting, line numbers, undo history, bracket
 * matching, and a refusal's line and column marked as a diagnostic. Tab is left to move focus
 * (the page must stay usable from the keyboard); Ctrl/Cmd-S saves. Loaded on demand.
 */
export default function CodeMirrorEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const editable = useRef(new Compartment());
  const attributes = useRef(new Compartment());
  const { value, readOnly, label, describedBy, mark } = props;

  useEffect(() => {
    const element = host.current;
    if (element === null) return;
    const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
    const parent = document.createElement('div');
    root.append(parent);
    const initial = latest.current;
    const created = new EditorView({
      parent,
      root,
      state: EditorState.create({
        doc: initial.value,
        extensions: [
          theme,
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          javascriptLanguage,
          lintGutter(),
          keymap.of([
            {
              key: 'Mod-s',
              preventDefault: true,
              run: () => {
                latest.current.onSaveShortcut?.();
                return latest.current.onSaveShortcut !== undefined;
              },
            },
            ...defaultKeymap,
            ...historyKeymap,
          ]),
          editable.current.of(EditorState.readOnly.of(initial.readOnly === true)),
          attributes.current.of(contentAttributes(initial)),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) latest.current.onChange?.(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = created;
    return () => {
      created.destroy();
      parent.remove();
      view.current = null;
    };
  }, []);

  // A value from outside (another script opened, a version restored) replaces the text.
  useEffect(() => {
    const current = view.current;
    if (current === null) return;
    const text = current.state.doc.toString();
    if (text !== value) current.dispatch({ changes: { from: 0, to: text.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: [
        editable.current.reconfigure(EditorState.readOnly.of(readOnly === true)),
        attributes.current.reconfigure(contentAttributes({ label, describedBy, mark, readOnly })),
      ],
    });
  }, [readOnly, label, describedBy, mark]);

  // A refusal's position: a diagnostic on that spot, the cursor there, and the editor focused.
  useEffect(() => {
    const current = view.current;
    if (current === null) return;
    if (mark === null || mark === undefined) {
      current.dispatch(setDiagnostics(current.state, []));
      return;
    }
    const doc = current.state.doc;
    const line = doc.line(Math.min(Math.max(mark.line, 1), doc.lines));
    const from = line.from + Math.min(Math.max(mark.column - 1, 0), line.length);
    const to = from < line.to ? from + 1 : from;
    const diagnostic: Diagnostic = { from, to, severity: 'error', message: mark.message };
    current.dispatch(setDiagnostics(current.state, [diagnostic]));
    current.dispatch({ selection: { anchor: from }, effects: EditorView.scrollIntoView(from, { y: 'center' }) });
    current.focus();
  }, [mark]);

  return <div ref={host} className="script-editor" data-testid="code-editor" />;
}

function contentAttributes(props: Pick<CodeEditorProps, 'label' | 'describedBy' | 'mark' | 'readOnly'>) {
  const attrs: Record<string, string> = { 'aria-label': props.label };
  if (props.describedBy !== undefined) attrs['aria-describedby'] = props.describedBy;
  if (props.mark !== null && props.mark !== undefined) attrs['aria-invalid'] = 'true';
  if (props.readOnly === true) attrs['aria-readonly'] = 'true';
  return EditorView.contentAttributes.of(attrs);
}
