import IconButton from '@material-ui/core/IconButton';
import Box from '@material-ui/core/Box';
import type { Adjustment } from '../../api/types';
import { Choice, options } from '../common/Choice';
import { TextInput } from '../common/TextInput';

export type ScopeCodes = Record<Adjustment['scope']['level'], string[]>;

/** One adjustment of a simulation: scope, kind, value and month range. */
export function AdjustmentRow(props: {
  index: number;
  adjustment: Adjustment;
  codes: ScopeCodes;
  disabled: boolean;
  onChange: (adjustment: Adjustment) => void;
  onRemove: () => void;
}) {
  const { index, adjustment, codes, disabled, onChange, onRemove } = props;
  const id = (field: string) => `finops-adjustment-${index}-${field}`;
  const scopeCodes = codes[adjustment.scope.level];
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 8 }} mb={2}>
      <Choice
        id={id('level')}
        label="Scope"
        value={adjustment.scope.level}
        disabled={disabled}
        options={options(['domain', 'family', 'product', 'application'])}
        onChange={level =>
          onChange({ ...adjustment, scope: { level: level as Adjustment['scope']['level'], code: codes[level as Adjustment['scope']['level']][0] ?? '' } })
        }
      />
      <Choice
        id={id('code')}
        label={adjustment.scope.level}
        value={adjustment.scope.code}
        disabled={disabled}
        options={options(scopeCodes.includes(adjustment.scope.code) ? scopeCodes : [adjustment.scope.code, ...scopeCodes])}
        onChange={code => onChange({ ...adjustment, scope: { ...adjustment.scope, code } })}
      />
      <Choice
        id={id('kind')}
        label="Kind"
        value={adjustment.kind}
        disabled={disabled}
        options={[
          { value: 'percent', label: 'percent (+/- %)' },
          { value: 'absolute', label: 'absolute (+ per unit)' },
          { value: 'price', label: 'price (per unit)' },
        ]}
        onChange={kind => onChange({ ...adjustment, kind: kind as Adjustment['kind'] })}
      />
      <TextInput id={id('value')} label="Value" value={adjustment.value} disabled={disabled} onChange={value => onChange({ ...adjustment, value: value })} />
      <TextInput id={id('from')} label="From month" placeholder="YYYY-MM" value={adjustment.from ?? ''} disabled={disabled} onChange={value => onChange({ ...adjustment, from: value || null })} />
      <TextInput id={id('to')} label="To month" placeholder="YYYY-MM" value={adjustment.to ?? ''} disabled={disabled} onChange={value => onChange({ ...adjustment, to: value || null })} />
      <IconButton aria-label={`remove adjustment ${index + 1}`} onClick={onRemove} disabled={disabled} size="small">
        ✕
      </IconButton>
    </Box>
  );
}
