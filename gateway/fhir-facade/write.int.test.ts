/**
 * `PUT /fhir/{type}/{id}` against a real store: version-aware, tenant-bound, limited to what
 * a FHIR tool may change, with its Provenance, its audit record and its write hook.
 */
import type { CarePlan, OperationOutcome, Provenance, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CODE_SYSTEM, EXTENSION } from '../../profiles/canonical.js';
import { readOrigin } from '../../mappings/case/from-fhir/common.js';
import { PublishEventInputSchema } from '../../workers/events/index.js';
import { KEYS, startFacadeFixture, type FacadeFixture } from './testing/fixture.js';
import { TENANT_A, TENANT_B } from './testing/seed.js';
import { facadeWriteEvent } from './write-events.js';

let fx: FacadeFixture;
const HOSPITAL = 'chu-besancon';

beforeAll(async () => {
  fx = await startFacadeFixture();
});

afterAll(async () => {
  await fx?.close();
});

beforeEach(() => {
  fx.audit.clear();
  fx.writes.length = 0;
});

async function current<T>(path: string): Promise<{ resource: T; etag: string }> {
  const { status, body, res } = await fx.getJson<T>(path);
  expect(status).toBe(200);
  return { resource: body, etag: res.headers.get('etag') ?? '' };
}

function put(path: string, body: unknown, headers: Record<string, string> = {}, key: string = KEYS.doubs): Promise<Response> {
  return fx.request(path, {
    method: 'PUT',
    key,
    headers: { 'content-type': 'application/fhir+json', ...headers },
    body: JSON.stringify(body),
  });
}

async function outcome(res: Response): Promise<{ text: string; expression: string[] }[]> {
  const body = (await res.json()) as OperationOutcome;
  expect(body.resourceType).toBe('OperationOutcome');
  return body.issue.map((i) => ({ text: i.details?.text ?? '', expression: i.expression ?? [] }));
}

