import { useState } from 'react';
import Button from '@material-ui/core/Button';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import type { ExportQuery } from '../../api/types';
import { ProblemPanel } from './ProblemPanel';

/**
 * Downloads what a page shows as a CSV file, every row, from the API's export (the amounts exact,
 * as the API writes them): fetched through the proxy with the user's token, which a plain link
 * would not carry, then handed to the browser as a file.
 */
export function ExportButton(props: { query: ExportQuery; fileName: string }) {
  const api = useApi(finopsApiRef);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const download = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const file = await api.exportCosts({ ...props.query, format: 'csv' });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(file);
      link.download = props.fileName;
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (caught) {
      setError(caught as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button variant="outlined" size="small" disabled={busy} onClick={download}>
        {busy ? 'Exporting…' : 'Export CSV'}
      </Button>
      {error && <ProblemPanel error={error} />}
    </>
  );
}
