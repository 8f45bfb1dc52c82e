import { EmptyState, CodeSnippet } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { APPLICATION_ANNOTATION } from '../../lib/entityApplications';

/** What to set so that an entity gets its costs: the annotation, or the catalog's entity_ref.
 * `range`: the months asked for, when the person chose them (YYYY-MM..YYYY-MM), and `view`: the
 * pricing view; without a range, the view has no cost at all for the applications ("yet"). */
export function NoCostsState(props: {
  entityRef: string;
  kind: string;
  codes: string[];
  compact?: boolean;
  range?: string;
  view?: string;
}) {
  const { entityRef, kind, codes, compact, range, view } = props;
  const isGroup = kind.toLowerCase() === 'group';
  const found = codes.length > 0;
  const none = range ? `No costs for ${codes.join(', ')} in ${range}${view ? ` (view ${view})` : ''}` : `No costs yet for ${codes.join(', ')}`;
  if (compact) {
    return (
      <Typography variant="body2" data-testid="entity-no-costs">
        {found
          ? `${none}.`
          : `No FinOps application for ${entityRef}: set the ${APPLICATION_ANNOTATION} annotation, or the application's entity_ref in the FinOps catalog. The Costs tab says how.`}
      </Typography>
    );
  }
  return (
    <EmptyState
      missing={found ? 'data' : 'field'}
      title={found ? none : `No FinOps application for ${entityRef}`}
      description={
        found
          ? range
            ? 'The FinOps mart has no costs for them in these months and this view: choose other months (clear From and To for every month with data), or check the Data quality page of the FinOps plugin for the loads of these months.'
            : 'The FinOps mart knows the application but has no costs for it in this view: check the Data quality page of the FinOps plugin for the loads of the last months.'
          : isGroup
            ? `No application in the FinOps catalog is owned by ${entityRef}. Set owner: ${entityRef} on the applications of the FinOps catalog (or spec.owner on their Backstage components).`
            : `Tell FinOps which application this ${kind} is: add the annotation below to its catalog-info.yaml, or set entity_ref: ${entityRef} on the application in the FinOps catalog.`
      }
      action={
        found || isGroup ? undefined : (
          <>
            <Typography variant="body1">catalog-info.yaml</Typography>
            <CodeSnippet
              language="yaml"
              text={`metadata:\n  annotations:\n    ${APPLICATION_ANNOTATION}: <application code>`}
              showCopyCodeButton
            />
          </>
        )
      }
    />
  );
}
