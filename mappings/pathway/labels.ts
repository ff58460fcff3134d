/**
 * French displays of the FHIR codes the pathway shows and that no code list of the case
 * document covers (stay, task and goal statuses), and the readers that turn a code into
 * `{ code, display }`. Codes of the case document take their display from
 * `mappings/case/code-lists.ts`; nothing here repeats them.
 */
import type { Coding } from '@medplum/fhirtypes';
import { PLAN_STATUSES, type PlanStatus } from '../case/code-lists.js';
import type { Coded } from './view.js';

/** Encounter.status (R4) in French. */
export const ENCOUNTER_STATUS_DISPLAY = {
  planned: 'Prévu',
  arrived: 'Arrivé',
  triaged: 'Orienté',
  'in-progress': 'En cours',
  onleave: 'Permission de sortie',
  finished: 'Terminé',
  cancelled: 'Annulé',
  'entered-in-error': 'Saisi par erreur',
  unknown: 'Inconnu',
} as const satisfies Record<string, string>;

/** Task.status (R4) in French. */
export const TASK_STATUS_DISPLAY = {
  draft: 'Brouillon',
  requested: 'Demandée',
  received: 'Reçue',
  accepted: 'Acceptée',
  rejected: 'Refusée',
  ready: 'Prête',
  cancelled: 'Annulée',
  'in-progress': 'En cours',
  'on-hold': 'Suspendue',
  failed: 'Échouée',
  completed: 'Terminée',
  'entered-in-error': 'Saisie par erreur',
} as const satisfies Record<string, string>;

/**
 * Task statuses that mean "still to be done". The brief names requested, accepted,
 * in-progress and on-hold; received and ready are as open in FHIR's Task state machine, so a
 * Task there must not vanish from the coordinator's list.
 */
export const OPEN_TASK_STATUSES: ReadonlySet<string> = new Set(['requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold']);

/** Goal.lifecycleStatus (R4) in French. */
export const GOAL_STATUS_DISPLAY = {
  proposed: 'Proposé',
  planned: 'Planifié',
  accepted: 'Accepté',
  active: 'En cours',
  'on-hold': 'Suspendu',
  completed: 'Atteint',
  cancelled: 'Annulé',
  'entered-in-error': 'Saisi par erreur',
  rejected: 'Rejeté',
} as const satisfies Record<string, string>;

/** Request priority (R4) in French, same displays as the case document's priority list. */
export const REQUEST_PRIORITY_DISPLAY = {
  routine: 'Normale',
  urgent: 'Urgente',
  asap: 'Dès que possible',
  stat: 'Immédiate',
} as const satisfies Record<string, string>;

/** CarePlan.status → the plan status of the case document (on-hold → suspended, revoked → cancelled). */
export const PLAN_STATUS_FROM_FHIR: Readonly<Record<string, PlanStatus>> = Object.fromEntries(
  Object.entries(PLAN_STATUSES).map(([code, v]) => [v.fhir, code as PlanStatus]),
);

/** Display when a code is outside every table we know: the code itself, said to be unknown. */
const UNKNOWN_DISPLAY = (code: string) => `${code} (code inconnu)`;

/** `{ code, display }` of a code from a display table; an unknown code keeps its value. */
export function codedFrom(table: Readonly<Record<string, string>>, code: string): Coded {
  return { code, display: Object.prototype.hasOwnProperty.call(table, code) ? table[code]! : UNKNOWN_DISPLAY(code) };
}

/** `{ code, display }` of a code of a case code list (`{ code: { display } }` tables). */
export function codedFromList(table: Readonly<Record<string, { display: string }>>, code: string): Coded {
  return { code, display: Object.prototype.hasOwnProperty.call(table, code) ? table[code]!.display : UNKNOWN_DISPLAY(code) };
}

/** `{ code, display }` of a Coding as sent (its own display, else its code). */
export function codedFromCoding(coding: Coding | undefined): Coded | undefined {
  if (coding?.code === undefined) return undefined;
  return { code: coding.code, display: coding.display ?? coding.code };
}
