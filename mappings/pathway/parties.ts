/**
 * Who a reference designates, as the pathway shows it: a name to read, and the national
 * identifiers (RPPS, FINESS, SIRET) that tell two homonyms apart. A party whose names were
 * never given reads by its identifier ("RPPS 10202020201") rather than not at all.
 */
import type { HumanName, Organization, Practitioner, Reference } from '@medplum/fhirtypes';
import { FR_SYSTEM } from '../../profiles/canonical.js';
import { compact, identifierValue } from '../case/from-fhir/common.js';
import { resolveParty } from '../case/from-fhir/parties.js';
import type { Resolver } from '../case/from-fhir/resolver.js';
import type { PartyView } from './view.js';

/** "Luc BERNARD": given names then the family name, as French forms print them. */
export function personName(name: HumanName | undefined): string | undefined {
  if (!name) return undefined;
  const text = [...(name.given ?? []), name.family ?? ''].join(' ').trim();
  return text.length > 0 ? text : name.text;
}

function practitionerPart(p: Practitioner): NonNullable<PartyView['practitioner']> {
  return compact({ name: personName(p.name?.[0]), rpps: identifierValue(p.identifier, FR_SYSTEM.rpps) });
}

function organizationPart(o: Organization): NonNullable<PartyView['organization']> {
  return compact({
    name: o.name,
    finess: identifierValue(o.identifier, FR_SYSTEM.finess),
    siret: identifierValue(o.identifier, FR_SYSTEM.siret),
  });
}

/** How a practitioner reads when it has no name: by RPPS, else generically. */
export function practitionerDisplay(p: PartyView['practitioner']): string {
  return p?.name ?? (p?.rpps !== undefined ? `RPPS ${p.rpps}` : 'Professionnel sans nom');
}

/** How an organization reads when it has no name: by FINESS, SIRET, else generically. */
export function organizationDisplay(o: PartyView['organization']): string {
  if (o?.name !== undefined) return o.name;
  if (o?.finess !== undefined) return `FINESS ${o.finess}`;
  if (o?.siret !== undefined) return `SIRET ${o.siret}`;
  return 'Structure sans nom';
}

/**
 * The party a reference designates (Practitioner, Organization or PractitionerRole), or
 * undefined — with an issue — when the reference leads nowhere we can read. A reference that
 * carries only a display or an identifier still reads by them.
 */
export function partyView(reference: Reference | undefined, resolver: Resolver, issues: string[], where: string): PartyView | undefined {
  if (!reference) return undefined;
  const ref = reference.reference;
  const party = resolveParty(reference, resolver);
  if (party && (party.practitioner || party.organization)) {
    const practitioner = party.practitioner ? practitionerPart(party.practitioner) : undefined;
    const organization = party.organization ? organizationPart(party.organization) : undefined;
    const display = practitioner && organization
      ? `${practitionerDisplay(practitioner)} (${organizationDisplay(organization)})`
      : practitioner ? practitionerDisplay(practitioner) : organizationDisplay(organization);
    return compact({ reference: ref ?? '', display, practitioner, organization });
  }
  const fallback = reference.display ?? reference.identifier?.value;
  if (fallback !== undefined) return { reference: ref ?? '', display: fallback };
  issues.push(`${where}: référence introuvable (${ref ?? 'aucune référence'})`);
  return undefined;
}
