/**
 * Reads practitioners, organizations and practitioner roles back into the case vocabulary:
 * national ids, the reading client's own ids, and names.
 */
import type { Organization, Practitioner, Reference } from '@medplum/fhirtypes';
import { FR_SYSTEM, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import type { OrganizationDetails, PractitionerDetails } from '../schema.js';
import { compact, identifierValue } from './common.js';
import type { Resolver } from './resolver.js';

/** A practitioner's identity and names as the client `clientId` knows them. */
export function practitionerDetails(p: Practitioner, clientId: string): PractitionerDetails {
  const name = p.name?.[0];
  return compact({
    rpps: identifierValue(p.identifier, FR_SYSTEM.rpps),
    id: identifierValue(p.identifier, sourceIdentifierSystem(clientId, 'practitioner')),
    familyName: name?.family,
    givenName: name?.given?.[0],
  });
}

/** An organization's identity and name as the client `clientId` knows them. */
export function organizationDetails(o: Organization, clientId: string): OrganizationDetails {
  return compact({
    finess: identifierValue(o.identifier, FR_SYSTEM.finess),
    siret: identifierValue(o.identifier, FR_SYSTEM.siret),
    id: identifierValue(o.identifier, sourceIdentifierSystem(clientId, 'organization')),
    name: o.name,
  });
}

/** Identity only (no names): how references outside the team designate a practitioner. */
export function practitionerIdentity(p: Practitioner, clientId: string): { rpps?: string; id?: string } {
  const { rpps, id } = practitionerDetails(p, clientId);
  return compact({ rpps, id });
}

/** Identity only of an organization. */
export function organizationIdentity(o: Organization, clientId: string): { finess?: string; siret?: string; id?: string } {
  const { finess, siret, id } = organizationDetails(o, clientId);
  return compact({ finess, siret, id });
}

/** Who a reference designates: a practitioner, an organization, or both (a PractitionerRole). */
export interface ResolvedParty { practitioner?: Practitioner | undefined; organization?: Organization | undefined }

/** Resolves a reference to a Practitioner, an Organization or a PractitionerRole. */
export function resolveParty(reference: Reference | undefined, resolver: Resolver): ResolvedParty | undefined {
  const practitioner = resolver.resolve(reference, 'Practitioner');
  if (practitioner) return { practitioner };
  const organization = resolver.resolve(reference, 'Organization');
  if (organization) return { organization };
  const role = resolver.resolve(reference, 'PractitionerRole');
  if (role) {
    return { practitioner: resolver.resolve(role.practitioner, 'Practitioner'), organization: resolver.resolve(role.organization, 'Organization') };
  }
  return undefined;
}
