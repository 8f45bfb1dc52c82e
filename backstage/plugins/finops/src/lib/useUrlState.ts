import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';

/**
 * A page's state in the URL's query string, so that a shared link opens the same view.
 * Values equal to their default are left out of the URL.
 */
export function useUrlState<S extends Record<string, string>>(
  defaults: S,
): [S, (changes: Partial<S>) => void] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => {
    const current: Record<string, string> = { ...defaults };
    for (const key of Object.keys(defaults)) {
      const value = params.get(key);
      if (value !== null) current[key] = value;
    }
    return current as S;
  }, [params, defaults]);
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
