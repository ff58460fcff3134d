/** CareTeam → `team` of a case document: the members this client contributed. */
import type { CareTeam } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../../profiles/canonical.js';
import { RELATIONSHIPS, TEAM_ROLES } from '../code-lists.js';
import { isDerivedElementId } from '../keys.js';
import type { CaseTeamMember } from '../schema.js';
import { codeOf, compact, isCode, readOrigin } from './common.js';
import { organizationDetails, practitionerDetails, resolveParty } from './parties.js';
import type { Resolver } from './resolver.js';

/** Reads the members of `careTeam` written by `clientId`; others are counted in `issues`. */
export function teamFromFhir(careTeam: CareTeam, resolver: Resolver, clientId: string, issues: string[]): { members: CaseTeamMember[] } {
  const members: CaseTeamMember[] = [];
  let foreign = 0;
  (careTeam.participant ?? []).forEach((p, i) => {
    const origin = readOrigin(p.extension);
    if (origin && origin.client !== clientId) {
      foreign++;
      return;
    }
    const role = codeOf(p.role, CODE_SYSTEM.teamRole);
    if (!isCode(TEAM_ROLES, role)) {
      issues.push(`CareTeam.participant[${i}]: rôle sans code ${CODE_SYSTEM.teamRole} ; membre ignoré`);
      return;
    }
    const member: CaseTeamMember = compact({
      id: origin && !isDerivedElementId(origin.id) ? origin.id : undefined,
      role,
      period: p.period ? compact({ start: p.period.start, end: p.period.end }) : undefined,
    });
    const person = resolver.resolve(p.member, 'RelatedPerson');
    if (person) {
      const name = person.name?.[0];
      const relationship = codeOf(person.relationship, CODE_SYSTEM.relationship);
      member.relatedPerson = compact({
        familyName: name?.family ?? '',
        givenName: name?.given?.[0],
        relationship: isCode(RELATIONSHIPS, relationship) ? relationship : undefined,
        phone: person.telecom?.find((t) => t.system === 'phone')?.value,
      });
    } else {
      const party = resolveParty(p.member, resolver);
      if (party?.practitioner) member.practitioner = practitionerDetails(party.practitioner, clientId);
      if (party?.organization) member.organization = organizationDetails(party.organization, clientId);
      if (!party) issues.push(`CareTeam.participant[${i}]: membre introuvable (${p.member?.reference ?? 'aucune référence'})`);
    }
    members.push(member);
  });
  if (foreign > 0) issues.push(`CareTeam: ${foreign} membre(s) d'autres contributeurs non repris`);
  return { members };
}
