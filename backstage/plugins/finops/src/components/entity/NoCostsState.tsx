import { EmptyState, CodeSnippet } from '@backstage/core-components';
import Typography from '@material-ui/core/Typography';
import { APPLICATION_ANNOTATION } from '../../lib/entityApplications';

/** What to set so that an entity gets its costs: the annotation, or the catalog's entity_ref. */
export function NoCostsState(props: { entityRef: string; kind: string; codes: string[]; compact?: boolean }) {
  const { entityRef, kind, codes, compact } = props;
  const isGroup = kind.toLowerCase() === 'group';
  const found = codes.length > 0;
  if (compact) {
    return (
      <Typography variant="body2" data-testid="entity-no-costs">
        {found
          ? `No costs yet for ${codes.join(', ')}.`
          : `No FinOps application for ${entityRef}: set the ${APPLICATION_ANNOTATION} annotation, or the application's entity_ref in the FinOps catalog. The Costs tab says how.`}
      </Typography>
    );
  }
  return (
    <EmptyState
      missing={found ? 'data' : 'field'}
      title={found ? `No costs yet for ${codes.join(', ')}` : `No FinOps application for ${entityRef}`}
      description={
        found
          ? 'The FinOps mart knows the application but has no costs for it in this period and view: check the Data quality page of the FinOps plugin for the loads of these months.'
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
