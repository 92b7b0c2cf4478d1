import { type FormEvent, useId, useState } from 'react';
import { Dialog } from './Dialog';

interface PromptDialogProps {
  readonly title: string;
  readonly label: string;
  readonly initial: string;
  readonly submitLabel: string;
  readonly hint?: string;
  readonly onSubmit: (value: string) => void;
  readonly onCancel: () => void;
}

/** Asks for one value (a name or a path), with the field focused and its text selected. */
export function PromptDialog({ title, label, initial, submitLabel, hint, onSubmit, onCancel }: PromptDialogProps) {
  const [value, setValue] = useState(initial);
  const id = useId();
  const formId = `${id}-form`;
  function submit(event: FormEvent) {
    event.preventDefault();
    if (value.trim()) onSubmit(value.trim());
  }
  return (
    <Dialog
      title={title}
      onCancel={onCancel}
      actions={
        <>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" form={formId} className="primary" disabled={!value.trim()}>
            {submitLabel}
          </button>
        </>
      }
    >
      <form id={formId} onSubmit={submit} className="form">
        <label htmlFor={id}>{label}</label>
        <input
          id={id}
          autoFocus
          value={value}
          onChange={(event) => setValue(event.target.value)}
          onFocus={(event) => event.target.select()}
          spellCheck={false}
        />
        {hint ? <p className="hint">{hint}</p> : null}
      </form>
    </Dialog>
  );
}

interface ConfirmDialogProps {
  readonly title: string;
  readonly children: React.ReactNode;
  readonly confirmLabel: string;
  readonly danger?: boolean;
  readonly busy?: boolean;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  danger,
  busy,
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  return (
    <Dialog
      title={title}
      onCancel={onCancel}
      actions={
        <>
          {/* showModal focuses the dialog's first control: with a message of text above, Cancel, the safe choice. */}
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
          <button type="button" className={danger ? 'danger' : 'primary'} onClick={onConfirm} disabled={busy}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
    </Dialog>
  );
}
