import { useState } from 'react';
import { useSessionState } from '../../lib/useSessionState';
import { forgetCarried } from '../../lib/useUrlState';
import { Content, InfoCard } from '@backstage/core-components';
import Alert from '@material-ui/lab/Alert';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import { finopsApiRef } from '../../api/FinopsApi';
import { adviceFor, FinopsApiError } from '../../api/errors';
import type { Adjustment, Me, SimulationCreate, SimulationPreview as Preview } from '../../api/types';
import { AsyncContent } from '../common/AsyncContent';
import { ProblemPanel } from '../common/ProblemPanel';
import { ViewPicker } from '../common/pickers';
import { Toolbar } from '../common/Toolbar';
import { TextInput } from '../common/TextInput';
import { AdjustmentRow, type ScopeCodes } from './AdjustmentRow';
import { SimulationList } from './SimulationList';
import { SimulationPreview, type PreviewLevel } from './SimulationPreview';

const NEW_ADJUSTMENT: Adjustment = { scope: { level: 'family', code: '' }, kind: 'percent', value: '10', from: null, to: null };

/** Why the signed-in user may not write simulations, as GET /api/v1/me says before any try. */
function roleRefusal(me: Me | undefined): string | undefined {
  if (me === undefined || me.can_write_simulations) return undefined;
  return `${me.subject} has the ${me.role} role; saving and deleting simulations needs the finance or admin role. ` +
    'Ask a FinOps admin for it; previews stay open to you.';
}

/** Why writing is refused, once the API has said so (401/403); undefined while allowed. */
function refusal(error: unknown): string | undefined {
  if (error instanceof FinopsApiError && (error.status === 401 || error.status === 403)) {
    return `${adviceFor(error).advice} (${error.message})`;
  }
  return undefined;
}

