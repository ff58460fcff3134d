/**
 * `PUT /v1/practitioners/{id}` → Practitioner (+ a PractitionerRole per organization).
 * Conditional update keyed on the RPPS when known (it meets the Practitioner a case created
 * from the same RPPS), else on the client's id; the organizations and roles are shared
 * directory links: conditional create, with the same keys the case mappers use.
 */
import type { BundleEntry, ContactPoint, Practitioner } from '@medplum/fhirtypes';
import { FR_SYSTEM, sourceIdentifierSystem } from '../../profiles/canonical.js';
import { ourCoding } from '../case/code-lists.js';
import { organizationTokens, practitionerTokens } from '../case/keys.js';
import type { PractitionerEntry } from '../case/schema.js';
import { conditionalUpdate, fullUrlFor, resourceMeta } from '../case/to-fhir/context.js';
import { internalIdentifier, rppsIdentifiers } from '../case/to-fhir/identifiers.js';
import { organizationEntry } from '../case/to-fhir/organization.js';
import { practitionerRoleEntry } from '../case/to-fhir/practitioner-role.js';
import type { OrganizationGroup, PractitionerGroup } from '../case/to-fhir/parties.js';
import { directoryBundle, directoryState, type DirectoryMappingContext, type DirectoryTransaction } from './context.js';

/**
 * Maps a directory practitioner to a transaction.
 * @example practitionerEntryToTransaction('PRO-12', { familyName: 'NOËL', organizations: [{ finess: '250012341' }] }, ctx)
 */
export function practitionerEntryToTransaction(id: string, entry: PractitionerEntry, ctx: DirectoryMappingContext): DirectoryTransaction {
  const state = directoryState(ctx, 'practitioner', id);
  const identity = { rpps: entry.rpps, id };
  const tokens = practitionerTokens(identity);
  const fullUrl = fullUrlFor(state.ctx, 'Practitioner', tokens[0]!);
  const ownSystem = sourceIdentifierSystem(ctx.clientId, 'practitioner');
  const telecom: ContactPoint[] = [
    ...(entry.phone !== undefined ? [{ system: 'phone' as const, value: entry.phone }] : []),
    ...(entry.email !== undefined ? [{ system: 'email' as const, value: entry.email }] : []),
  ];
  const resource: Practitioner = {
    resourceType: 'Practitioner',
    meta: resourceMeta(state.ctx),
    identifier: [...(entry.rpps !== undefined ? rppsIdentifiers(entry.rpps) : []), internalIdentifier(ownSystem, id)],
    active: true,
    name: [{ family: entry.familyName, ...(entry.givenName !== undefined ? { given: [entry.givenName] } : {}) }],
    ...(telecom.length > 0 ? { telecom } : {}),
    ...(entry.profession !== undefined ? { qualification: [{ code: { coding: [ourCoding('profession', entry.profession)] } }] } : {}),
  };
  const key = entry.rpps !== undefined ? { system: FR_SYSTEM.rpps, value: entry.rpps } : { system: ownSystem, value: id };
  const entries: BundleEntry[] = [conditionalUpdate(resource, fullUrl, key)];

  const practitioner: PractitionerGroup = { tokens, identity, details: undefined, fullUrl };
  const seen = new Set<string>();
  for (const org of entry.organizations ?? []) {
    const orgTokens = organizationTokens(org);
    if (seen.has(orgTokens[0]!)) continue;
    seen.add(orgTokens[0]!);
    const group: OrganizationGroup = { tokens: orgTokens, identity: org, details: undefined, fullUrl: fullUrlFor(state.ctx, 'Organization', orgTokens[0]!) };
    const linkKey = `${tokens[0]}@${orgTokens[0]}`;
    entries.push(organizationEntry(group, state));
    entries.push(practitionerRoleEntry({ practitioner, organization: group, key: linkKey, fullUrl: fullUrlFor(state.ctx, 'PractitionerRole', linkKey) }, state));
  }
  return directoryBundle({ id, entry }, entries, state);
}
