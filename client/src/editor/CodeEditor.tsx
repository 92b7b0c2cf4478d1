import Editor, { DiffEditor } from '@monaco-editor/react';
import type { editor as MonacoEditor } from 'monaco-editor';
import { useEffect, useRef } from 'react';
import { monaco, THEME } from './monacoSetup';

interface CodeEditorProps {
  /** Model key: one model (and undo history) per open file. */
  readonly path: string;
  readonly language: string;
  /** The text to show when the editor mounts, and again whenever `revision` changes (a reload). */
  readonly value: string;
  readonly revision: number;
  readonly readOnly: boolean;
  readonly onChange: (value: string) => void;
  /** Ctrl/Cmd-S, with the editor's text at that moment (React state may not have caught up with the last keystrokes). */
  readonly onSave: (text: string) => void;
}

/** Frees the model (text and undo history) kept for `path`, once its file is closed, moved or deleted. */
export function disposeModel(path: string): void {
  monaco.editor.getModel(monaco.Uri.parse(path))?.dispose();
}

/** Monaco, from the app's own bundle; Ctrl/Cmd-S saves. */
export default function CodeEditor({ path, language, value, revision, readOnly, onChange, onSave }: CodeEditorProps) {
  const save = useRef(onSave);
  save.current = onSave;
  const editorRef = useRef<MonacoEditor.IStandaloneCodeEditor | null>(null);
  const shown = useRef(revision);
  // Uncontrolled while typing (a controlled value would race keystrokes); a reload replaces the text
  // as one undoable edit.
  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model || shown.current === revision) return;
    shown.current = revision;
    if (model.getValue() !== value)
      model.pushEditOperations([], [{ range: model.getFullModelRange(), text: value }], () => null);
  }, [revision, value]);
  return (
    <Editor
      path={path}
      language={language}
      defaultValue={value}
      theme={THEME}
      loading={<div role="status">Loading editor…</div>}
      options={{
        readOnly,
        readOnlyMessage: { value: 'This file cannot be changed here (see the banner above).' },
        minimap: { enabled: false },
        automaticLayout: true,
        fontSize: 13,
        scrollBeyondLastLine: false,
        ariaLabel: `Editor: ${path}`,
      }}
      onChange={(next) => onChange(next ?? '')}
      onMount={(editor) => {
        editorRef.current = editor;
        shown.current = revision;
        editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => save.current(editor.getValue()));
        editor.focus();
      }}
    />
  );
}

interface DiffViewProps {
  readonly original: string;
  readonly modified: string;
  readonly language: string;
}

const ORIGINAL_LABEL = 'Version on the server';
const MODIFIED_LABEL = 'Your version';

// One object for every render: the wrapper re-applies options whenever their identity changes.
const DIFF_OPTIONS: MonacoEditor.IStandaloneDiffEditorConstructionOptions = {
  readOnly: true,
  originalEditable: false,
  originalAriaLabel: ORIGINAL_LABEL,
  modifiedAriaLabel: MODIFIED_LABEL,
  renderSideBySide: true,
  minimap: { enabled: false },
  automaticLayout: true,
};

/**
 * Gives an inner editor of the diff its accessible name, and gives it back whenever the diff editor
 * resets it: Monaco rebuilds the inner editors' options on any later options change (a resize that
 * switches to the inline view, for one) and then drops a label that did not change in that update.
 */
function keepAccessibleName(editor: MonacoEditor.ICodeEditor, label: string): void {
  const ariaLabel = monaco.editor.EditorOption.ariaLabel;
  const restore = () => {
    if (editor.getOption(ariaLabel) !== label) editor.updateOptions({ ariaLabel: label });
  };
  editor.onDidChangeConfiguration((change) => {
    if (change.hasChanged(ariaLabel)) restore();
  });
  restore();
}

/** Both versions side by side: the one on the server (left) and this editor's (right). */
export function DiffView({ original, modified, language }: DiffViewProps) {
  const diffRef = useRef<MonacoEditor.IStandaloneDiffEditor | null>(null);
  // The wrapper would dispose the models before the widget lets go of them (an uncaught error):
  // it keeps them, and this releases and disposes them in the right order.
  useEffect(
    () => () => {
      const diff = diffRef.current;
      const models = diff?.getModel();
      diff?.setModel(null);
      models?.original.dispose();
      models?.modified.dispose();
    },
    [],
  );
  return (
    <DiffEditor
      keepCurrentOriginalModel
      keepCurrentModifiedModel
      original={original}
      modified={modified}
      language={language}
      theme={THEME}
      height="100%"
      onMount={(diff) => {
        diffRef.current = diff;
        keepAccessibleName(diff.getOriginalEditor(), ORIGINAL_LABEL);
        keepAccessibleName(diff.getModifiedEditor(), MODIFIED_LABEL);
      }}
      loading={<div role="status">Loading comparison…</div>}
      options={DIFF_OPTIONS}
    />
  );
}
