/**
 * Domain events the `hl7-inbound` worker announces once a message is written (SPEC §3, §6), for
 * the webhook piece to deliver. Carries references and ids only, never personal data.
 */

/** SPEC §6 event names this worker emits. */
export type Hl7DomainEventType = 'patient.admitted' | 'patient.discharged' | 'careplan.updated' | 'task.created';

/** One event. */
export interface Hl7DomainEvent {
  /**
   * Deterministic (`<messageId>/<type>`): a job that runs twice (a retry after the write, a
   * worker killed mid-way) announces the same id again, so deliveries can be deduplicated.
   */
  id: string;
  type: Hl7DomainEventType;
  tenant: string;
  /** The hospital client whose message caused it. */
  clientId: string;
  /** The message log id. */
  messageId: string;
  /** `Patient/<id>`. */
  patientRef: string;
  /** `Encounter/<id>`: the stay. */
  encounterRef: string;
  /** `Task/<id>`: the discharge Task (`task.created`, `patient.discharged` when one exists). */
  taskRef?: string;
  /** `CarePlan/<id>`: the plan that got (or lost) the reassessment activity. */
  carePlanRef?: string;
}

/** Hook the worker calls for each event; a failure makes the job retry (events are at least once). */
export type Hl7EventPublisher = (event: Hl7DomainEvent) => Promise<void>;
