/**
 * What a job carries. House practice 7: pointers and trace ids, not personal data. A job is
 * stored in Redis, shown in the queue dashboard and kept after it ends (see `job-policies.ts`),
 * so every payload below carries as little as the worker needs to find its input elsewhere.
 *
 * The accepted exception: the case and directory APIs answer `202` before anything is stored, so
 * their job holds the document itself. Such data is never logged (`runWorker` logs ids only) and
 * is deleted with the job.
 */
import type { QueueName } from './queue-names.js';

/** Who asked, for logs and access checks. Never personal data. */
export interface JobTrace {
  /** Id of the HTTP request or inbound message that created the job; in every log line. */
  requestId: string;
  /** Client (owner tag) the job writes for; a status query is answered to this client only. */
  clientId: string;
  /** Territory of that client; the job never touches another tenant's data. */
  tenant: string;
}

/**
 * Payload per queue. Documents are typed `unknown` on purpose: the worker parses them again with
 * the same zod schema as the edge, because Redis content may come from an older release.
 */
export interface JobPayloads {
  cases: { action: 'upsert'; caseId: string; document: unknown } | { action: 'revoke'; caseId: string };
  directory: { kind: 'organization' | 'practitioner'; id: string; document: unknown };
  /** Id of the hospital message (HL7 v2 or FHIR notification) stored and acknowledged by the edge. */
  'hl7-inbound': { messageId: string };
  /** One delivery: the stored event, sent to one subscription. */
  webhooks: { subscriptionId: string; eventId: string };
  /** Id of the stored NDJSON upload. */
  import: { importId: string };
}

/** What a processor returns per queue, shown by `getJobStatus` as `result`. */
export interface JobResults {
  /** FHIR references written or matched (`Patient/…`, `CarePlan/…`). */
  cases: { resources: string[] };
  directory: { resources: string[] };
  'hl7-inbound': { resources: string[] };
  /** HTTP status answered by the subscriber. */
  webhooks: { status: number };
  /** Also reported while running, through `job.updateProgress`. */
  import: { processed: number; failed: number; total: number };
}

/** The stored job data: the trace beside the payload, so logs can read one without the other. */
export interface JobData<N extends QueueName = QueueName> {
  trace: JobTrace;
  payload: JobPayloads[N];
}
