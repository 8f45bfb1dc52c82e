import { useEffect, useRef, useState } from 'react';
import { PERIOD_SETTLE_MS, useWholePeriod, WHOLE_MONTH, WHOLE_PERIOD } from '../../lib/period';
import { TextInput } from './TextInput';

/**
 * A period field that keeps what is being typed to itself and passes on a period once it is
 * whole (or empty) and typing has rested: the page, its URL and its requests never see `2026-0`
 * (a 400, and a link that fails once shared or reloaded), nor `2026` on the way to `2026-03`.
 * A value set from outside (a link followed, the back button) replaces what the field holds.
 * A text that has rested without being a period (`2025-13`, `2025-6`) is marked invalid and
 * says the form expected: the page keeps showing the last whole period, which is not what the
 * field shows.
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
  const [rested, setRested] = useState(text);
  useEffect(() => {
    const settle = setTimeout(() => setRested(text), PERIOD_SETTLE_MS);
    return () => clearTimeout(settle);
  }, [text]);
  const expected = pattern === WHOLE_MONTH ? 'a month: YYYY-MM' : 'YYYY-MM, YYYY-Qn or YYYY';
  const problem = rested === text && text !== '' && !pattern.test(text) ? `not a period; expected ${expected}` : undefined;
  return <TextInput id={id} label={label} placeholder={placeholder} value={text} onChange={setText} problem={problem} />;
}
