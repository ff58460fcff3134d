/**
 * ADT^A11 — cancel admit / visit (IHE PAM France: *annulation de l'admission*), also any
 * ZBE-4 `CANCEL` of an A01/A04 movement. Writes the stay `cancelled`.
 *
 * Why `cancelled` and not `entered-in-error`: FHIR R4 defines `cancelled` as "the Encounter has
 * ended before it has begun" and `entered-in-error` as "this instance should not have been part
 * of this patient's medical record". HL7 v2 sends A11 both when the admission was entered by
 * mistake and when the patient was finally not admitted; the message does not say which.
 * `cancelled` is true in both cases, keeps the stay visible to the coordinators who may have
 * seen it (and the `patient.admitted` event they received), and does not assert a data error
 * nobody reported. No coordination effect.
 */
import type { AdtEvent } from '../../hl7/adt-types.js';
import type { AdtState } from '../context.js';
import { stayParts } from './stay.js';
import type { AdtMappingOptions, EventMapping } from './types.js';

/** Maps an A11 (or the cancel of an admission movement). */
export function mapA11(event: AdtEvent, state: AdtState, options: AdtMappingOptions): EventMapping {
  const parts = stayParts(event, state, options, { status: 'cancelled' });
  return { entries: parts.entries, effects: { kind: 'none' } };
}
