import { useRef } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import { Choice, options } from './Choice';

/**
 * "Amounts in": every amount as billed, or converted into one currency at the FX rate of its
 * month (the API's in_currency). Offers the pricing views' currencies and those of the answers
 * shown, kept: converted, an answer holds the one asked for alone.
 */
export function AmountsInPicker(props: { value: string; shown?: { currency: string }[]; onChange: (value: string) => void }) {
  const api = useApi(finopsApiRef);
  const views = useAsync(async () => (await api.listPricingViews()).map(view => view.currency), [api]);
  const seen = useRef(new Set<string>());
  for (const row of props.shown ?? []) seen.current.add(row.currency);
  const currencies = [...new Set([...seen.current, ...(views.value ?? []), props.value])]
    .filter((code): code is string => Boolean(code))
    .sort();
  return (
    <Choice
      id="finops-in-currency"
      label="Amounts in"
      value={props.value}
      options={[{ value: '', label: 'currency billed' }, ...options(currencies)]}
      onChange={props.onChange}
    />
  );
}

/** The line above converted amounts: what they are, and what is not converted. */
export function ConvertedNote(props: { inCurrency: string | null | undefined }) {
  if (!props.inCurrency) return null;
  return (
    <p data-testid="converted">
      Every amount in {props.inCurrency}, converted at the FX rate of its month (the pricing files' fx_rates.csv);
      quantities as billed.
    </p>
  );
}

/**
 * The currency part of a question whose answer is shown in `currency`: converted, every row is
 * in it already, and a currency filter would keep the rows billed in it alone.
 */
export function amountsOf(currency: string, inCurrency: string | null | undefined): { currency?: string; in_currency?: string } {
  return inCurrency ? { in_currency: inCurrency } : { currency };
}
