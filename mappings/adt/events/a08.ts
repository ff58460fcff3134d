/**
 * ADT^A08 — update patient information. Writes the Patient and, when PV1 identifies a stay,
 * the stay with the status PV1 gives (v2-to-FHIR: `finished` when PV1-45 is valued, `planned`
 * for class P, else `in-progress`). No coordination effect: an update neither admits nor
 * discharges anyone.
 */
import type { AdtEvent } from '../../hl7/adt-types.js';
import type { AdtState } from '../context.js';
import { statusFromPv1 } from '../resources/encounter.js';
import { facilityEntry } from '../resources/organization.js';
import { patientPart, stayParts } from './stay.js';
import type { AdtMappingOptions, EventMapping } from './types.js';

/** Maps an A08. */
export function mapA08(event: AdtEvent, state: AdtState, options: AdtMappingOptions): EventMapping {
  if (event.visit?.visitNumber === undefined) {
    // A patient-only update is normal for an A08: say so once, without the stay's own issues.
    state.issues.push(event.visit === undefined ? 'PV1: absent; Patient updated only' : 'PV1-19: no visit number; Patient updated only');
    return patientOnly(event, state, options);
  }
  const parts = stayParts(event, state, options, { status: statusFromPv1(event.visit) });
  return { entries: parts.entries, effects: { kind: 'none' } };
}

/** The facility and the Patient only (an A08 without a stay, or a cancel we cannot apply). */
export function patientOnly(event: AdtEvent, state: AdtState, options: AdtMappingOptions): EventMapping {
  const facility = facilityEntry(state);
  const patient = patientPart(event, state, options, facility.fullUrl);
  return { entries: patient.entries.length > 0 ? [facility.entry, ...patient.entries] : [], effects: { kind: 'none' } };
}
