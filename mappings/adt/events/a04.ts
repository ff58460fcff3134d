/**
 * ADT^A04 — register a patient (IHE PAM France: *admission d'un patient externe*, consultation
 * or day care). Same writes as A01: the stay `in-progress`, class from PV1-2 (usually O → AMB).
 * Effect: `admitted` (SPEC §3: A01/A04 produce `patient.admitted`).
 */
import type { AdtEvent } from '../../hl7/adt-types.js';
import type { AdtState } from '../context.js';
import { stayEffect, stayParts } from './stay.js';
import type { AdtMappingOptions, EventMapping } from './types.js';

/** Maps an A04. */
export function mapA04(event: AdtEvent, state: AdtState, options: AdtMappingOptions): EventMapping {
  const parts = stayParts(event, state, options, { status: 'in-progress', admission: true });
  const stay = stayEffect(parts);
  return { entries: parts.entries, effects: stay !== undefined ? { kind: 'admitted', ...stay } : { kind: 'none' } };
}
