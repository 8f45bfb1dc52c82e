import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useSearchParams } from 'react-router-dom';

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
 * A page's state in the URL's query string, so that a shared link opens the same view.
 * Values equal to their default are left out of the URL. A parameter with `choices` takes its
 * default when the link gives another value (a hand-edited `scope=team` would otherwise be
 * sent to the API as a parameter it does not know, and the page show every cost unfiltered).
 *
 * `carried`: parameters kept across pages for the browser tab. A page opened without any of them
 * in its URL (a click on its tab) takes the values last chosen on another page that carries them,
 * into its URL, so that the pricing view, range and scope chosen on the Overview are those the
 * Compare tab opens with; a link that gives one of them opens as it says.
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
  const state = useMemo(() => {
    const current: Record<string, string> = { ...defaults };
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
  // on arrival without any carried parameter, the values last chosen elsewhere; until the URL
  // has them, nothing is kept (the defaults would overwrite them)
  const arriving = useRef(carried.length > 0 && !carried.some(key => params.has(key)));
  useEffect(() => {
    if (!arriving.current) return;
    const stored = readCarried();
    // a stored default would leave the URL as it is, and the page arriving for ever
    const taken = Object.fromEntries(
      carried
        .filter(key => typeof stored[key] === 'string' && stored[key] !== defaults[key] && allowed(key, stored[key]))
        .map(key => [key, stored[key]]),
    ) as Partial<S>;
    if (Object.keys(taken).length > 0) update(taken);
    else arriving.current = false;
  }, []); // once, on arrival
  const carriedValues = JSON.stringify(carried.map(key => state[key]));
  useEffect(() => {
    if (arriving.current) {
      arriving.current = !carried.some(key => params.has(key));
      return;
    }
    if (carried.length > 0) writeCarried(Object.fromEntries(carried.map(key => [key, String(state[key])])));
  }, [carriedValues]); // the carried values alone decide
  return [state, update];
}
