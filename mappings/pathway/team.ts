/**
 * CareTeams → the cercle de soins: every participant of every live team of the person, each
 * with its role (French display), who it is, and who added it.
 */
import type { CareTeam, CareTeamParticipant, CodeableConcept } from '@medplum/fhirtypes';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import { RELATIONSHIPS, TEAM_ROLES } from '../case/code-lists.js';
import { codeOf, compact, isCode } from '../case/from-fhir/common.js';
import type { Resolver } from '../case/from-fhir/resolver.js';
import { codedFromList } from './labels.js';
import { originOf, type ClientNameLookup } from './origin.js';
import { organizationDisplay, partyView, personName, practitionerDisplay } from './parties.js';
import type { Coded, TeamMemberView } from './view.js';

/** Team statuses whose members still take part (inactive and entered-in-error teams do not). */
export const LIVE_TEAM_STATUSES: ReadonlySet<string> = new Set(['proposed', 'active', 'suspended']);

/** Display order of roles: the order of the code list (médecin traitant first), unknown roles last. */
const ROLE_ORDER = new Map(Object.keys(TEAM_ROLES).map((code, i) => [code, i]));

function roleOf(concepts: CodeableConcept[] | undefined): Coded {
  const code = codeOf(concepts, CODE_SYSTEM.teamRole);
  if (code !== undefined) return codedFromList(TEAM_ROLES, code);
  // A role coded only in another system (e.g. TRE_R259 PCP written by a FHIR tool) keeps its display.
  const coding = concepts?.[0]?.coding?.[0];
  const text = concepts?.[0]?.text;
  return { code: coding?.code ?? 'unknown', display: coding?.display ?? text ?? coding?.code ?? 'Rôle non précisé' };
}

function memberView(
  participant: CareTeamParticipant, team: CareTeam, index: number,
  resolver: Resolver, clientName: ClientNameLookup | undefined, issues: string[],
): TeamMemberView {
  const role = roleOf(participant.role);
  const origin = originOf(participant.extension, team, clientName);
  const period = participant.period ? compact({ start: participant.period.start, end: participant.period.end }) : undefined;
  const person = resolver.resolve(participant.member, 'RelatedPerson');
  if (person) {
    const relationship = codeOf(person.relationship, CODE_SYSTEM.relationship);
    return compact({
      role,
      kind: 'person' as const,
      name: personName(person.name?.[0]),
      relationship: isCode(RELATIONSHIPS, relationship) ? codedFromList(RELATIONSHIPS, relationship) : undefined,
      period,
      origin,
    });
  }
  const member = partyView(participant.member, resolver, issues, `CareTeam/${team.id ?? '?'}.participant[${index}]`);
  const roleDef = isCode(TEAM_ROLES, role.code) ? TEAM_ROLES[role.code] : undefined;
  return compact({
    role,
    kind: roleDef?.party ?? 'professional',
    name: member?.practitioner ? practitionerDisplay(member.practitioner) : member && !member.organization ? member.display : undefined,
    organization: member?.organization ? organizationDisplay(member.organization) : undefined,
    member,
    period,
    origin,
  });
}

/** Every participant of the live teams, médecin traitant first (code-list order), then in team order. */
export function teamView(teams: CareTeam[], resolver: Resolver, clientName: ClientNameLookup | undefined, issues: string[]): TeamMemberView[] {
  const members = teams
    .filter((t) => t.status === undefined || LIVE_TEAM_STATUSES.has(t.status))
    .flatMap((team) => (team.participant ?? []).map((p, i) => memberView(p, team, i, resolver, clientName, issues)));
  const rank = (m: TeamMemberView) => ROLE_ORDER.get(m.role.code) ?? ROLE_ORDER.size;
  // Array.prototype.sort is stable: members of equal rank keep their team order.
  return members.sort((a, b) => rank(a) - rank(b));
}
