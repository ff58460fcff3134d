/**
 * Practitioner — a professional the case mentions, created only if no resource with its
 * national (or client) identifier exists yet: the case may know only an RPPS, and a
 * conditional update would erase the names the directory or another case wrote.
 */
import type { BundleEntry, Practitioner } from '@medplum/fhirtypes';
import { FR_SYSTEM, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { conditionalCreate, resourceMeta, tokenQuery, type MappingState } from './context.js';
import { internalIdentifier, rppsIdentifiers } from './identifiers.js';
import type { PractitionerGroup } from './parties.js';

/** The conditional-create entry of one practitioner of the case. */
export function practitionerEntry(group: PractitionerGroup, state: MappingState): BundleEntry {
  const { ctx } = state;
  const { rpps, id } = group.identity;
  const ownSystem = sourceIdentifierSystem(ctx.clientId, 'practitioner');
  const resource: Practitioner = {
    resourceType: 'Practitioner',
    meta: resourceMeta(ctx),
    identifier: [
      ...(rpps !== undefined ? rppsIdentifiers(rpps) : []),
      ...(id !== undefined ? [internalIdentifier(ownSystem, id)] : []),
    ],
  };
  const { familyName, givenName } = group.details ?? {};
  if (familyName !== undefined || givenName !== undefined) {
    resource.name = [{
      ...(familyName !== undefined ? { family: familyName } : {}),
      ...(givenName !== undefined ? { given: [givenName] } : {}),
    }];
  }
  // Match on the most authoritative identifier: the RPPS when known, else the client's id.
  const ifNoneExist = rpps !== undefined
    ? tokenQuery('identifier', FR_SYSTEM.rpps, rpps)
    : tokenQuery('identifier', ownSystem, id ?? '');
  return conditionalCreate(resource, group.fullUrl, ifNoneExist);
}
