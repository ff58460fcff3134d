/**
 * ADT^A01 — admit / visit notification (IHE PAM France: *admission d'un patient hospitalisé*).
 * Writes the facility, the Patient and the stay `in-progress` (period.start = PV1-44, else the
 * movement / event time). Effect: `admitted` (SPEC §3: `patient.admitted`).
 */
import type { AdtEvent } from '../../hl7/adt-types.js';
import type { AdtState } from '../context.js';
import { stayEffect, stayParts } from './stay.js';
import type { AdtMappingOptions, EventMapping } from './types.js';

/** Maps an A01. */
export function mapA01(event: AdtEvent, state: AdtState, options: AdtMappingOptions): EventMapping {
  const parts = stayParts(event, state, options, { status: 'in-progress', admission: true });
  const stay = stayEffect(parts);
  return { entries: parts.entries, effects: stay !== undefined ? { kind: 'admitted', ...stay } : { kind: 'none' } };
}
