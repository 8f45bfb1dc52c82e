import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useSearchParams } from 'react-router-dom';
import { refusedParameters } from '../api/errors';

/** The values a parameter may take, for the parameters that are a choice among a few. */
export type UrlChoices<S> = { [K in keyof S]?: readonly string[] };

const ANY: UrlChoices<Record<string, string>> = {};
const NONE: readonly string[] = [];

/** Where the parameters pages carry to one another are kept (the browser tab's sessionStorage). */
export const CARRIED_STORAGE_KEY = 'finops.carried';
/** What the cost pages carry to one another: the pricing view, the range, the scope and the
 * currency amounts are converted into. */
export const COST_PAGE_CARRIED = ['view', 'from', 'to', 'scope', 'scopeValue', 'in_currency'] as const;

function readCarried(): Record<string, string> {
  try {
    const stored: unknown = JSON.parse(window.sessionStorage.getItem(CARRIED_STORAGE_KEY) ?? '{}');
    return typeof stored === 'object' && stored !== null ? (stored as Record<string, string>) : {};
  } catch {
    return {};
  }
}

function writeCarried(values: Record<string, string>): void {
  try {
    window.sessionStorage.setItem(CARRIED_STORAGE_KEY, JSON.stringify({ ...readCarried(), ...values }));
  } catch {
    // storage full or refused (a private window): the pages do not carry their choices
  }
}

/** Forget a carried value that no longer means anything (a deleted simulation's view), so that
 * no tab opens on it. */
export function forgetCarried(key: string, value: string): void {
  if (readCarried()[key] === value) writeCarried({ [key]: '' });
}

/**
 * Forget the carried values a request of the page was refused for (a deleted simulation's view,
 * a currency without exchange rates), so that the other tabs do not open on a refusal.
 */
export function useForgetRefused(error: Error | undefined, state: Record<string, string>): void {
  const refused = refusedParameters(error).filter(key => state[key]);
  const named = refused.map(key => `${key}=${state[key]}`).join('&');
  useEffect(() => {
    for (const key of refused) forgetCarried(key, state[key] ?? '');
  }, [named]); // the refused values alone decide
}

/**
 * A page's state in the URL's query string, so that a shared link opens the same view.
 * Values equal to their default are left out of the URL. A parameter with `choices` takes its
 * default when the link gives another value (a hand-edited `scope=team` would otherwise be
 * sent to the API as a parameter it does not know, and the page show every cost unfiltered).
 *
 * `carried`: parameters kept across pages for the browser tab. A page opened without any query
 * string (a click on its tab) takes the values last chosen on another page that carries them,
 * into its URL, so that the pricing view, range and scope chosen on the Overview are those the
 * Compare tab opens with; a link with any parameter opens as its sender saw it.
 */
export function useUrlState<S extends Record<string, string>>(
  defaults: S,
  choices: UrlChoices<S> = ANY as UrlChoices<S>,
  carried: readonly (keyof S & string)[] = NONE,
): [S, (changes: Partial<S>) => void] {
  const [params, setParams] = useSearchParams();
  const allowed = useCallback(
    (key: string, value: string) => choices[key as keyof S]?.includes(value) ?? true,
    [choices],
  );
  // on arrival by a tab (no query string), the values last chosen on another page: the state of
  // the first render already, so that no request is made with the defaults; into the URL then.
  // A stored default is not taken: it would leave the URL as it is, and the page arriving for ever
  const taken = useRef<Record<string, string> | null>(null);
  if (taken.current === null) {
    const stored = carried.length > 0 && params.toString() === '' ? readCarried() : {};
    taken.current = Object.fromEntries(
      carried
        .filter(key => typeof stored[key] === 'string' && stored[key] !== defaults[key] && allowed(key, stored[key]))
        .map(key => [key, stored[key] as string]),
    );
  }
  const state = useMemo(() => {
    const current: Record<string, string> = { ...defaults, ...taken.current };
    for (const key of Object.keys(defaults)) {
      const value = params.get(key);
      if (value !== null && allowed(key, value)) current[key] = value;
    }
    return current as S;
  }, [params, defaults, allowed]);
  const update = useCallback(
    (changes: Partial<S>) => {
      setParams(
        previous => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined || value === '' || value === defaults[key]) next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      );
    },
    [setParams, defaults],
  );
  useEffect(() => {
    if (taken.current && Object.keys(taken.current).length > 0) update(taken.current as Partial<S>);
  }, []); // once, on arrival
  const carriedValues = JSON.stringify(carried.map(key => state[key]));
  useEffect(() => {
    if (taken.current && Object.keys(taken.current).length > 0) {
      // arrived once the URL holds them; nothing to keep before (they are what is kept)
      if (carried.some(key => params.has(key))) taken.current = {};
      return;
    }
    if (carried.length > 0) writeCarried(Object.fromEntries(carried.map(key => [key, String(state[key])])));
  }, [carriedValues, params]); // the carried values decide, and the URL's arrival
  return [state, update];
}
