/**
 * The worker's reading of one stored inbound message, by channel: HL7 v2 bytes (`mllp`,
 * `http-hl7`) through `assessHl7`, FHIR notification messages (`fhir-message`) through
 * `readNotification`. Both give the same `AdtEvent`, so the `hl7-inbound` processor writes,
 * orders, resolves identities, applies effects and announces events the same way for both.
 * Pure: the stored record in, the verdict out — the edge ran the same code before answering.
 */
import type { AdtExtraction } from '../../mappings/hl7/adt-types.js';
import { assessHl7 } from '../../mappings/hl7/assess.js';
import { notificationFacility, readNotificationBytes } from '../../mappings/notification/index.js';
import type { MessageRecord } from '../message-log/index.js';

/** What the processor needs of an assessment (a subset of `assessHl7`'s). */
export interface InboundAssessment {
  status: 'accept' | 'error' | 'reject';
  /** Why not accepted; `field` is an HL7 location or a FHIRPath. No personal data. */
  errors: { code: number | string; reason: string; field?: string }[];
  adt?: AdtExtraction;
}

/**
 * Assesses a stored message. `declaredFacilities` gives a client's HL7 facilities, which name
 * the sending facility of its FHIR messages (as at the edge, `notificationFacility`).
 * @example const a = assessInbound(record, (id) => clients.byClientId(id)?.hl7Facilities);
 */
export function assessInbound(record: Pick<MessageRecord, 'channel' | 'raw' | 'clientId' | 'truncated'>, declaredFacilities?: (clientId: string) => readonly string[] | undefined): InboundAssessment {
  if (record.truncated === true) {
    // Only the head of a message over the size limit was kept: it may parse, but is not the message.
    return { status: 'reject', errors: [{ code: 'truncated', reason: 'only the first bytes of the message were kept (over the size limit)' }] };
  }
  if (record.channel !== 'fhir-message') return assessHl7(record.raw);
  const reading = readNotificationBytes(record.raw, { facility: notificationFacility(record.clientId, declaredFacilities?.(record.clientId)) });
  if (reading.event === undefined) {
    return { status: 'reject', errors: reading.errors.map((e) => ({ code: 'invalid', reason: e.reason, field: e.expression })) };
  }
  return { status: 'accept', errors: [], adt: { event: reading.event, issues: reading.issues } };
}
