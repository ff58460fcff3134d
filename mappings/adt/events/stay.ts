/**
 * The parts every stay event (A01, A03, A04, A08, A11, A13) writes, so each event root only
 * says what is particular to it: the sending facility, the Patient (with the identity
 * decision applied), the Encounter with the status the root chooses, and the reconciliation
 * Task when the identity is ambiguous.
 */
import type { BundleEntry, Encounter } from '@medplum/fhirtypes';
import type { AdtEvent } from '../../hl7/adt-types.js';
import { conditionalUpdate, fullUrlFor, identifierQuery, ref, type AdtState } from '../context.js';
import { encounterEntry, type MappedEncounter, type StaySpec } from '../resources/encounter.js';
import { facilityEntry } from '../resources/organization.js';
import { patientResource, preservePatientState } from '../resources/patient.js';
import { reconciliationTask, taskEntry } from '../resources/task.js';
import type { AdtMappingOptions, StayEffect, WrittenRef } from './types.js';

/** The Patient part of a transaction. */
export interface PatientPart {
  entries: BundleEntry[];
  /** Undefined when the message has no usable key (no IPP, no qualified INS). */
  written: WrittenRef | undefined;
}

/**
 * The Patient entry (and, for an ambiguous identity, the reconciliation Task):
 * - no decision, or `create*` → conditional update keyed on the IPP (else the qualified INS);
 * - `use*` → conditional update on `_id` of the chosen Patient (still conditional: a replay
 *   updates the same Patient, never creates);
 * - `*-and-reconcile` with `withholdIns` → the qualified INS is left out of the Patient and
 *   handed to the reconciliation Task.
 */
export function patientPart(event: AdtEvent, state: AdtState, options: AdtMappingOptions, requesterUrl: string | undefined): PatientPart {
  const { ctx, issues } = state;
  if (event.patient === undefined) {
    issues.push('PID: segment missing; no Patient written');
    return { entries: [], written: undefined };
  }
  const match = options.match;
  const withholdIns = match !== undefined && 'withholdIns' in match && match.withholdIns;
  const mapped = patientResource(event.patient, event.generalPractitioners, state, { withholdIns });
  const key = mapped.key;
  if (key === undefined) {
    issues.push('PID-3: no usable patient identifier (no IPP, no qualified INS); no Patient written');
    return { entries: [], written: undefined };
  }
  const resource = options.currentPatient !== undefined ? preservePatientState(mapped.resource, options.currentPatient) : mapped.resource;
  const fullUrl = fullUrlFor(ctx.clientId, 'Patient', `${key.system ?? ''}|${key.value ?? ''}`);
  const targetId = match?.action === 'use' || match?.action === 'use-and-reconcile' ? match.patientId : undefined;
  if (targetId !== undefined && resource.id !== undefined && resource.id !== targetId) {
    issues.push('currentPatient is not the Patient the identity decision chose; its id is not used');
  }
  const target = targetId !== undefined ? { ...resource, id: targetId } : resource;
  const query = targetId !== undefined ? `_id=${encodeURIComponent(targetId)}` : identifierQuery(key);
  const entries: BundleEntry[] = [conditionalUpdate(target, fullUrl, query)];
  if (match?.action === 'use-and-reconcile' || match?.action === 'create-and-reconcile') {
    const task = reconciliationTask({
      clientId: ctx.clientId,
      tenant: ctx.tenant,
      patientRef: ref(fullUrl),
      reason: match.reason,
      candidates: match.candidates,
      key,
      withheldIns: mapped.withheldIns,
      ...(requesterUrl !== undefined ? { requesterRef: ref(requesterUrl) } : {}),
      now: ctx.now,
    });
    entries.push(taskEntry(task, ctx.clientId));
    issues.push(`identity: ${match.reason}; written without merge, reconciliation Task raised`);
  }
  return { entries, written: { fullUrl, identifier: key } };
}

/** Facility, Patient and Encounter of a stay event. */
export interface StayParts {
  entries: BundleEntry[];
  patient: WrittenRef | undefined;
  encounter: MappedEncounter | undefined;
}

/** Writes the facility, the Patient and the stay with `spec` (status chosen by the root). */
export function stayParts(event: AdtEvent, state: AdtState, options: AdtMappingOptions, spec: StaySpec): StayParts {
  const facility = facilityEntry(state);
  const patient = patientPart(event, state, options, facility.fullUrl);
  // A stay with no identifiable person would be an orphan no one can find or coordinate.
  if (patient.written === undefined) {
    state.issues.push('Encounter: not written without an identifiable Patient');
    return { entries: [], patient: undefined, encounter: undefined };
  }
  const encounter = encounterEntry(event, state, spec, patient.written.fullUrl, facility.fullUrl);
  const [patientEntry, ...tasks] = patient.entries;
  const entries = [facility.entry, ...(patientEntry !== undefined ? [patientEntry] : []), ...(encounter !== undefined ? [encounter.entry] : []), ...tasks];
  return { entries, patient: patient.written, encounter };
}

/** The stay effect, when both the Patient and the Encounter were written. */
export function stayEffect(parts: StayParts): StayEffect | undefined {
  if (parts.patient === undefined || parts.encounter === undefined) return undefined;
  return { patient: parts.patient, encounter: { fullUrl: parts.encounter.fullUrl, identifier: parts.encounter.identifier }, visitKey: parts.encounter.visitKey };
}

/** Period end of a written stay, for the `discharged` effect. */
export function dischargeTime(encounter: Encounter | undefined): string | undefined {
  return encounter?.period?.end;
}
