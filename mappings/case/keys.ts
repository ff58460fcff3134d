/**
 * Business keys of the parties and elements of a case document. The schema (duplicate
 * detection), the FHIR mappers (conditional writes, origin extensions) and the reverse
 * mappers share them, so they live in one place.
 */
import { shortHash } from './hash.js';

/** A practitioner as referenced in a case: by RPPS and/or by the client's own id. */
export interface PractitionerIdentity { rpps?: string | undefined; id?: string | undefined }
/** An organization as referenced in a case: by FINESS, SIRET and/or the client's own id. */
export interface OrganizationIdentity { finess?: string | undefined; siret?: string | undefined; id?: string | undefined }

/**
 * Identity tokens of a practitioner, most authoritative first (`rpps:…`, then `id:…`).
 * Two mentions sharing a token are the same person.
 */
export function practitionerTokens(p: PractitionerIdentity): string[] {
  const tokens: string[] = [];
  if (p.rpps !== undefined) tokens.push(`rpps:${p.rpps}`);
  if (p.id !== undefined) tokens.push(`id:${p.id}`);
  return tokens;
}

/** Identity tokens of an organization, most authoritative first (FINESS, SIRET, own id). */
export function organizationTokens(o: OrganizationIdentity): string[] {
  const tokens: string[] = [];
  if (o.finess !== undefined) tokens.push(`finess:${o.finess}`);
  if (o.siret !== undefined) tokens.push(`siret:${o.siret}`);
  if (o.id !== undefined) tokens.push(`id:${o.id}`);
  return tokens;
}

/** The parts of a team member that define who it is (not its contact details). */
export interface MemberIdentity {
  id?: string | undefined;
  role: string;
  practitioner?: PractitionerIdentity | undefined;
  organization?: OrganizationIdentity | undefined;
  relatedPerson?: { familyName: string; givenName?: string | undefined } | undefined;
}

/**
 * The element id of a team member: the client's own `id` when given, otherwise a key
 * derived from its role and identity, e.g. `medecin-traitant~rpps:10003456786`.
 * Derived keys always contain `~`, which client ids cannot, so the two never collide and the
 * reverse mapping can tell them apart (`~` has no meaning in URLs nor in FHIR token search,
 * unlike `|`, `,` or `$`). A close person is keyed on a hash of its names, so
 * no name appears in identifiers.
 */
export function memberElementId(m: MemberIdentity): string {
  if (m.id !== undefined) return m.id;
  const parts = [m.role];
  if (m.practitioner) parts.push(practitionerTokens(m.practitioner)[0] ?? 'practitioner');
  if (m.organization) parts.push(organizationTokens(m.organization)[0] ?? 'organization');
  if (m.relatedPerson) {
    parts.push(`person:${shortHash(`${m.relatedPerson.familyName.toUpperCase()}\u0000${(m.relatedPerson.givenName ?? '').toUpperCase()}`)}`);
  }
  return parts.join('~');
}

/** True when an element id was derived by {@link memberElementId} rather than given. */
export function isDerivedElementId(id: string): boolean {
  return id.includes('~');
}
