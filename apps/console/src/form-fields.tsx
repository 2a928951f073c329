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

/** A column of a RowsEditor: what it asks, and how (typed text, or one of a few choices). */
export interface RowColumn {
  readonly key: string;
  readonly label: string;
  readonly choices?: Readonly<Record<string, string>>;
  readonly width?: 2 | 3 | 4 | 5 | 10 | 20;
  readonly numeric?: boolean;
}
export type TypedRow = Record<string, string>;

/**
 * A list a person builds row by row (a scenario's demand, units, outages): each row a fieldset whose
 * inputs carry their own labels, removable by a named button, with one button to add another.
 */
export function RowsEditor({ id, legend, hint, noun, columns, rows, blank, onChange }: {
  id: string;
  legend: string;
  hint?: string;
  /** What one row is, for its legend and buttons ("demand" → "Demand 1", "Add demand"). */
  noun: string;
  columns: readonly RowColumn[];
  rows: readonly TypedRow[];
  blank: TypedRow;
  onChange: (rows: TypedRow[]) => void;
}) {
  const named = noun.charAt(0).toUpperCase() + noun.slice(1);
  const set = (i: number, key: string, value: string) => onChange(rows.map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  return (
    <div class="nhsuk-form-group">
      <fieldset class="nhsuk-fieldset" aria-describedby={hint ? `${id}-hint` : undefined}>
        <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">{legend}</legend>
        {hint && (
          <div class="nhsuk-hint" id={`${id}-hint`}>
            {hint}
          </div>
        )}
        {rows.map((row, i) => (
          <fieldset class="nhsuk-fieldset bedside-row" key={i} data-testid={`${id}-row`}>
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
              {named} {i + 1}
            </legend>
            <div class="bedside-filters">
              {columns.map((c) => (
                <div class="nhsuk-form-group" key={c.key}>
                  <label class="nhsuk-label" for={`${id}-${i}-${c.key}`}>
                    {c.label}
                  </label>
                  {c.choices ? (
                    <select class="nhsuk-select" id={`${id}-${i}-${c.key}`} value={row[c.key] ?? ''} onChange={(e) => set(i, c.key, e.currentTarget.value)}>
                      {Object.entries(c.choices).map(([value, words]) => (
                        <option key={value} value={value}>
                          {words}
                        </option>
                      ))}
                    </select>
                  ) : (
                    <input
                      class={`nhsuk-input nhsuk-input--width-${c.width ?? 10}`}
                      id={`${id}-${i}-${c.key}`}
                      type="text"
                      inputMode={c.numeric ? 'decimal' : undefined}
                      value={row[c.key] ?? ''}
                      onInput={(e) => set(i, c.key, e.currentTarget.value)}
                    />
                  )}
                </div>
              ))}
              <button class="nhsuk-button nhsuk-button--secondary bedside-row__remove" type="button" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
                Remove {noun} {i + 1}
              </button>
            </div>
          </fieldset>
        ))}
        <button class="nhsuk-button nhsuk-button--secondary" type="button" onClick={() => onChange([...rows, { ...blank }])}>
          Add {noun}
        </button>
      </fieldset>
    </div>
  );
}
