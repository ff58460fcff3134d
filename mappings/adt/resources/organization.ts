/**
 * The sending facility (MSH-4) as an Organization: Encounter.serviceProvider, requester of the
 * Tasks a hospital message raises. Shared directory data: conditional create, never
 * overwritten by a message (the directory API owns its names and addresses).
 * Keyed on its FINESS when the client declares one (so it meets the directory entry), else on
 * the facility's own identifier `…/sid/<clientId>/facility` = MSH-4 namespace id.
 */
import type { BundleEntry, Identifier, Organization } from '@medplum/fhirtypes';
import { FR_SYSTEM, HL7_SYSTEM, PROFILE, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { finessIdentifiers, internalIdentifier } from '../../case/to-fhir/identifiers.js';
import { conditionalCreate, fullUrlFor, identifierQuery, resourceMeta, type AdtState } from '../context.js';
import { isFiness } from './identifiers.js';

/** The facility's Organization entry and its fullUrl. */
export interface FacilityEntry {
  entry: BundleEntry;
  fullUrl: string;
}

/** The identifier a facility Organization is known by in Passerelle (its MSH-4 namespace id, client-scoped). */
export function facilityIdentifier(clientId: string, namespaceId: string): Identifier {
  return internalIdentifier(sourceIdentifierSystem(clientId, 'facility'), namespaceId);
}

/** The conditional-create entry of the sending facility. */
export function facilityEntry(state: AdtState): FacilityEntry {
  const { ctx, issues } = state;
  const facility = ctx.facilityNamespace;
  let finess = facility.finess;
  if (finess !== undefined && !isFiness(finess)) {
    issues.push('facility FINESS (client configuration) has an invalid key; not used');
    finess = undefined;
  }
  const own = facilityIdentifier(ctx.clientId, facility.namespaceId);
  const resource: Organization = {
    resourceType: 'Organization',
    meta: resourceMeta(ctx, PROFILE.organization),
    identifier: [
      ...(finess !== undefined ? finessIdentifiers(finess) : []),
      own,
      ...(facility.oid !== undefined ? [{ system: HL7_SYSTEM.uri, value: `urn:oid:${facility.oid}` }] : []),
    ],
    active: true,
    name: facility.name ?? facility.namespaceId,
  };
  const key: Identifier = finess !== undefined ? { system: FR_SYSTEM.finess, value: finess } : own;
  const fullUrl = fullUrlFor(ctx.clientId, 'Organization', `${key.system ?? ''}|${key.value ?? ''}`);
  return { fullUrl, entry: conditionalCreate(resource, fullUrl, identifierQuery(key)) };
}
