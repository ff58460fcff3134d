/**
 * The events a case write announces (SPEC §6): one per plan, team and support request it
 * wrote. The event key is the written version, so a re-sent case that changed nothing maps to
 * the versions already announced and publishes nothing new (the event store dedupes on it).
 */
import type { Bundle } from '@medplum/fhirtypes';
import type { EventType, PublishEventInput } from '../events/index.js';
import type { JobTrace } from '../queue/index.js';

const EVENT_OF_TYPE: Readonly<Record<string, EventType>> = {
  CarePlan: 'careplan.updated',
  CareTeam: 'careteam.updated',
  ServiceRequest: 'supportrequest.updated',
};

/** `Type/id` and version of a transaction response entry's location. */
function writtenVersion(location: string | undefined): { ref: string; type: string; version: string } | undefined {
  const match = location ? /([A-Z][A-Za-z]+)\/([A-Za-z0-9.-]{1,64})\/_history\/([^/]+)$/.exec(location) : null;
  return match ? { ref: `${match[1]}/${match[2]}`, type: match[1]!, version: match[3]! } : undefined;
}

export function caseEvents(request: Bundle, response: Bundle, trace: JobTrace, caseId: string, occurredAt: string): PublishEventInput[] {
  const written = (response.entry ?? []).map((entry) => writtenVersion(entry.response?.location));
  const patientRef = written.find((w) => w?.type === 'Patient')?.ref;
  if (!patientRef) return [];
  return written.flatMap((w, i) => {
    const type = w ? EVENT_OF_TYPE[w.type] : undefined;
    if (!w || !type) return [];
    const resource = request.entry?.[i]?.resource as { status?: string } | undefined;
    return [{
      type,
      tenant: trace.tenant,
      sourceClientId: trace.clientId,
      patientRef,
      resourceRef: w.ref,
      data: { caseId, status: resource?.status ?? 'unknown', versionId: w.version },
      occurredAt,
      eventKey: `${w.ref}/_history/${w.version}`,
      requestId: trace.requestId,
    }];
  });
}
