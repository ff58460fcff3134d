import { describe, expect, it } from 'vitest';
import { PublishEventInputSchema, type PublishEventInput } from '../../workers/events/index.js';
import type { FacadeWrite } from './routes.js';
import { facadeWriteEvent, facadeWriteHook } from './write-events.js';

const write: FacadeWrite = {
  type: 'CarePlan', id: 'c1', versionId: '5', clientId: 'ehpad-tilleuls', tenant: 'doubs',
  patientRef: 'Patient/p1', status: 'active', requestId: 'req-1', occurredAt: '2026-11-24T10:00:00.000Z',
};

describe('facadeWriteEvent', () => {
  it('announces a CarePlan write as careplan.updated from its writer, keyed on the version', () => {
    const event = facadeWriteEvent(write);
    expect(event).toEqual({
      type: 'careplan.updated', tenant: 'doubs', sourceClientId: 'ehpad-tilleuls', patientRef: 'Patient/p1', resourceRef: 'CarePlan/c1',
      data: { status: 'active', versionId: '5', via: 'fhir' }, occurredAt: write.occurredAt, eventKey: 'CarePlan/c1/_history/5', requestId: 'req-1',
    });
    expect(PublishEventInputSchema.safeParse(event).success).toBe(true);
  });

  it('announces nothing for a Task update or a plan without a patient', () => {
    expect(facadeWriteEvent({ ...write, type: 'Task' })).toBeUndefined();
    const { patientRef: _p, ...withoutPatient } = write;
    expect(facadeWriteEvent(withoutPatient)).toBeUndefined();
  });

  it('publishes through the hook only what has an event', async () => {
    const published: PublishEventInput[] = [];
    const hook = facadeWriteHook({ publishEvent: async (e) => { published.push(e); return { eventId: 'x', duplicate: false, deliveries: [] }; } });
    await hook(write);
    await hook({ ...write, type: 'Task' });
    expect(published.map((e) => e.eventKey)).toEqual(['CarePlan/c1/_history/5']);
  });
});
