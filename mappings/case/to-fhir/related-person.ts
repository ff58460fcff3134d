/**
 * RelatedPerson — a close person of the team (aidant, personne de confiance…). Owned by the
 * case (the client's view of who helps this person): conditional update keyed on
 * `<caseId>/<member element id>` in the client's namespace.
 * relationship carries the ANS role class (e.g. CAREGIVER) and the family link (ours + HL7 v3).
 */
import type { BundleEntry, CodeableConcept, RelatedPerson } from '@medplum/fhirtypes';
import { RELATIONSHIPS, TEAM_ROLES, ourCoding } from '../code-lists.js';
import { memberElementId } from '../keys.js';
import type { CaseTeamMember } from '../schema.js';
import { caseScopedValue, conditionalUpdate, ref, resourceMeta, sourceIdentifier, type MappingState } from './context.js';
import type { CaseUrls } from './urls.js';

/** The entry of the RelatedPerson of a close-person team member, or undefined for a professional. */
export function relatedPersonEntry(member: CaseTeamMember, state: MappingState, urls: CaseUrls): BundleEntry | undefined {
  const person = member.relatedPerson;
  if (!person) return undefined;
  const elementId = memberElementId(member);
  const relationship: CodeableConcept[] = [{ coding: [{ ...TEAM_ROLES[member.role].ans }] }];
  if (person.relationship !== undefined) {
    relationship.push({ coding: [ourCoding('relationship', person.relationship), { ...RELATIONSHIPS[person.relationship].v3 }] });
  }
  const key = sourceIdentifier(state.ctx, 'related-person', caseScopedValue(state.ctx, elementId));
  const resource: RelatedPerson = {
    resourceType: 'RelatedPerson',
    meta: resourceMeta(state.ctx),
    identifier: [key],
    patient: ref(urls.patient),
    relationship,
    name: [{ family: person.familyName, ...(person.givenName !== undefined ? { given: [person.givenName] } : {}) }],
    ...(person.phone !== undefined ? { telecom: [{ system: 'phone', value: person.phone }] } : {}),
  };
  return conditionalUpdate(resource, urls.relatedPerson(elementId), key);
}
