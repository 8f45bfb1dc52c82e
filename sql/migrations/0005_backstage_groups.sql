-- Backstage groups (the owners of applications), synced from the catalog by the asset
-- referentials/backstage and kept as history like dim_application: a group whose member count,
-- name or parent changes gets a new version from the month of the sync, so each month keeps
-- the member counts it had (an allocation driver: spread a pool by team size).
-- group_ref is the full Backstage ref, e.g. group:default/payments-team (dim_application.owner).
CREATE TABLE finops.dim_group (
    group_key        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_ref        text NOT NULL,
    name             text NOT NULL,
    parent_ref       text,            -- the parent group's ref (spec.parent), if any
    member_count     integer NOT NULL CHECK (member_count >= 0),  -- direct members (hasMember)
    is_auto          boolean NOT NULL DEFAULT false,
    valid_from       date NOT NULL DEFAULT date '1900-01-01',
    valid_to         date,
    deleted_at       timestamptz,
    CHECK (valid_to IS NULL OR valid_to > valid_from),
    UNIQUE (group_ref, valid_from)
);
CREATE UNIQUE INDEX dim_group_current ON finops.dim_group (group_ref) WHERE valid_to IS NULL;
