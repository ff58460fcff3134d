/**
 * `PUT /v1/organizations/{id}` → Organization. A directory entry is the client's full
 * description of the structure, so it is a conditional update (it may set names a case only
 * referenced). It is keyed on the national id when there is one (FINESS, else SIRET) so it
 * meets the Organization a case created from the same FINESS, else on the client's id.
 * The parent structure (`partOf`) is only referenced: conditional create, as in a case.
 */
import type { Address, BundleEntry, ContactPoint, Organization } from '@medplum/fhirtypes';
import { FR_SYSTEM, PROFILE, sourceIdentifierSystem } from '../../profiles/canonical.js';
import { ourCoding } from '../case/code-lists.js';
import { organizationTokens } from '../case/keys.js';
import type { OrganizationEntry } from '../case/schema.js';
import { conditionalUpdate, fullUrlFor, ref, resourceMeta } from '../case/to-fhir/context.js';
import { finessIdentifiers, internalIdentifier, siretIdentifier } from '../case/to-fhir/identifiers.js';
import { organizationEntry } from '../case/to-fhir/organization.js';
import { directoryBundle, directoryState, type DirectoryMappingContext, type DirectoryTransaction } from './context.js';

/**
 * Maps a directory organization to a transaction.
 * @example organizationEntryToTransaction('ORG-7', { name: 'EHPAD Les Tilleuls', finess: '250098761' }, ctx)
 */
export function organizationEntryToTransaction(id: string, entry: OrganizationEntry, ctx: DirectoryMappingContext): DirectoryTransaction {
  const state = directoryState(ctx, 'organization', id);
  const identity = { finess: entry.finess, siret: entry.siret, id };
  const token = organizationTokens(identity)[0]!;
  const entries: BundleEntry[] = [];

  let partOf: string | undefined;
  if (entry.partOf) {
    const parentTokens = organizationTokens(entry.partOf);
    partOf = fullUrlFor(state.ctx, 'Organization', parentTokens[0]!);
    entries.push(organizationEntry({ tokens: parentTokens, identity: entry.partOf, details: undefined, fullUrl: partOf }, state));
  }

  const ownSystem = sourceIdentifierSystem(ctx.clientId, 'organization');
  const telecom: ContactPoint[] = [
    ...(entry.phone !== undefined ? [{ system: 'phone' as const, value: entry.phone }] : []),
    ...(entry.email !== undefined ? [{ system: 'email' as const, value: entry.email }] : []),
  ];
  const resource: Organization = {
    resourceType: 'Organization',
    meta: resourceMeta(state.ctx, PROFILE.organization),
    identifier: [
      ...(entry.finess !== undefined ? finessIdentifiers(entry.finess) : []),
      ...(entry.siret !== undefined ? [siretIdentifier(entry.siret)] : []),
      internalIdentifier(ownSystem, id),
    ],
    active: true,
    ...(entry.kind !== undefined ? { type: [{ coding: [ourCoding('organizationKind', entry.kind)] }] } : {}),
    name: entry.name,
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(entry.address ? { address: [address(entry.address)] } : {}),
    ...(partOf ? { partOf: ref(partOf) } : {}),
  };
  const key = entry.finess !== undefined ? { system: FR_SYSTEM.finess, value: entry.finess }
    : entry.siret !== undefined ? { system: FR_SYSTEM.siret, value: entry.siret }
    : { system: ownSystem, value: id };
  entries.unshift(conditionalUpdate(resource, fullUrlFor(state.ctx, 'Organization', token), key));
  return directoryBundle({ id, entry }, entries, state);
}

function address(a: NonNullable<OrganizationEntry['address']>): Address {
  return {
    use: 'work',
    ...(a.lines ? { line: a.lines } : {}),
    ...(a.postalCode !== undefined ? { postalCode: a.postalCode } : {}),
    ...(a.city !== undefined ? { city: a.city } : {}),
    ...(a.country !== undefined ? { country: a.country } : {}),
  };
}
