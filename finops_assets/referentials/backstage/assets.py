"""The asset referentials/backstage: applications and groups synced from the Backstage catalog."""

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    Backoff,
    Failure,
    MaterializeResult,
    RetryPolicy,
    asset,
)

from finops_assets.referentials.backstage.client import BackstageError
from finops_assets.referentials.backstage.sync import (
    apply_backstage,
    backstage_token,
    read_backstage,
)
from finops_assets.referentials.effective_month import effective_month
from finops_assets.resources import MartResource
from finops_core.config import BackstageConfig, ConfigError

BACKSTAGE_KEY = AssetKey(["referentials", "backstage"])


def backstage_asset(config: BackstageConfig) -> AssetsDefinition:
    # Not month-partitioned, like the catalog: the sync describes the catalog as it is now, so
    # it versions the dimensions from the run's month and never rewrites a closed one.
    @asset(
        key=BACKSTAGE_KEY,
        group_name="referentials",
        kinds={"backstage", "postgres"},
        # the client retries connecting (client.py); this retries the whole sync, minutes later,
        # when the catalog was unreachable, answered 5xx/429 or changed while it was read
        retry_policy=RetryPolicy(max_retries=3, delay=60, backoff=Backoff.EXPONENTIAL),
        description=f"Applications ({config.application_kind} entities) and groups with their member "
        f"counts, read from the Backstage catalog at {config.base_url}; a change versions "
        "dim_application and dim_group from the run's month",
    )
    def backstage(context: AssetExecutionContext, mart: MartResource) -> MaterializeResult:
        try:
            snapshot = read_backstage(config, backstage_token(config), context.log.info)
        except (BackstageError, ConfigError) as error:
            if isinstance(error, BackstageError) and error.transient:
                raise
            # a refused token or a wrong base_url fails the same way a minute later: no retry
            raise Failure(str(error), allow_retries=False) from error
        for problem in snapshot.problems:  # the others are synced; these wait for a fix in Backstage
            context.log.warning(f"Backstage entity skipped: {problem}")
        month = effective_month(context)
        with mart.connection() as conn:
            changed = apply_backstage(conn, snapshot, month)
        context.log.info(f"Backstage catalog applied as of {month:%Y-%m}: {changed}")
        return MaterializeResult(
            metadata={
                "effective_month": f"{month:%Y-%m}",
                "entities_read": snapshot.entities,
                "pages": snapshot.pages,
                "applications": len(snapshot.applications),
                "groups": len(snapshot.groups),
                "application_versions_changed": changed["dim_application"],
                "group_versions_changed": changed["dim_group"],
                # only when some were skipped: a clean run's metadata stays what it always was
                **({"entities_skipped": snapshot.problems} if snapshot.problems else {}),
            }
        )

    return backstage
