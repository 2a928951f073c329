/** One labelled text input in the NHS design system's form group (nhsuk-frontend "text-input"), with its hint. */
export function TextField({
  id,
  label,
  hint,
  value,
  onInput,
  width,
  numeric = false,
  dateTime = false,
}: {
  id: string;
  label: string;
  hint?: string;
  value: string;
  onInput: (value: string) => void;
  width?: 2 | 5 | 10 | 20 | 30;
  /** A count or a figure: the NHS design system asks these with a text input and a number keyboard. */
  numeric?: boolean;
  dateTime?: boolean;
}) {
  const attributes = {
    class: `nhsuk-input${width ? ` nhsuk-input--width-${width}` : ''}`,
    id,
    'aria-describedby': hint ? `${id}-hint` : undefined,
    value,
    onInput: (e: Event) => onInput((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class="nhsuk-form-group">
      <label class="nhsuk-label" for={id}>
        {label}
      </label>
      {hint && (
        <div class="nhsuk-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {dateTime ? <input type="datetime-local" {...attributes} /> : <input type="text" inputMode={numeric ? 'decimal' : undefined} {...attributes} />}
    </div>
  );
}

/** One checkbox with its label (nhsuk-frontend "checkboxes"). */
export function Checkbox({ id, label, checked, onChange }: { id: string; label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <div class="nhsuk-form-group">
      <div class="nhsuk-checkboxes">
        <div class="nhsuk-checkboxes__item">
          <input class="nhsuk-checkboxes__input" id={id} type="checkbox" checked={checked} onChange={(e) => onChange(e.currentTarget.checked)} />
          <label class="nhsuk-label nhsuk-checkboxes__label" for={id}>
            {label}
          </label>
        </div>
      </div>
    </div>
  );
}
