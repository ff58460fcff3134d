import type { BundleEntry, CarePlan, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { CODE_SYSTEM, PASSERELLE_META_SOURCE } from '../../profiles/canonical.js';
import { FHIR_SERVER_SOURCE, patientRefOf, versionEvent } from './version-event.js';

const LAST_UPDATED = '2026-03-01T10:00:00.000+01:00';
const tenantTag = { system: CODE_SYSTEM.tenant, code: 'doubs' };

function entry<T extends Resource>(resource: T, versionId: string, method: 'POST' | 'PUT' = versionId === '1' ? 'POST' : 'PUT'): BundleEntry {
  const withMeta = { ...resource, meta: { tag: [tenantTag], ...resource.meta, versionId, lastUpdated: LAST_UPDATED } };
  return { resource: withMeta, request: { method, url: `${resource.resourceType}/${resource.id ?? ''}` }, response: { status: '200', etag: `W/"${versionId}"` } };
}

const carePlan: CarePlan = { resourceType: 'CarePlan', id: 'c1', status: 'active', intent: 'plan', subject: { reference: 'Patient/p1' } };

describe('versionEvent', () => {
  it('announces a CarePlan version written by another system as careplan.updated from the FHIR server, keyed on the version', () => {
    const decision = versionEvent(entry(carePlan, '3'), PASSERELLE_META_SOURCE);
    expect(decision).toEqual({
      announce: true,
      lastUpdatedMs: Date.parse(LAST_UPDATED),
      event: {
        type: 'careplan.updated',
        tenant: 'doubs',
        sourceClientId: FHIR_SERVER_SOURCE,
        patientRef: 'Patient/p1',
        resourceRef: 'CarePlan/c1',
        data: { status: 'active', versionId: '3', via: 'fhir-server' },
        occurredAt: '2026-03-01T09:00:00.000Z',
        eventKey: 'CarePlan/c1/_history/3',
      },
    });
  });

  it('skips a version Passerelle wrote, with or without a request id appended to its meta.source', () => {
    for (const source of [PASSERELLE_META_SOURCE, `${PASSERELLE_META_SOURCE}#a1b2c3`]) {
      const decision = versionEvent(entry({ ...carePlan, meta: { source } }, '2'), PASSERELLE_META_SOURCE);
      expect(decision).toMatchObject({ announce: false, reason: 'own-write' });
    }
    const lookalike = versionEvent(entry({ ...carePlan, meta: { source: `${PASSERELLE_META_SOURCE}-not` } }, '2'), PASSERELLE_META_SOURCE);
    expect(lookalike.announce).toBe(true);
  });

  it('announces a Task on its first version only', () => {
    const task: Task = { resourceType: 'Task', id: 't1', status: 'requested', intent: 'order', for: { reference: 'Patient/p1' } };
    expect(versionEvent(entry(task, '1'), PASSERELLE_META_SOURCE)).toMatchObject({ announce: true, event: { type: 'task.created', eventKey: 'Task/t1/_history/1' } });
    expect(versionEvent(entry(task, '2'), PASSERELLE_META_SOURCE)).toMatchObject({ announce: false, reason: 'not-announced' });
    // A server whose version ids are not counters (Medplum: UUIDs) tells a create by its method.
    expect(versionEvent(entry(task, 'a-uuid', 'POST'), PASSERELLE_META_SOURCE)).toMatchObject({ announce: true });
  });

  it('announces a ServiceRequest only when it is a support request', () => {
    const order: ServiceRequest = { resourceType: 'ServiceRequest', id: 's1', status: 'active', intent: 'order', subject: { reference: 'Patient/p1' } };
    expect(versionEvent(entry(order, '1'), PASSERELLE_META_SOURCE)).toMatchObject({ announce: false, reason: 'not-announced' });
    const support = { ...order, code: { coding: [{ system: CODE_SYSTEM.requestType, code: 'demande-appui' }] } };
    expect(versionEvent(entry(support, '1'), PASSERELLE_META_SOURCE)).toMatchObject({ announce: true, event: { type: 'supportrequest.updated' } });
  });

  it('cannot announce a version without a tenant tag or a patient, nor a deletion, and says which', () => {
    const untagged = entry(carePlan, '2');
    untagged.resource!.meta!.tag = [];
    expect(versionEvent(untagged, PASSERELLE_META_SOURCE)).toMatchObject({ announce: false, reason: 'no-tenant' });
    const noSubject = entry({ ...carePlan, subject: { reference: 'Group/g1' } }, '2');
    expect(versionEvent(noSubject, PASSERELLE_META_SOURCE)).toMatchObject({ announce: false, reason: 'no-patient' });
    const deletion: BundleEntry = { request: { method: 'DELETE', url: 'CarePlan/c1' }, response: { status: '204', etag: 'W/"4"' } };
    expect(versionEvent(deletion, PASSERELLE_META_SOURCE)).toMatchObject({ announce: false, reason: 'deleted' });
  });

  it('takes the version from the ETag when the resource has none', () => {
    const e = entry(carePlan, '5');
    delete e.resource!.meta!.versionId;
    expect(versionEvent(e, PASSERELLE_META_SOURCE)).toMatchObject({ announce: true, event: { eventKey: 'CarePlan/c1/_history/5' } });
  });
});

describe('patientRefOf', () => {
  it('reads relative, absolute and versioned Patient references, and nothing else', () => {
    expect(patientRefOf({ reference: 'Patient/p1' })).toBe('Patient/p1');
    expect(patientRefOf({ reference: 'https://hapi.example/fhir/Patient/42' })).toBe('Patient/42');
    expect(patientRefOf({ reference: 'Patient/42/_history/3' })).toBe('Patient/42');
    expect(patientRefOf({ reference: 'Group/g1' })).toBeUndefined();
    expect(patientRefOf({ display: 'Jeanne' })).toBeUndefined();
  });
});
