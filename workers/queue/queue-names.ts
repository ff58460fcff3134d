/**
 * The queues of the product. A queue name is also the first part of every job id of that queue
 * (see `job-id.ts`), so a status lookup finds the queue from the id alone: no name may be another
 * name followed by `-` (checked in `job-id.test.ts`), and none may contain `:` (BullMQ refuses it).
 */
export const QUEUE_NAMES = [
  /** `PUT`/`DELETE /v1/cases/{caseId}`: one job writes one case as one FHIR transaction. */
  'cases',
  /** `PUT /v1/organizations|practitioners/{id}`: directory entries. */
  'directory',
  /**
   * Hospital events already stored and acknowledged by the edge — HL7 v2 over MLLP or HTTP, and
   * FHIR notification Bundles (`/fhir/$process-message`) — one queue so one person's events take
   * turns whatever their channel; the job points at the stored message.
   */
  'hl7-inbound',
  /** One delivery of one event to one subscription (signed POST, retried ≥ 24 h). */
  'webhooks',
  /** `POST /v1/import`: one job walks a stored NDJSON upload and reports progress. */
  'import',
] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];

/** Narrows an untrusted string (a URL segment, a job id part) to a known queue name. */
export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}
