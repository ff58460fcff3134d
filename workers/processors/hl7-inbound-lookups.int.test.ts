/**
 * A discharge's searches riding in the ADT transaction, against the embedded store (its own
 * process): planned only when the Patient is known, answered after the transaction's writes.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, CarePlan, CareTeam, PractitionerRole, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { dischargeTaskIdentifier, type AdtEffects } from '../../mappings/adt/index.js';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import { useFhirStoreProcess } from '../../test/helpers/store-fixture.js';
import { dischargeLookups } from './hl7-inbound-lookups.js';

const fhirStore = useFhirStoreProcess('hl7-inbound-lookups');

const CLIENT = 'chu-exemple';
const stay = (visitKey: string) => ({ patient: { fullUrl: 'urn:uuid:p', identifier: {} }, encounter: { fullUrl: 'urn:uuid:e', identifier: {} }, visitKey });
const discharged = (visitKey: string): AdtEffects => ({ kind: 'discharged', ...stay(visitKey) });

describe('dischargeLookups', () => {
  it('is planned for a discharge of a known Patient only', () => {
    const use = { action: 'use', patientId: 'p1' } as const;
    expect(dischargeLookups(discharged('V1'), use, 'doubs', CLIENT)?.entries).toHaveLength(3);
    expect(dischargeLookups(discharged('V1'), { action: 'create' }, 'doubs', CLIENT)).toBeUndefined();
    expect(dischargeLookups(discharged('V1'), undefined, 'doubs', CLIENT)).toBeUndefined();
    expect(dischargeLookups({ kind: 'admitted', ...stay('V1') }, use, 'doubs', CLIENT)).toBeUndefined();
  });

  it('finds the plan, the team with its PractitionerRoles and the Task of the tenant, as they stand after the transaction’s writes', async () => {
    const tenant = `t${randomUUID().slice(0, 8)}`;
    const meta = { tag: [{ system: CODE_SYSTEM.tenant, code: tenant }] };
    const patientRef = `Patient/${randomUUID()}`;
    const visitKey = `V-${randomUUID()}`;
    const plan = await fhirStore.fhir.create<CarePlan>({ resourceType: 'CarePlan', meta, status: 'active', intent: 'plan', subject: { reference: patientRef } });
    await fhirStore.fhir.create<CarePlan>({ resourceType: 'CarePlan', meta: { tag: [{ system: CODE_SYSTEM.tenant, code: 'other' }] }, status: 'active', intent: 'plan', subject: { reference: patientRef } });
    const role = await fhirStore.fhir.create<PractitionerRole>({ resourceType: 'PractitionerRole', organization: { reference: 'Organization/dac' } });
    const team = await fhirStore.fhir.create<CareTeam>({
      resourceType: 'CareTeam', meta, status: 'active', subject: { reference: patientRef },
      participant: [{ member: { reference: `PractitionerRole/${role.id}` } }, { member: { reference: 'Organization/dac' } }],
    });
    const lookups = dischargeLookups(discharged(visitKey), { action: 'use', patientId: patientRef.split('/')[1]! }, tenant, CLIENT)!;
    // The transaction writes the Task the last GET looks for: the GET sees it.
    const task: Task = { resourceType: 'Task', meta, status: 'requested', intent: 'order', identifier: [dischargeTaskIdentifier(CLIENT, visitKey)] };
    const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ resource: task, request: { method: 'POST', url: 'Task' } }, ...lookups.entries] };
    const response = await fhirStore.fhir.transaction(bundle);
    const found = await lookups.read(fhirStore.fhir, response);
    expect(found.patientRef).toBe(patientRef);
    expect(found.plans.map((p) => p.id)).toEqual([plan.id]);
    expect(found.teams.map((t) => t.id)).toEqual([team.id]);
    expect(found.roles.map((r) => r.id)).toEqual([role.id]);
    expect(found.task?.id).toBe(response.entry?.[0]?.response?.location?.split('/')[1]);
  });
});
