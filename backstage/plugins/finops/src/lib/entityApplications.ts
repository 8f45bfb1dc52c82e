import { stringifyEntityRef, type Entity } from '@backstage/catalog-model';
import type { Application } from '../api/types';

/** The annotation naming an entity's FinOps application when it is not the entity's own ref. */
export const APPLICATION_ANNOTATION = 'finops/application';

export type EntityApplications = {
  ref: string;
  /** How the applications were found, said on the page. */
  how: 'annotation' | 'entity_ref' | 'owner' | 'none';
  codes: string[];
};

/**
 * The FinOps applications an entity stands for: the `finops/application` annotation; else the
 * applications whose catalog `entity_ref` is the entity; and for a Group, the applications it
 * owns (`owner` is a group ref).
 */
export function applicationsOf(entity: Entity, applications: Application[]): EntityApplications {
  const ref = stringifyEntityRef(entity);
  const annotation = entity.metadata.annotations?.[APPLICATION_ANNOTATION]?.trim();
  if (annotation) {
    const codes = annotation.split(',').map(code => code.trim()).filter(Boolean);
    return { ref, how: 'annotation', codes };
  }
  const byRef = applications.filter(app => app.entity_ref === ref).map(app => app.code);
  if (byRef.length > 0) return { ref, how: 'entity_ref', codes: byRef };
  if (entity.kind.toLowerCase() === 'group') {
    const owned = applications.filter(app => app.owner === ref).map(app => app.code);
    if (owned.length > 0) return { ref, how: 'owner', codes: owned };
  }
  return { ref, how: 'none', codes: [] };
}
