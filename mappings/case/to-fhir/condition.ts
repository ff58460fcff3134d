/**
 * Condition — a problem of the plan (SPEC §2 plan.problems), on the problem list, with our
 * problem domain as a second category. Owned by the case: conditional update keyed on
 * `<caseId>/<problem id>` (problem ids repeat across cases).
 */
import type { BundleEntry, Condition } from '@medplum/fhirtypes';
import { HL7_SYSTEM } from '../../../profiles/canonical.js';
import { ourCoding } from '../code-lists.js';
import type { CaseProblem } from '../schema.js';
import { caseScopedValue, conditionalUpdate, originExtension, ref, resourceMeta, sourceIdentifier, type MappingState } from './context.js';
import type { CaseUrls } from './urls.js';

/** The Condition entry of one problem. */
export function conditionEntry(problem: CaseProblem, state: MappingState, urls: CaseUrls): BundleEntry {
  const key = sourceIdentifier(state.ctx, 'condition', caseScopedValue(state.ctx, problem.id));
  const resource: Condition = {
    resourceType: 'Condition',
    meta: resourceMeta(state.ctx),
    extension: [originExtension(state.ctx, problem.id)],
    identifier: [key],
    clinicalStatus: { coding: [{ system: HL7_SYSTEM.conditionClinical, code: 'active', display: 'Active' }] },
    category: [
      { coding: [{ system: HL7_SYSTEM.conditionCategory, code: 'problem-list-item', display: 'Problem List Item' }] },
      { coding: [ourCoding('problemDomain', problem.domain)] },
    ],
    code: { text: problem.label },
    subject: ref(urls.patient),
  };
  return conditionalUpdate(resource, urls.condition(problem.id), key);
}
