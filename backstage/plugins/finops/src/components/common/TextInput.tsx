import TextField from '@material-ui/core/TextField';

/** A small outlined text field; codes and periods are trimmed, free text (trim=false) is not. */
export function TextInput(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  disabled?: boolean;
  trim?: boolean;
  /** Why the value is refused: the field is marked invalid and says it under itself. */
  problem?: string | undefined;
}) {
  const { id, label, value, onChange, placeholder, disabled, trim = true, problem } = props;
  return (
    <TextField
      id={id}
      label={label}
      value={value}
      placeholder={placeholder}
      disabled={disabled}
      onChange={event => onChange(trim ? event.target.value.trim() : event.target.value)}
      error={problem !== undefined}
      helperText={problem}
      variant="outlined"
      size="small"
      InputLabelProps={{ shrink: true }}
    />
  );
}
