import { useEffect, useRef, useState } from 'react';
import { useWholePeriod, WHOLE_PERIOD } from '../../lib/period';
import { TextInput } from './TextInput';

/**
 * A period field that keeps what is being typed to itself and passes on a period once it is
 * whole (or empty) and typing has rested: the page, its URL and its requests never see `2026-0`
 * (a 400, and a link that fails once shared or reloaded), nor `2026` on the way to `2026-03`.
 * A value set from outside (a link followed, the back button) replaces what the field holds.
 */
export function PeriodInput(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  pattern?: RegExp;
}) {
  const { id, label, value, onChange, placeholder, pattern = WHOLE_PERIOD } = props;
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const whole = useWholePeriod(text, pattern);
  const latest = useRef({ value, onChange });
  latest.current = { value, onChange };
  useEffect(() => {
    if (whole !== latest.current.value) latest.current.onChange(whole);
  }, [whole]);
  return <TextInput id={id} label={label} placeholder={placeholder} value={text} onChange={setText} />;
}
