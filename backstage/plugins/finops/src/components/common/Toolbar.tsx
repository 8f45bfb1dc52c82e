import type { ReactNode } from 'react';
import Box from '@material-ui/core/Box';

/** The row of a page's controls above its content. */
export function Toolbar({ children }: { children: ReactNode }) {
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 12 }} mb={3}>
      {children}
    </Box>
  );
}
