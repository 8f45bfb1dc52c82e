import { StatusError, StatusOK, StatusWarning, Table } from '@backstage/core-components';
import type { Load } from '../../api/types';
import { formatAmount } from '../../lib/money';
import { WHOLE_TABLE } from '../common/tableOptions';

const perCurrency = (amounts: Record<string, string>) =>
  Object.entries(amounts).map(([currency, amount]) => `${formatAmount(amount)} ${currency}`).join(', ') || '–';

// A held or failed attempt replaced nothing: its row must not read like a load of the month.
const STATUS = { loaded: StatusOK, held: StatusWarning, failed: StatusError } as const;

function LoadStatus({ load }: { load: Load }) {
  const Status = STATUS[load.status];
  return (
    <span data-testid={`load-status-${load.load_id}`}>
      <Status>{load.status}</Status>
    </span>
  );
}

/** A count as the tables show amounts: 20,000, not 20000. */
const count = (value: number): string => value.toLocaleString('en-US');

/** A timestamp to the minute, in UTC as the batch runs: 2026-03-02 06:01 UTC. */
const minuteUtc = (value: string): string => `${new Date(value).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** What the Delivery column says: a failed attempt (`delivered` null) stopped before its files were known. */
function delivery(load: Load): string {
  if (load.delivered === null) return 'unknown (failed)';
  return load.delivered ? 'delivered' : 'no delivery';
}

/**
 * The load audit of a month: every attempt, loaded or not. `delivered` false: no file held the
 * month, so it is empty for want of a delivery, unlike a delivery whose costs sum to 0.
 */
export function LoadsTable({ month, rows }: { month: string; rows: Load[] }) {
  return (
    <Table<Load>
      title={`Loads of ${month}`}
      options={WHOLE_TABLE}
      columns={[
        // Source, load, rows read, loaded, rejected lead: the browser test reads a row by them.
        { title: 'Source', field: 'source' },
        { title: 'Load', field: 'load_id', type: 'numeric' },
        { title: 'Rows read', field: 'rows_read', type: 'numeric', render: row => count(row.rows_read) },
        { title: 'Loaded', field: 'rows_loaded', type: 'numeric', render: row => count(row.rows_loaded) },
        { title: 'Rejected', field: 'rows_rejected', type: 'numeric', render: row => count(row.rows_rejected) },
        { title: 'Status', field: 'status', render: row => <LoadStatus load={row} /> },
        {
          title: 'Delivery',
          field: 'delivered',
          render: row => <span data-testid={`load-delivery-${row.load_id}`}>{delivery(row)}</span>,
        },
        { title: 'Cost column', field: 'cost_column' },
        { title: 'Source cost', render: row => perCurrency(row.source_cost) },
        { title: 'Rejected cost', render: row => perCurrency(row.rejected_cost) },
        // rows a tabular source's row filters kept out: neither loaded nor rejected
        { title: 'Filtered', field: 'rows_filtered', type: 'numeric', render: row => count(row.rows_filtered) },
        { title: 'Filtered cost', render: row => perCurrency(row.filtered_cost) },
        {
          title: 'Reason',
          field: 'reason',
          render: row => <span data-testid={`load-reason-${row.load_id}`}>{row.reason ?? ''}</span>,
        },
        { title: 'Finished', field: 'finished_at', render: row => <span data-testid={`load-finished-${row.load_id}`}>{minuteUtc(row.finished_at)}</span> },
      ]}
      data={rows}
    />
  );
}
