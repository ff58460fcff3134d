/**
 * How `/fhir/metadata` declares `$process-message`: a system-level operation with the R4
 * definition, and what this server does with it (the Da Vinci notification events it
 * understands, synchronous answers only). Kept here, beside the route it describes.
 */
import type { CapabilityStatementRestResourceOperation } from '@medplum/fhirtypes';
import { NOTIFICATION_EVENT_SYSTEM, NOTIFICATION_TRIGGERS } from '../../mappings/notification/index.js';
import { FHIR_MESSAGE_SCOPE } from './route.js';

/** The `rest.operation` entry of `$process-message`. */
export function processMessageCapability(): CapabilityStatementRestResourceOperation {
  return {
    name: 'process-message',
    definition: 'http://hl7.org/fhir/OperationDefinition/MessageHeader-process-message',
    documentation: [
      `POST [base]/$process-message (scope ${FHIR_MESSAGE_SCOPE}): a message Bundle whose MessageHeader.eventCoding is`,
      `${Object.keys(NOTIFICATION_TRIGGERS).join(' or ')} (${NOTIFICATION_EVENT_SYSTEM}), focus the Encounter, Encounter.subject the Patient.`,
      'Synchronous only: 200 with a response message (response.code ok, response.identifier = the request Bundle.id) once stored and queued;',
      '400 with an OperationOutcome naming each faulty field. A resend of the same Bundle.id gets the same answer and is processed once.',
    ].join(' '),
  };
}