describe('PUT Task', () => {
  it('changes the status with If-Match, answers the new version, and leaves a Provenance', async () => {
    const path = `/fhir/Task/${fx.ids.a.task}`;
    const { resource: task, etag } = await current<Task>(path);
    const res = await put(path, { ...task, status: 'in-progress', businessStatus: { text: 'planifié' }, note: [{ text: 'passage lundi' }] }, { 'if-match': etag, 'x-request-id': 'put-task-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/fhir+json');
    const updated = (await res.json()) as Task;
    expect(updated.status).toBe('in-progress');
    expect(updated.meta?.versionId).not.toBe(task.meta?.versionId);
    expect(res.headers.get('etag')).toBe(`W/"${updated.meta?.versionId}"`);
    // The stored tags are kept whatever the body said.
    expect(updated.meta?.tag).toEqual(task.meta?.tag);

    const reread = await current<Task>(path);
    expect(reread.resource.status).toBe('in-progress');
    expect(reread.etag).toBe(res.headers.get('etag'));

    const provenances = await fx.fhir.searchAll('Provenance', { target: `Task/${fx.ids.a.task}` });
    const provenance = provenances.find((p: Provenance) => p.extension?.some((e) => e.url === EXTENSION.requestId && e.valueString === 'put-task-1'));
    expect(provenance?.agent[0]?.who?.identifier).toEqual({ system: CODE_SYSTEM.owner, value: TENANT_A.clientId });
    expect(provenance?.meta?.tag).toContainEqual({ system: CODE_SYSTEM.tenant, code: TENANT_A.tenant });

    expect(fx.writes).toEqual([{
      type: 'Task', id: fx.ids.a.task, versionId: updated.meta?.versionId, clientId: TENANT_A.clientId, tenant: TENANT_A.tenant,
      patientRef: `Patient/${fx.ids.a.patient}`, status: 'in-progress', requestId: 'put-task-1', occurredAt: updated.meta?.lastUpdated,
    }]);
    // A Task update has no event in the closed list (task.created is for new tasks).
    expect(facadeWriteEvent(fx.writes[0]!)).toBeUndefined();
    expect(fx.audit.records.filter((r) => r.action === 'U')).toEqual([
      expect.objectContaining({ interaction: 'update', ids: [`Task/${fx.ids.a.task}`], outcome: 'success', requestId: 'put-task-1' }),
    ]);
  });

  it('answers 428 without If-Match', async () => {
    const path = `/fhir/Task/${fx.ids.a.task}`;
    const { resource: task } = await current<Task>(path);
    const res = await put(path, { ...task, status: 'completed' });
    expect(res.status).toBe(428);
    expect((await outcome(res))[0]?.text).toContain('If-Match');
    expect(fx.writes).toEqual([]);
  });

  it('refuses a change outside the allowed elements, naming each path', async () => {
    const path = `/fhir/Task/${fx.ids.a.task}`;
    const { resource: task, etag } = await current<Task>(path);
    const res = await put(path, { ...task, status: 'completed', description: 'autre chose', priority: 'routine' }, { 'if-match': etag });
    expect(res.status).toBe(403);
    expect((await outcome(res)).map((i) => i.expression[0]).sort()).toEqual(['Task.description', 'Task.priority']);
    expect(fx.audit.records.filter((r) => r.action === 'U')).toEqual([expect.objectContaining({ outcome: 'minor-failure' })]);
    expect((await current<Task>(path)).resource.status).toBe(task.status);
  });

  it('answers 412 for a stale version', async () => {
    const path = `/fhir/Task/${fx.ids.a.task}`;
    const { resource: task } = await current<Task>(path);
    const res = await put(path, { ...task, status: 'on-hold' }, { 'if-match': 'W/"0"' });
    expect(res.status).toBe(412);
    expect((await current<Task>(path)).resource.status).toBe(task.status);
  });

  it('lets exactly one of two concurrent writers of the same version win', async () => {
    const path = `/fhir/Task/${fx.ids.a.task}`;
    const { resource: task, etag } = await current<Task>(path);
    const [first, second] = await Promise.all([
      put(path, { ...task, status: 'on-hold' }, { 'if-match': etag }),
      put(path, { ...task, status: 'cancelled' }, { 'if-match': etag }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 412]);
  });

  it('answers 404 for another tenant\'s Task and 403 without fhir.write', async () => {
    const res = await put(`/fhir/Task/${fx.ids.b.taskOnAPlan}`, { resourceType: 'Task', id: fx.ids.b.taskOnAPlan, status: 'completed', intent: 'order' }, { 'if-match': 'W/"1"' });
    expect(res.status).toBe(404);
    const { resource: task, etag } = await current<Task>(`/fhir/Task/${fx.ids.a.task}`);
    const noWrite = await put(`/fhir/Task/${fx.ids.a.task}`, { ...task, status: 'completed' }, { 'if-match': etag }, KEYS.jura);
    expect(noWrite.status).toBe(403);
    expect((await outcome(noWrite))[0]?.text).toContain('fhir.write');
    expect(TENANT_B.tenant).not.toBe(TENANT_A.tenant);
  });

  it('refuses a body of another type or id, and a status FHIR does not know', async () => {
    const path = `/fhir/Task/${fx.ids.a.task}`;
    const { resource: task, etag } = await current<Task>(path);
    expect((await put(path, { ...task, id: 'other' }, { 'if-match': etag })).status).toBe(400);
    expect((await put(path, { ...task, resourceType: 'CarePlan' }, { 'if-match': etag })).status).toBe(400);
    const invalid = await put(path, { ...task, status: 'finito' }, { 'if-match': etag });
    expect(invalid.status).toBe(400);
    expect((await current<Task>(path)).etag).toBe(etag);
  });
});

describe('PUT CarePlan', () => {
  it('changes an activity\'s status, and nothing else', async () => {
    const path = `/fhir/CarePlan/${fx.ids.a.plan}`;
    const { resource: plan, etag } = await current<CarePlan>(path);
    const next = structuredClone(plan);
    next.activity![0]!.detail!.status = 'completed';
    next.activity![0]!.progress = [{ text: 'fait le 3 novembre' }];
    const res = await put(path, next, { 'if-match': etag });
    expect(res.status).toBe(200);
    expect(((await res.json()) as CarePlan).activity?.[0]?.detail?.status).toBe('completed');

    const after = await current<CarePlan>(path);
    const changed = structuredClone(after.resource);
    changed.activity![0]!.detail!.description = 'Autre soin';
    changed.status = 'completed';
    const refused = await put(path, changed, { 'if-match': after.etag });
    expect(refused.status).toBe(403);
    expect((await outcome(refused)).map((i) => i.expression[0])).toEqual(['CarePlan.status', 'CarePlan.activity[0].detail.description']);
  });

  /** The seeded plan with one more activity of another contributor (written straight to the store). */
  async function planWithHospitalActivity(): Promise<{ path: string; plan: CarePlan; etag: string; hospitalIndex: number }> {
    const path = `/fhir/CarePlan/${fx.ids.a.plan}`;
    const { resource } = await current<CarePlan>(path);
    const others = (resource.activity ?? []).filter((a) => readOrigin(a.extension)?.client !== HOSPITAL);
    const hospital = {
      extension: [{ url: EXTENSION.origin, extension: [{ url: 'client', valueString: HOSPITAL }, { url: 'id', valueString: 'sortie/V1' }] }],
      detail: { status: 'not-started' as const, description: 'Réévaluation après la sortie' },
    };
    await fx.fhir.update({ ...resource, activity: [...others, hospital] });
    const { resource: plan, etag } = await current<CarePlan>(path);
    return { path, plan, etag, hospitalIndex: plan.activity!.length - 1 };
  }

  it('adds an activity, stamped with the caller\'s origin, then lets the caller change and remove it', async () => {
    const { path, plan, etag } = await planWithHospitalActivity();
    const next = structuredClone(plan);
    next.activity!.push({ detail: { status: 'scheduled', description: 'Atelier mémoire le mardi' } });
    const res = await put(path, next, { 'if-match': etag, 'x-request-id': 'put-plan-add' });
    expect(res.status).toBe(200);
    const added = (await res.json()) as CarePlan;
    const mine = added.activity!.at(-1)!;
    const origin = readOrigin(mine.extension);
    expect(origin?.client).toBe(TENANT_A.clientId);
    expect(origin?.id).toMatch(/^fhir-[0-9a-f]{16}$/);
    expect(added.activity).toHaveLength(plan.activity!.length + 1);

    // The write is announced as careplan.updated by its writer, keyed on the version.
    const event = facadeWriteEvent(fx.writes.at(-1)!);
    expect(event).toMatchObject({
      type: 'careplan.updated', sourceClientId: TENANT_A.clientId, tenant: TENANT_A.tenant,
      patientRef: `Patient/${fx.ids.a.patient}`, resourceRef: `CarePlan/${fx.ids.a.plan}`,
      eventKey: `CarePlan/${fx.ids.a.plan}/_history/${added.meta?.versionId}`, requestId: 'put-plan-add',
    });
    expect(PublishEventInputSchema.safeParse(event).success).toBe(true);

    const changed = structuredClone(added);
    changed.activity!.at(-1)!.detail!.description = 'Atelier mémoire le jeudi';
    const res2 = await put(path, changed, { 'if-match': res.headers.get('etag')! });
    expect(res2.status).toBe(200);
    const afterChange = (await res2.json()) as CarePlan;
    expect(afterChange.activity!.at(-1)!.detail!.description).toBe('Atelier mémoire le jeudi');
    expect(readOrigin(afterChange.activity!.at(-1)!.extension)).toEqual(origin);

    const removed = { ...afterChange, activity: afterChange.activity!.slice(0, -1) };
    const res3 = await put(path, removed, { 'if-match': res2.headers.get('etag')! });
    expect(res3.status).toBe(200);
    expect(((await res3.json()) as CarePlan).activity).toHaveLength(plan.activity!.length);
  });

  it('refuses changing another contributor\'s activity content, but not its status', async () => {
    const { path, plan, etag, hospitalIndex } = await planWithHospitalActivity();
    const next = structuredClone(plan);
    next.activity![hospitalIndex]!.detail!.description = 'Réécrite par le DAC';
    next.activity![hospitalIndex]!.detail!.status = 'in-progress';
    const refused = await put(path, next, { 'if-match': etag });
    expect(refused.status).toBe(403);
    const issues = await outcome(refused);
    expect(issues.map((i) => i.expression[0])).toEqual([`CarePlan.activity[${hospitalIndex}].detail.description`]);
    expect(issues[0]?.text).toContain('another contributor');

    const statusOnly = structuredClone(plan);
    statusOnly.activity![hospitalIndex]!.detail!.status = 'in-progress';
    const accepted = await put(path, statusOnly, { 'if-match': etag });
    expect(accepted.status).toBe(200);
    expect(((await accepted.json()) as CarePlan).activity![hospitalIndex]!.detail!.status).toBe('in-progress');
  });

  it('refuses removing another contributor\'s activity, or adding one under its origin', async () => {
    const { path, plan, etag, hospitalIndex } = await planWithHospitalActivity();
    const without = { ...plan, activity: plan.activity!.filter((_, i) => i !== hospitalIndex) };
    const removed = await put(path, without, { 'if-match': etag });
    expect(removed.status).toBe(403);
    expect((await outcome(removed)).map((i) => i.expression[0])).toEqual([`CarePlan.activity[${hospitalIndex}]`]);

    const forged = structuredClone(plan);
    forged.activity!.push({
      extension: [{ url: EXTENSION.origin, extension: [{ url: 'client', valueString: HOSPITAL }, { url: 'id', valueString: 'forged' }] }],
      detail: { status: 'not-started', description: 'Au nom du CHU' },
    });
    const claimed = await put(path, forged, { 'if-match': etag });
    expect(claimed.status).toBe(403);
    expect((await outcome(claimed)).map((i) => i.expression[0])).toEqual([`CarePlan.activity[${plan.activity!.length}].extension`]);
    expect((await current<CarePlan>(path)).etag).toBe(etag);
  });
});

describe('other writes', () => {
  it('answers 405 on read-only types and interactions', async () => {
    const patient = await put(`/fhir/Patient/${fx.ids.a.patient}`, { resourceType: 'Patient', id: fx.ids.a.patient }, { 'if-match': 'W/"1"' });
    expect(patient.status).toBe(405);
    expect(patient.headers.get('allow')).toBe('GET');
    const del = await fx.request(`/fhir/Task/${fx.ids.a.task}`, { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, PUT');
    const create = await fx.request('/fhir/Task', { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: '{}' });
    expect(create.status).toBe(405);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await fx.request(`/fhir/Task/${fx.ids.a.task}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json', 'if-match': 'W/"1"' }, body: '{oops' });
    expect(res.status).toBe(400);
    const xml = await fx.request(`/fhir/Task/${fx.ids.a.task}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+xml', 'if-match': 'W/"1"' }, body: '<Task/>' });
    expect(xml.status).toBe(415);
  });
});
