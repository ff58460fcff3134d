/**
 * A40 merge (SPEC §3), pure: the Patient of MRG-1 (prior) becomes inactive with a
 * `replaced-by` link to the survivor, which gets a `replaces` link; then the person's stays and
 * tasks are re-pointed to the survivor ({@link repointSubject}, fields in {@link PATIENT_REFERENCE_FIELDS}).
 * Nothing is deleted: the prior Patient and its history stay readable.
 */
import { badRequest, OperationOutcomeError } from '@medplum/core';
import type { Patient, PatientLink, Reference, Resource } from '@medplum/fhirtypes';

/** Both Patients of a merge, updated. */
export interface MergedPatients {
  prior: Patient;
  survivor: Patient;
}

function patientRef(p: Patient, role: string): Reference<Patient> {
  if (p.id === undefined || p.id === '') throw new OperationOutcomeError(badRequest(`${role} Patient has no id: merge stored Patients only`));
  return { reference: `Patient/${p.id}` };
}

function withLink(links: readonly PatientLink[] | undefined, link: PatientLink): PatientLink[] {
  const others = (links ?? []).filter((l) => !(l.type === link.type && l.other.reference === link.other.reference));
  return [...others, link];
}

/**
 * The merge updates: prior `active: false` + `link replaced-by survivor`; survivor
 * `link replaces prior`. Idempotent (a replayed A40 adds no second link).
 * @throws OperationOutcomeError (400) when a Patient has no id or both are the same Patient
 * @example const { prior, survivor } = mergeUpdates(priorPatient, survivorPatient) // write both with If-Match
 */
export function mergeUpdates(prior: Patient, survivor: Patient): MergedPatients {
  const priorRef = patientRef(prior, 'prior');
  const survivorRef = patientRef(survivor, 'survivor');
  if (priorRef.reference === survivorRef.reference) throw new OperationOutcomeError(badRequest('A40: prior and survivor are the same Patient'));
  return {
    prior: { ...prior, active: false, link: withLink(prior.link, { other: survivorRef, type: 'replaced-by' }) },
    survivor: { ...survivor, link: withLink(survivor.link, { other: priorRef, type: 'replaces' }) },
  };
}

/**
 * Where each resource type points at its Patient. The A40 worker re-points these: the stays
 * (Encounter.subject) and the tasks (Task.for, and Task.focus when it is the Patient, as for a
 * reconciliation Task), plus the plan-side resources that name the person.
 */
export const PATIENT_REFERENCE_FIELDS = {
  Encounter: ['subject'],
  Task: ['for', 'focus'],
  CarePlan: ['subject'],
  CareTeam: ['subject'],
  ServiceRequest: ['subject'],
  Goal: ['subject'],
  Condition: ['subject'],
  EpisodeOfCare: ['patient'],
} as const satisfies Record<string, readonly string[]>;

/**
 * `resource` with every Patient reference of {@link PATIENT_REFERENCE_FIELDS} equal to `from`
 * replaced by `to` (a copy; the same object when nothing points at `from`).
 * @example repointSubject(encounter, 'Patient/prior', 'Patient/survivor')
 */
export function repointSubject<T extends Resource>(resource: T, from: string, to: string): T {
  const fields: readonly string[] = (PATIENT_REFERENCE_FIELDS as Record<string, readonly string[]>)[resource.resourceType] ?? [];
  let changed = false;
  const copy: Record<string, unknown> = { ...resource };
  for (const field of fields) {
    const value = copy[field] as Reference | undefined;
    if (value?.reference === from) {
      copy[field] = { ...value, reference: to };
      changed = true;
    }
  }
  return changed ? (copy as T) : resource;
}
