/**
 * Who an inbound HL7 v2 message belongs to, and how it is to be answered (SPEC §3, §7): the
 * verdict of `assessHl7`, unless the sending facility (MSH-4) is not allowed — declared by no
 * client (MLLP), or not by the authenticated caller (HTTP) — which is `AR`. Shared by the intake
 * and the start-up recovery sweep, so a message is judged the same way whenever it is judged.
 */
import type { AckError, AckStatus } from '../../mappings/hl7/ack.js';
import { assessHl7, type Assessment } from '../../mappings/hl7/assess.js';
import { HL7_ERROR } from '../../mappings/hl7/error-codes.js';
import { UNASSIGNED } from '../../workers/processors/hl7-inbound-unassigned.js';
import type { ClientRegistry } from '../auth/client-registry.js';
import type { Client } from '../auth/clients-file.js';

/** Where a message came from. */
export interface Hl7Source {
  channel: 'mllp' | 'http-hl7';
  /** The authenticated HTTP caller (required for `http-hl7`). */
  clientId?: string;
  remoteAddress?: string;
  /** Trace id carried into the job; defaults to the message id. */
  requestId?: string;
  /** HTTP `Content-Type`, stored with the message. */
  contentType?: string;
  /**
   * MLLP: the frame was over this many bytes, and only its head is given. It is refused whatever
   * the head says, and recorded with it (SPEC §9: refused input is kept, as far as it is taken).
   */
  oversizedLimit?: number;
}

/** Longest MSH-4 value quoted in a reason or a log: enough to recognise it, too short to carry a payload. */
export const FACILITY_QUOTE_MAX = 40;

/** Who a message belongs to and how it is to be answered. */
export interface Hl7Verdict {
  status: AckStatus;
  errors: AckError[];
  /** The client and tenant it is recorded under ({@link UNASSIGNED} for none). */
  owner: { clientId: string; tenant: string };
}

type Clients = Pick<ClientRegistry, 'byHl7Facility' | 'byClientId'>;

/** What the installation takes, beyond what every Passerelle takes. */
export interface Hl7Policy {
  /** MSH-11 processing ids taken (`HL7_PROCESSING_IDS`); any when absent. An empty MSH-11 is taken. */
  processingIds?: readonly string[];
}

/**
 * The owner and the answer of a message.
 * @throws Error for an HTTP source without a known client (the route authenticates first).
 */
export function judgeHl7(assessment: Assessment, source: Pick<Hl7Source, 'channel' | 'clientId' | 'oversizedLimit'>, clients: Clients, policy: Hl7Policy = {}): Hl7Verdict {
  const header = assessment.header;
  const facility = header?.sendingFacility.namespaceId ?? '';
  const byFacility = facility === '' ? undefined : clients.byHl7Facility(facility);
  const caller = callerOf(source, clients);
  const owner = toOwner(caller ?? byFacility);
  if (source.oversizedLimit !== undefined) {
    // 0357 has no code for a size: 207, as any message Passerelle cannot take.
    return { status: 'reject', owner, errors: [{ code: HL7_ERROR.applicationInternalError, reason: `message larger than ${source.oversizedLimit} bytes` }] };
  }

  if (header === undefined) return { status: 'reject', errors: assessment.errors, owner };
  if (facility === '') {
    return { status: 'reject', owner, errors: [{ code: HL7_ERROR.requiredFieldMissing, reason: 'MSH-4 (sending facility) is missing', field: 'MSH-4' }] };
  }
  const quoted = JSON.stringify(facility.slice(0, FACILITY_QUOTE_MAX));
  if (caller !== undefined && byFacility?.id !== caller.id) {
    // HL7 table 0362 (facility) is ours: a facility outside it is a table value not found.
    const reason = `sending facility ${quoted} (MSH-4) is not declared by client ${caller.id}`;
    return { status: 'reject', owner, errors: [{ code: HL7_ERROR.tableValueNotFound, reason, field: 'MSH-4' }] };
  }
  if (byFacility === undefined) {
    const reason = `sending facility ${quoted} (MSH-4) is not declared by any client`;
    return { status: 'reject', owner, errors: [{ code: HL7_ERROR.tableValueNotFound, reason, field: 'MSH-4' }] };
  }
  const processingId = header.processingId.split(header.delimiters.component)[0] ?? '';
  if (processingId !== '' && policy.processingIds !== undefined && !policy.processingIds.includes(processingId)) {
    const reason = `processing id ${JSON.stringify(processingId.slice(0, 3))} (MSH-11) is not taken here (taken: ${policy.processingIds.join(', ')})`;
    return { status: 'reject', owner, errors: [{ code: HL7_ERROR.unsupportedProcessingId, reason, field: 'MSH-11' }] };
  }
  return { status: assessment.status, errors: assessment.errors, owner };
}

/** The authenticated HTTP caller; MLLP has none. */
function callerOf(source: Pick<Hl7Source, 'channel' | 'clientId'>, clients: Clients): Client | undefined {
  if (source.channel !== 'http-hl7') return undefined;
  const caller = source.clientId === undefined ? undefined : clients.byClientId(source.clientId);
  // The route authenticates before calling: a missing caller is a wiring bug, not a bad message.
  if (caller === undefined) throw new Error('hl7 intake: an HTTP message needs the authenticated client');
  return caller;
}

function toOwner(client: Client | undefined): Hl7Verdict['owner'] {
  return client === undefined ? { clientId: UNASSIGNED, tenant: UNASSIGNED } : { clientId: client.id, tenant: client.tenant };
}

/**
 * The client declaring a stored HL7 message's sending facility (MSH-4) today: who an undeclared
 * sender's message (MLLP, tenant `_unassigned`) belongs to once the clients file declares it.
 * Undefined for other channels, an unreadable header or a facility still undeclared.
 */
export function declaredSender(record: { channel: string; raw: Uint8Array }, clients: Pick<Clients, 'byHl7Facility'>): Hl7Verdict['owner'] | undefined {
  if (record.channel !== 'mllp') return undefined;
  const facility = assessHl7(record.raw).header?.sendingFacility.namespaceId ?? '';
  const client = facility === '' ? undefined : clients.byHl7Facility(facility);
  return client === undefined ? undefined : toOwner(client);
}

/** One error as stored in the message log: location and reason, no content. */
export function describeAckError(error: AckError): string {
  return error.field === undefined ? error.reason : `${error.field}: ${error.reason}`;
}
