import TextField from '@material-ui/core/TextField';

export type Option = { value: string; label: string };

/** A native select: keyboard-friendly, and what a browser test can drive by its label. */
export function Choice(props: {
  label: string;
  value: string;
  options: Option[];
  onChange: (value: string) => void;
  disabled?: boolean;
  id: string;
}) {
  const { label, value, options, onChange, disabled, id } = props;
  return (
    <TextField
      select
      id={id}
      label={label}
      value={value}
      disabled={disabled}
      onChange={event => onChange(event.target.value)}
      SelectProps={{ native: true }}
      InputLabelProps={{ shrink: true }}
      variant="outlined"
      size="small"
      style={{ minWidth: 160 }}
    >
      {options.map(option => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </TextField>
  );
}

export function options(values: string[]): Option[] {
  return values.map(value => ({ value, label: value }));
}