/** Build a simulation (a base view and adjustments), preview it, save it; list and delete. */
export function WhatIfPage() {
  const api = useApi(finopsApiRef);
  // the draft and its months outlive the page: following its compare link lost them
  const [draft, setDraft] = useSessionState<SimulationCreate>('finops.what-if.draft', {
    code: 'sim-', name: '', base_view: 'actual', description: null, adjustments: [NEW_ADJUSTMENT],
  });
  const [previewFrom, setPreviewFrom] = useSessionState('finops.what-if.preview-from', '');
  const [previewTo, setPreviewTo] = useSessionState('finops.what-if.preview-to', '');
  const [preview, setPreview] = useState<{ report?: Preview; asked?: string; error?: Error; loading?: boolean }>({});
  const [saveError, setSaveError] = useState<Error | undefined>();
  const [saved, setSaved] = useState<string | undefined>();
  const [refusedOnWrite, setRefused] = useState<string | undefined>();
  const me = useAsync(() => api.getMe(), [api]);
  const refused = refusedOnWrite ?? roleRefusal(me.value);
  const codes = useAsync(async (): Promise<ScopeCodes> => {
    const [domains, families, products, applications] = await Promise.all([
      api.listDomains(), api.listFamilies(), api.listProducts(), api.listApplications(),
    ]);
    return {
      domain: domains.map(item => item.code),
      family: families.map(item => item.code),
      product: products.map(item => item.code),
      application: applications.map(item => item.code),
    };
  }, [api]);
  const simulations = useAsyncRetry(
    async () => (await api.listPricingViews()).filter(view => view.kind === 'simulation'),
    [api],
  );
  const adjustments = (draft.adjustments ?? []).map(adjustment =>
    adjustment.scope.code || !codes.value
      ? adjustment
      : { ...adjustment, scope: { ...adjustment.scope, code: codes.value[adjustment.scope.level][0] ?? '' } },
  );
  const setAdjustment = (index: number, adjustment: Adjustment | undefined) =>
    setDraft({
      ...draft,
      adjustments: adjustment === undefined
        ? adjustments.filter((_, at) => at !== index)
        : adjustments.map((current, at) => (at === index ? adjustment : current)),
    });

  const level: PreviewLevel = adjustments[0]?.scope.level ?? 'family';
  // what a preview was asked with: when the form moves on, its figures no longer answer it
  const question = JSON.stringify([draft.base_view, adjustments, previewFrom, previewTo, level]);
  const runPreview = async () => {
    setPreview({ loading: true });
    try {
      // the API applies the adjustments to its read models: one row per group comes back,
      // not the base view's rows at every level an adjustment could scope
      const report = await api.previewSimulation({
        base_view: draft.base_view, adjustments, from: previewFrom || null, to: previewTo || null, group_by: [level], sort: 'keys', owner_as_of: 'month',
      });
      setPreview({ report, asked: question });
    } catch (error) {
      setPreview({ error: error as Error });
    }
  };
  const save = async () => {
    setSaveError(undefined);
    setSaved(undefined);
    try {
      const view = await api.createSimulation({ ...draft, adjustments });
      setSaved(view.code);
      simulations.retry();
    } catch (error) {
      setRefused(refusal(error));
      setSaveError(error as Error);
    }
  };
  const remove = async (code: string) => {
    try {
      await api.deletePricingView(code);
      forgetCarried('view', code);
      simulations.retry();
    } catch (error) {
      setRefused(refusal(error));
      setSaveError(error as Error);
    }
  };
  const disabled = refused !== undefined;

  return (
    <Content>
      <Grid container spacing={3}>
        <Grid item xs={12}>
          <InfoCard title="New simulation">
            {refused && <Alert severity="warning" data-testid="whatif-disabled">Saving is disabled: {refused}</Alert>}
            <Toolbar>
              <TextInput id="finops-sim-code" label="Code" placeholder="sim-vm-plus-10" value={draft.code} disabled={disabled} onChange={value => setDraft({ ...draft, code: value })} />
              <TextInput id="finops-sim-name" label="Name" value={draft.name} disabled={disabled} onChange={value => setDraft({ ...draft, name: value })} trim={false} />
              <ViewPicker id="finops-sim-base" label="Base view" value={draft.base_view} onChange={base_view => setDraft({ ...draft, base_view })} />
              <TextInput id="finops-sim-description" label="Description" value={draft.description ?? ''} disabled={disabled} onChange={value => setDraft({ ...draft, description: value || null })} trim={false} />
            </Toolbar>
            <AsyncContent {...codes}>
              {value => (
                <>
                  {adjustments.map((adjustment, index) => (
                    <AdjustmentRow key={index} index={index} adjustment={adjustment} codes={value} disabled={false}
                      onChange={changed => setAdjustment(index, changed)} onRemove={() => setAdjustment(index, undefined)} />
                  ))}
                </>
              )}
            </AsyncContent>
            <Box display="flex" flexWrap="wrap" style={{ gap: 8 }}>
              <Button variant="outlined" onClick={() => setDraft({ ...draft, adjustments: [...adjustments, NEW_ADJUSTMENT] })}>
                Add adjustment
              </Button>
              <TextInput id="finops-preview-from" label="Preview from" placeholder="YYYY-MM" value={previewFrom} onChange={value => setPreviewFrom(value)} />
              <TextInput id="finops-preview-to" label="Preview to" placeholder="YYYY-MM" value={previewTo} onChange={value => setPreviewTo(value)} />
              <Button variant="outlined" color="primary" onClick={runPreview}>Preview</Button>
              <Button variant="contained" color="primary" onClick={save} disabled={disabled || !draft.code || !draft.name}
                title={refused ?? (!draft.code || !draft.name ? 'A code and a name are needed' : undefined)}>
                Save simulation
              </Button>
            </Box>
            {saved && <Alert severity="success" data-testid="whatif-saved">Saved simulation {saved}.</Alert>}
            {saveError && !refused && <ProblemPanel error={saveError} />}
          </InfoCard>
        </Grid>
        <Grid item xs={12}>
          <AsyncContent loading={preview.loading ?? false} error={preview.error} value={preview.report}>
            {report => (
              <>
                {preview.asked !== question && (
                  <Alert severity="info" data-testid="preview-outdated">
                    The simulation changed since this preview: press Preview again to see its figures.
                  </Alert>
                )}
                <SimulationPreview report={report} level={report.group_by[0] as PreviewLevel} />
              </>
            )}
          </AsyncContent>
        </Grid>
        <Grid item xs={12}>
          <AsyncContent {...simulations}>
            {value => <SimulationList simulations={value} onDelete={remove} deleteDisabledReason={refused} />}
          </AsyncContent>
        </Grid>
      </Grid>
    </Content>
  );
}
