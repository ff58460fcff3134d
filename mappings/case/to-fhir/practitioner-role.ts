/**
 * PractitionerRole — a practitioner acting for an organization (e.g. the DAC's coordinator).
 * Used as the CareTeam member and action performer when the case names both, as the ANS
 * Cercle de soins profile expects professionals to be referenced through a PractitionerRole.
 * Its whole content is its key (practitioner + organization), so a conditional create is exact.
 */
import type { BundleEntry, PractitionerRole } from '@medplum/fhirtypes';
import { sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { conditionalCreate, ref, resourceMeta, tokenQuery, type MappingState } from './context.js';
import type { RoleLink } from './parties.js';

/** The conditional-create entry of one practitioner-in-organization link. */
export function practitionerRoleEntry(link: RoleLink, state: MappingState): BundleEntry {
  const system = sourceIdentifierSystem(state.ctx.clientId, 'practitioner-role');
  const resource: PractitionerRole = {
    resourceType: 'PractitionerRole',
    meta: resourceMeta(state.ctx),
    identifier: [{ system, value: link.key }],
    practitioner: ref(link.practitioner.fullUrl),
    organization: ref(link.organization.fullUrl),
  };
  return conditionalCreate(resource, link.fullUrl, tokenQuery('identifier', system, link.key));
}
