/**
 * ADT^A13 — cancel discharge (IHE PAM France: *annulation de la sortie*), also any ZBE-4
 * `CANCEL` of an A03 movement. Writes the stay back `in-progress`, without period.end,
 * discharge disposition or destination (the replaced Encounter drops them). Effect:
 * `discharge-cancelled` — the worker cancels the stay's discharge Task and the plan's
 * reassessment activity (`cancelDischarge`, SPEC §3).
 */
import type { AdtEvent } from '../../hl7/adt-types.js';
import type { AdtState } from '../context.js';
import { stayEffect, stayParts } from './stay.js';
import type { AdtMappingOptions, EventMapping } from './types.js';

/** Maps an A13 (or the cancel of a discharge movement). */
export function mapA13(event: AdtEvent, state: AdtState, options: AdtMappingOptions): EventMapping {
  const parts = stayParts(event, state, options, { status: 'in-progress' });
  const stay = stayEffect(parts);
  return { entries: parts.entries, effects: stay !== undefined ? { kind: 'discharge-cancelled', ...stay } : { kind: 'none' } };
}
