import type { ReactNode } from 'react';
import { Progress } from '@backstage/core-components';
import { ProblemPanel } from './ProblemPanel';

/** The loading, error and empty states every page shares; children render the data. */
export function AsyncContent<T>(props: {
  loading: boolean;
  error?: Error | undefined;
  value?: T | undefined;
  isEmpty?: (value: T) => boolean;
  empty?: ReactNode;
  children: (value: T) => ReactNode;
}) {
  const { loading, error, value, isEmpty, empty, children } = props;
  if (loading) return <Progress />;
  if (error) return <ProblemPanel error={error} />;
  if (value === undefined) return null;
  if (isEmpty?.(value)) return <>{empty}</>;
  return <>{children(value)}</>;
}
