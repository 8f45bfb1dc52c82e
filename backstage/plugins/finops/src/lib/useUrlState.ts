import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';

/** The values a parameter may take, for the parameters that are a choice among a few. */
export type UrlChoices<S> = { [K in keyof S]?: readonly string[] };

const ANY: UrlChoices<Record<string, string>> = {};

/**
 * A page's state in the URL's query string, so that a shared link opens the same view.
 * Values equal to their default are left out of the URL. A parameter with `choices` takes its
 * default when the link gives another value (a hand-edited `scope=team` would otherwise be
 * sent to the API as a parameter it does not know, and the page show every cost unfiltered).
 */
export function useUrlState<S extends Record<string, string>>(
  defaults: S,
  choices: UrlChoices<S> = ANY as UrlChoices<S>,
): [S, (changes: Partial<S>) => void] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => {
    const current: Record<string, string> = { ...defaults };
    for (const key of Object.keys(defaults)) {
      const value = params.get(key);
      const allowed = choices[key as keyof S];
      if (value !== null && (allowed === undefined || allowed.includes(value))) current[key] = value;
    }
    return current as S;
  }, [params, defaults, choices]);
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
  return [state, update];
}
