/**
 * The fullUrl of every resource a case produces, computed from business keys only, so
 * mappers can reference one another without sharing state and the output is deterministic.
 */
import type { CaseDocument } from '../schema.js';
import { caseScopedValue, fullUrlFor, type CaseMappingContext } from './context.js';

/** fullUrls of the case-owned resources. */
export interface CaseUrls {
  patient: string;
  careTeam: string;
  carePlan: string;
  serviceRequest: string;
  condition(problemId: string): string;
  goal(goalId: string): string;
  relatedPerson(memberElementId: string): string;
}

/** Computes the fullUrls of the resources of `doc` for the client and case of `ctx`. */
export function caseUrls(doc: CaseDocument, ctx: CaseMappingContext): CaseUrls {
  return {
    patient: fullUrlFor(ctx, 'Patient', doc.patient.id),
    careTeam: fullUrlFor(ctx, 'CareTeam', ctx.caseId),
    carePlan: fullUrlFor(ctx, 'CarePlan', ctx.caseId),
    serviceRequest: fullUrlFor(ctx, 'ServiceRequest', ctx.caseId),
    condition: (id) => fullUrlFor(ctx, 'Condition', caseScopedValue(ctx, id)),
    goal: (id) => fullUrlFor(ctx, 'Goal', caseScopedValue(ctx, id)),
    relatedPerson: (id) => fullUrlFor(ctx, 'RelatedPerson', caseScopedValue(ctx, id)),
  };
}
