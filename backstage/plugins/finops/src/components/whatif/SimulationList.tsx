import { Link, Table } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import type { PricingView } from '../../api/types';

/** The saved simulations, each with a link to compare it with its base and a delete button. */
export function SimulationList(props: {
  simulations: PricingView[];
  onDelete: (code: string) => void;
  deleteDisabledReason: string | undefined;
}) {
  const { simulations, onDelete, deleteDisabledReason } = props;
  return (
    <Table<PricingView>
      title="Saved simulations"
      options={{ paging: false, search: false, padding: 'dense' }}
      emptyContent={<p style={{ padding: 16 }}>No simulation saved yet.</p>}
      columns={[
        { title: 'Code', field: 'code' },
        { title: 'Name', field: 'name' },
        { title: 'Base view', field: 'base_view' },
        { title: 'Description', field: 'description' },
        {
          title: 'Compare',
          sorting: false,
          render: view => (
            <Link to={`../compare?view=${encodeURIComponent(view.code)}&against=${encodeURIComponent(view.base_view ?? 'actual')}`}>
              against {view.base_view}
            </Link>
          ),
        },
        {
          title: '',
          sorting: false,
          render: view => (
            <Button
              size="small"
              color="secondary"
              aria-label={`delete ${view.code}`}
              disabled={deleteDisabledReason !== undefined}
              title={deleteDisabledReason}
              onClick={() => onDelete(view.code)}
            >
              Delete
            </Button>
          ),
        },
      ]}
      data={simulations}
    />
  );
}
