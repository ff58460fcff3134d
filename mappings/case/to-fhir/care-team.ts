/**
 * CareTeam — the cercle de soins of the case. Owned by the case: conditional update keyed on
 * the case id. Each participant carries our role code, the ANS Cercle de soins code
 * (TRE_R259 / TRE_R260) and, where one exists, the ANS TRE_R85 function; its origin
 * extension names the client and the member's element id (SPEC §5).
 * managingOrganization is the coordinator's organization (the plan's coordinating
 * organization of SPEC §3).
 */
import type { BundleEntry, CareTeam, CareTeamParticipant, Coding } from '@medplum/fhirtypes';
import { HL7_SYSTEM, PROFILE } from '../../../profiles/canonical.js';
import { TEAM_ROLES, ourCoding } from '../code-lists.js';
import { memberElementId } from '../keys.js';
import type { CaseDocument } from '../schema.js';
import { conditionalUpdate, originExtension, ref, resourceMeta, sourceIdentifier, type MappingState } from './context.js';
import { partyUrl, type PartyIndex } from './parties.js';
import type { CaseUrls } from './urls.js';

/** LOINC care team category: the team around a person's pathway, not one stay. */
const LONGITUDINAL_CARE_TEAM: Coding = { system: HL7_SYSTEM.loinc, code: 'LA28865-6', display: 'Longitudinal care-coordination focused care team' };

/** The CareTeam entry of the case, or undefined when the case has no team. */
export function careTeamEntry(doc: CaseDocument, state: MappingState, urls: CaseUrls, parties: PartyIndex): BundleEntry | undefined {
  if (!doc.team) return undefined;
  const participant: CareTeamParticipant[] = doc.team.members.map((m) => {
    const role = TEAM_ROLES[m.role];
    const member = m.relatedPerson ? urls.relatedPerson(memberElementId(m)) : partyUrl(parties, m.practitioner, m.organization);
    return {
      extension: [originExtension(state.ctx, memberElementId(m))],
      role: [{ coding: [ourCoding('teamRole', m.role), { ...role.ans }, ...('ansFunction' in role ? [{ ...role.ansFunction }] : [])] }],
      ...(member !== undefined ? { member: ref(member) } : {}),
      ...(m.period ? { period: { ...m.period } } : {}),
    };
  });

  const coordinator = doc.team.members.find((m) => m.role === 'coordinateur' && m.organization);
  if (!coordinator?.organization && doc.team.members.length > 0) {
    state.issues.push("team: aucun coordinateur rattaché à une structure ; CareTeam.managingOrganization reste vide");
  }
  const key = sourceIdentifier(state.ctx, 'case', state.ctx.caseId);
  const resource: CareTeam = {
    resourceType: 'CareTeam',
    meta: resourceMeta(state.ctx, PROFILE.careTeam),
    identifier: [key],
    status: state.mode === 'revoke' ? 'inactive' : 'active',
    category: [{ coding: [LONGITUDINAL_CARE_TEAM] }],
    subject: ref(urls.patient),
    ...(participant.length > 0 ? { participant } : {}),
    ...(coordinator?.organization ? { managingOrganization: [ref(parties.organization(coordinator.organization).fullUrl)] } : {}),
  };
  return conditionalUpdate(resource, urls.careTeam, key);
}
