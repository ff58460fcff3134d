/**
 * A change written through `/fhir` as an outbound event (SPEC §5/§6: changes reach the other
 * systems and never echo back). The writer is the event's source client, so its own
 * subscriptions are skipped; the key is the written version, so a repeated hook publishes once.
 */
import type { EventPublisher, PublishEventInput } from '../../workers/events/index.js';
import type { FacadeWrite } from './routes.js';

/**
 * The event a facade write announces, or undefined when none fits: a CarePlan update is
 * `careplan.updated`; a Task update has no type in the closed list (`task.created` is for new
 * tasks), and a resource without a patient cannot be announced.
 * @example
 *   facadeWriteEvent({ type: 'CarePlan', id: 'c1', versionId: '5', clientId: 'ehpad-tilleuls', tenant: 'doubs', patientRef: 'Patient/p1', occurredAt })
 *   // → { type: 'careplan.updated', resourceRef: 'CarePlan/c1', eventKey: 'CarePlan/c1/_history/5', sourceClientId: 'ehpad-tilleuls', … }
 */
export function facadeWriteEvent(change: FacadeWrite): PublishEventInput | undefined {
  if (change.type !== 'CarePlan' || change.patientRef === undefined) return undefined;
  const resourceRef = `${change.type}/${change.id}`;
  return {
    type: 'careplan.updated',
    tenant: change.tenant,
    sourceClientId: change.clientId,
    patientRef: change.patientRef,
    resourceRef,
    data: { status: change.status ?? 'unknown', versionId: change.versionId, via: 'fhir' },
    occurredAt: change.occurredAt,
    eventKey: `${resourceRef}/_history/${change.versionId}`,
    ...(change.requestId ? { requestId: change.requestId } : {}),
  };
}

/**
 * The facade's `onWrite` hook publishing through `publisher`.
 * @example registerFhirFacade(app, { fhir, audit, onWrite: facadeWriteHook(createEventPublisher({ redis, queues, prefix, logger })) })
 */
export function facadeWriteHook(publisher: Pick<EventPublisher, 'publishEvent'>): (change: FacadeWrite) => Promise<void> {
  return async (change) => {
    const event = facadeWriteEvent(change);
    if (event) await publisher.publishEvent(event);
  };
}
