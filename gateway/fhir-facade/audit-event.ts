/**
 * `AuditRecord` → FHIR R4 AuditEvent (pure). The event carries the caller's tenant tag, so a
 * tenant's audit trail is listed like its other data, and the request id, so it joins the logs.
 */
import type { AuditEvent } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION } from '../../profiles/canonical.js';
import type { AuditInteraction, AuditOutcome, AuditRecord } from './audit.js';

const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const SECURITY_SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';

const OUTCOME_CODE: Record<AuditOutcome, AuditEvent['outcome']> = { success: '0', 'minor-failure': '4', 'serious-failure': '8' };
const INTERACTION_DISPLAY: Record<AuditInteraction, string> = { read: 'read', vread: 'vread', 'search-type': 'search type', update: 'update' };

/** The AuditEvent for one record, `recorded` at `now` (ISO instant). */
export function toAuditEvent(record: AuditRecord, now: string): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    meta: { tag: [{ system: CODE_SYSTEM.tenant, code: record.tenant }, { system: CODE_SYSTEM.owner, code: record.clientId }] },
    extension: [{ url: EXTENSION.requestId, valueString: record.requestId }],
    type: { system: AUDIT_EVENT_TYPE, code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: RESTFUL_INTERACTION, code: record.interaction, display: INTERACTION_DISPLAY[record.interaction] }],
    action: record.action,
    recorded: now,
    outcome: OUTCOME_CODE[record.outcome],
    agent: [{
      who: { identifier: { system: CODE_SYSTEM.owner, value: record.clientId }, display: record.clientId },
      requestor: true,
    }],
    source: {
      observer: { display: 'Passerelle FHIR facade' },
      type: [{ system: SECURITY_SOURCE_TYPE, code: '4', display: 'Application Server' }],
    },
    entity: record.ids.map((reference) => ({ what: { reference } })),
  };
}
