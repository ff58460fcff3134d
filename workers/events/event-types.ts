/**
 * The closed list of outbound events (SPEC §6). A subscription names some of them; a publisher
 * emits exactly one of them per change. Adding a type is a contract change: SPEC first.
 */
export const EVENT_TYPES = [
  /** A01 / A04, or a FHIR `notification-admit`: the person is in hospital. */
  'patient.admitted',
  /** A03, or a FHIR `notification-discharge`: the person left hospital. */
  'patient.discharged',
  /** A client's case write changed the shared plan (activities, goals, problems, status). */
  'careplan.updated',
  /** The care team changed (members, roles, status). */
  'careteam.updated',
  /** The support request (*demande d'appui*) changed. */
  'supportrequest.updated',
  /** A Task was raised, e.g. *sortie d'hospitalisation* or a reconciliation task. */
  'task.created',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Narrows an untrusted string to a known event type. */
export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}
