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
  // a value the options lack (a hand-edited link, an owner written in capitals, a list still
  // loading) is shown as it is: a native select would show its first option, while the page
  // reports on the value
  const shown = value === '' || options.some(option => option.value === value) ? options : [...options, { value, label: value }];
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
      {shown.map(option => (
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
