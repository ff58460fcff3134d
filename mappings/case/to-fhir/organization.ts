/**
 * Organization — an establishment or service the case mentions (FINESS, SIRET or the
 * client's own id). Shared directory data: conditional create, never overwritten by a case.
 */
import type { BundleEntry, Organization } from '@medplum/fhirtypes';
import { FR_SYSTEM, PROFILE, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { conditionalCreate, resourceMeta, tokenQuery, type MappingState } from './context.js';
import { finessIdentifiers, internalIdentifier, siretIdentifier } from './identifiers.js';
import type { OrganizationGroup } from './parties.js';

/** The conditional-create entry of one organization of the case. */
export function organizationEntry(group: OrganizationGroup, state: MappingState): BundleEntry {
  const { ctx } = state;
  const { finess, siret, id } = group.identity;
  const ownSystem = sourceIdentifierSystem(ctx.clientId, 'organization');
  const resource: Organization = {
    resourceType: 'Organization',
    meta: resourceMeta(ctx, PROFILE.organization),
    identifier: [
      ...(finess !== undefined ? finessIdentifiers(finess) : []),
      ...(siret !== undefined ? [siretIdentifier(siret)] : []),
      ...(id !== undefined ? [internalIdentifier(ownSystem, id)] : []),
    ],
    ...(group.details?.name !== undefined ? { name: group.details.name } : {}),
  };
  const ifNoneExist = finess !== undefined ? tokenQuery('identifier', FR_SYSTEM.finess, finess)
    : siret !== undefined ? tokenQuery('identifier', FR_SYSTEM.siret, siret)
    : tokenQuery('identifier', ownSystem, id ?? '');
  return conditionalCreate(resource, group.fullUrl, ifNoneExist);
}
