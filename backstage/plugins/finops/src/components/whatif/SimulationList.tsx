import { useState } from 'react';
import { Link, Table } from '@backstage/core-components';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import type { PricingView } from '../../api/types';
import { WHOLE_TABLE } from '../common/tableOptions';

/**
 * The saved simulations, each with a link to compare it with its base and a delete button that
 * asks first: a deletion has no undo, and its code is never given again.
 */
export function SimulationList(props: {
  simulations: PricingView[];
  onDelete: (code: string) => void;
  deleteDisabledReason: string | undefined;
}) {
  const { simulations, onDelete, deleteDisabledReason } = props;
  // the code asked about stays named while the dialog fades out
  const [asked, setAsked] = useState<{ code: string; open: boolean }>({ code: '', open: false });
  const close = () => setAsked({ ...asked, open: false });
  return (
    <>
      <Table<PricingView>
        title="Saved simulations"
        options={WHOLE_TABLE}
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
                onClick={() => setAsked({ code: view.code, open: true })}
              >
                Delete
              </Button>
            ),
          },
        ]}
        data={simulations}
      />
      <Dialog open={asked.open} onClose={close} aria-labelledby="finops-delete-title">
        <DialogTitle id="finops-delete-title">Delete {asked.code}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            The simulation and its adjustments are deleted for everyone; its code is never given again, and
            links comparing it stop working.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={close}>Cancel</Button>
          <Button
            color="secondary"
            onClick={() => {
              onDelete(asked.code);
              close();
            }}
          >
            Delete
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
