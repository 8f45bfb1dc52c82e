import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import { GRAINS, type Grain } from '../../lib/period';
import { Choice, options } from './Choice';
import { PeriodInput } from './PeriodInput';

/** The pricing views the API knows (actual, rate cards, simulations). */
export function ViewPicker(props: {
  id: string;
  label?: string;
  value: string;
  onChange: (view: string) => void;
}) {
  const api = useApi(finopsApiRef);
  const { value: views } = useAsync(() => api.listPricingViews(), [api]);
  const known = (views ?? []).map(view => ({
    value: view.code,
    label: `${view.name} (${view.kind})`,
  }));
  const choices = known.some(view => view.value === props.value)
    ? known
    : [{ value: props.value, label: props.value }, ...known];
  return (
    <Choice
      id={props.id}
      label={props.label ?? 'Pricing view'}
      value={props.value}
      options={choices}
      onChange={props.onChange}
    />
  );
}

const PERIOD_HINT: Record<Grain, string> = {
  month: 'YYYY-MM',
  quarter: 'YYYY-Qn',
  year: 'YYYY',
};

/** The From and To fields of a range, in any period form the API takes by default. */
export function RangeFields(props: {
  from: string;
  to: string;
  onChange: (changes: { from?: string; to?: string }) => void;
  placeholder?: string;
}) {
  const { from, to, onChange, placeholder = 'YYYY-MM, YYYY-Qn, YYYY' } = props;
  return (
    <>
      <PeriodInput id="finops-from" label="From" placeholder={placeholder} value={from} onChange={value => onChange({ from: value })} />
      <PeriodInput id="finops-to" label="To" placeholder={placeholder} value={to} onChange={value => onChange({ to: value })} />
    </>
  );
}

/** The grain and the range; an empty bound means "the months with data". */
export function PeriodPicker(props: {
  grain: Grain;
  from: string;
  to: string;
  onChange: (changes: { grain?: Grain; from?: string; to?: string }) => void;
}) {
  const { grain, from, to, onChange } = props;
  return (
    <>
      <Choice
        id="finops-grain"
        label="Period"
        value={grain}
        options={options(GRAINS)}
        onChange={value => onChange({ grain: value as Grain, from: '', to: '' })}
      />
      <RangeFields from={from} to={to} placeholder={PERIOD_HINT[grain]} onChange={onChange} />
    </>
  );
}

export type ScopeLevel = 'all' | 'owner' | 'application' | 'product';
export const SCOPE_LEVELS: readonly ScopeLevel[] = ['all', 'owner', 'application', 'product'];

/** Narrows a report to one owner, application or product (the API's filters of those names). */
export function ScopePicker(props: {
  level: ScopeLevel;
  value: string;
  onChange: (changes: { scope?: ScopeLevel; scopeValue?: string }) => void;
}) {
  const api = useApi(finopsApiRef);
  const { value: applications } = useAsync(() => api.listApplications(), [api]);
  const { value: products } = useAsync(() => api.listProducts(), [api]);
  const values: Record<ScopeLevel, string[]> = {
    all: [],
    owner: [...new Set((applications ?? []).flatMap(app => (app.owner ? [app.owner] : [])))].sort(),
    application: (applications ?? []).map(app => app.code),
    product: (products ?? []).map(product => product.code),
  };
  return (
    <>
      <Choice
        id="finops-scope"
        label="Scope"
        value={props.level}
        options={options([...SCOPE_LEVELS])}
        onChange={value => props.onChange({ scope: value as ScopeLevel, scopeValue: '' })}
      />
      {props.level !== 'all' && (
        <Choice
          id="finops-scope-value"
          label={props.level}
          value={props.value}
          options={[{ value: '', label: `every ${props.level}` }, ...options(values[props.level])]}
          onChange={value => props.onChange({ scopeValue: value })}
        />
      )}
    </>
  );
}

/** The API filter for a scope: `{owner: 'group:default/x'}` and so on. */
export function scopeFilter(level: ScopeLevel, value: string): Record<string, string> {
  return level === 'all' || value === '' ? {} : { [level]: value };
}
