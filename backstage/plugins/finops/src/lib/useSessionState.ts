import { useEffect, useState } from 'react';

/**
 * useState kept in the browser tab's sessionStorage under `key`: a form's draft survives leaving
 * the page (a link to Compare, a look at the Overview) and coming back, and goes with the tab.
 * A stored value that cannot be read back is replaced by `initial`.
 */
export function useSessionState<T>(key: string, initial: T): [T, (value: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const stored = window.sessionStorage.getItem(key);
      return stored === null ? initial : (JSON.parse(stored) as T);
    } catch {
      return initial;
    }
  });
  useEffect(() => {
    try {
      window.sessionStorage.setItem(key, JSON.stringify(value));
    } catch {
      // storage full or refused (a private window): the draft lives as long as the page
    }
  }, [key, value]);
  return [value, setValue];
}
