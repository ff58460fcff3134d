/**
 * ADT^A03 — discharge / end visit (IHE PAM France: *sortie définitive*). Writes the Patient
 * and the stay `finished` with period.end (PV1-45, else ZBE-2 / EVN), discharge disposition
 * (PV1-36, else the ZFM-2 exit mode) and destination (PV1-37, FINESS identifier when it is one).
 * Effect: `discharged` — the worker then raises the *sortie d'hospitalisation* Task and the
 * plan's reassessment activity where the person has a plan or team (SPEC §3).
 */
import type { AdtEvent } from '../../hl7/adt-types.js';
import type { AdtState } from '../context.js';
import { dischargeTime, stayEffect, stayParts } from './stay.js';
import type { AdtMappingOptions, EventMapping } from './types.js';

/** Maps an A03. */
export function mapA03(event: AdtEvent, state: AdtState, options: AdtMappingOptions): EventMapping {
  const parts = stayParts(event, state, options, { status: 'finished' });
  const stay = stayEffect(parts);
  const end = dischargeTime(parts.encounter?.resource);
  return {
    entries: parts.entries,
    effects: stay !== undefined ? { kind: 'discharged', ...stay, ...(end !== undefined ? { dischargeDateTime: end } : {}) } : { kind: 'none' },
  };
}
