/**
 * The answers of `$process-message`.
 *
 * The answer to an accepted notification (FHIR R4 messaging, `$process-message` synchronous
 * mode): a response message Bundle whose MessageHeader echoes the request's event and carries
 * `response.identifier` = the request `Bundle.id` and `response.code` = `ok`. Like the HL7 `AA`,
 * it is sent once the message is durably stored and queued (SPEC §1, §3); processing follows.
 * Deterministic: ids derive from the stored message id, so a resend gets the same answer.
 */
import type { Bundle, MessageHeader, OperationOutcome } from '@medplum/fhirtypes';
import { uuidV5 } from '../case/hash.js';
import type { NotificationError } from './reading.js';

/** What the response says. */
export interface ResponseMessageInput {
  /** `Bundle.id` of the request. */
  requestBundleId: string;
  /** The request's `MessageHeader.eventCoding`, echoed. */
  eventCoding: { system?: string; code?: string } | undefined;
  /** Id of the stored request (message log): keys the response's ids. */
  messageId: string;
  /** When the request was accepted (ISO instant). */
  timestamp: string;
  /** `MessageHeader.source.endpoint`: the URL of our `$process-message`. */
  endpoint: string;
}

/**
 * Builds the response message.
 * @example responseMessage({ requestBundleId: 'disch-1', eventCoding, messageId: record.id, timestamp: now.toISOString(), endpoint: `${base}/$process-message` })
 */
export function responseMessage(input: ResponseMessageInput): Bundle {
  const id = uuidV5(`fhir-message-response\u0000${input.messageId}`);
  const header: MessageHeader = {
    resourceType: 'MessageHeader',
    id,
    eventCoding: { ...input.eventCoding },
    source: { name: 'Passerelle', endpoint: input.endpoint },
    response: { identifier: input.requestBundleId, code: 'ok' },
  };
  return {
    resourceType: 'Bundle',
    id,
    type: 'message',
    timestamp: input.timestamp,
    entry: [{ fullUrl: `urn:uuid:${id}`, resource: header }],
  };
}

/**
 * The `400` answer to a notification that cannot be processed: one issue per faulty field, with
 * its FHIRPath in `expression` (SPEC §9). Reasons name fields, never values.
 * @example errorOutcome([{ expression: 'Bundle.id', reason: 'required' }])
 */
export function errorOutcome(errors: readonly NotificationError[]): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: errors.map((e) => ({
      severity: 'error',
      code: e.expression.endsWith('eventCoding.code') ? 'not-supported' : 'invalid',
      details: { text: `${e.expression}: ${e.reason}` },
      expression: [e.expression],
    })),
  };
}
