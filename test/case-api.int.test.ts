/**
 * The case API end to end, as a vendor uses it: the gateway runs as its own process (with the
 * embedded FHIR store beside it), requests go over HTTP, results are read back from the store.
 */
import { readFile } from 'node:fs/promises';
import type { Bundle, CarePlan, CareTeam, Patient, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODE_SYSTEM, EXTENSION, FR_SYSTEM } from '../profiles/canonical.js';
import { validateAgainstProfiles } from '../profiles/index.js';
import { FhirClient } from '../workers/fhir-client/index.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';

const DAC = { authorization: 'Bearer demo-dac-key', 'content-type': 'application/json' };
const JURA = { authorization: 'Bearer demo-jura-key', 'content-type': 'application/json' };

let gw: GatewayProcess;
let fhir: FhirClient;
let dupont: Record<string, unknown>;

beforeAll(async () => {
  gw = await startGatewayProcess();
  fhir = new FhirClient({ baseUrl: gw.fhirBaseUrl });
  dupont = JSON.parse(await readFile(new URL('../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8')) as Record<string, unknown>;
});

afterAll(async () => {
  await fhir?.close();
  await gw?.destroy();
});

async function putCase(caseId: string, body: unknown, headers: Record<string, string> = DAC) {
  const res = await fetch(`${gw.httpUrl}/v1/cases/${caseId}?wait=true`, { method: 'PUT', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as { jobId: string; status: string; resources?: string[]; errors?: { path: string; message: string }[] } };
}

async function readAll(references: string[]): Promise<Resource[]> {
  return Promise.all(references.map((ref) => {
    const [type, id] = ref.split('/') as [Parameters<FhirClient['read']>[0], string];
    return fhir.read(type, id) as Promise<Resource>;
  }));
}

describe('PUT /v1/cases/{caseId}', () => {
  let firstWrite: { resources: string[]; jobId: string };

  it('writes the SPEC example and answers with every FHIR reference it wrote', async () => {
    const { status, body } = await putCase('CASE-DUPONT', dupont);
    expect(status).toBe(200);
    expect(body.status).toBe('completed');
    const types = new Set(body.resources?.map((r) => r.split('/')[0]));
    for (const type of ['Patient', 'CarePlan', 'CareTeam', 'ServiceRequest', 'Organization', 'Practitioner', 'Goal', 'Condition']) {
      expect(types).toContain(type);
    }
    firstWrite = { resources: body.resources ?? [], jobId: body.jobId };
  });

  it('stores the patient with the FR Core INS identifier of a qualified identity', async () => {
    const patientRef = firstWrite.resources.find((r) => r.startsWith('Patient/'))!;
    const patient = (await fhir.read('Patient', patientRef.split('/')[1]!)) as Patient;
    const ins = patient.identifier?.find((i) => i.system === FR_SYSTEM.insNir);
    expect(ins).toMatchObject({ use: 'official', value: '279035121518989' });
    expect(ins?.type?.coding?.[0]).toMatchObject({ system: FR_SYSTEM.frCoreIdentifierType, code: 'INS-NIR' });
  });

  it('reads back through /fhir with FR Core identifier systems, and only for its own tenant', async () => {
    const ins = encodeURIComponent(`${FR_SYSTEM.insNir}|279035121518989`);
    const own = (await (await fetch(`${gw.httpUrl}/fhir/Patient?identifier=${ins}`, { headers: DAC })).json()) as Bundle;
    expect(own.entry?.map((e) => e.resource?.resourceType)).toEqual(['Patient']);
    const other = (await (await fetch(`${gw.httpUrl}/fhir/Patient?identifier=${ins}`, { headers: JURA })).json()) as Bundle;
    expect(other.entry ?? []).toHaveLength(0);

    const planRef = firstWrite.resources.find((r) => r.startsWith('CarePlan/'))!;
    const withTeam = await fetch(`${gw.httpUrl}/fhir/${planRef}`, { headers: DAC });
    expect(withTeam.status).toBe(200);
    expect(withTeam.headers.get('content-type')).toContain('application/fhir+json');
    expect((await fetch(`${gw.httpUrl}/fhir/${planRef}`, { headers: JURA })).status).toBe(404);

    const included = (await (await fetch(`${gw.httpUrl}/fhir/CarePlan?_id=${planRef.split('/')[1]}&_include=CarePlan:care-team&_include=CarePlan:subject`, { headers: DAC })).json()) as Bundle;
    expect(new Set(included.entry?.map((e) => e.resource?.resourceType))).toEqual(new Set(['CarePlan', 'CareTeam', 'Patient']));
  });

  it('stores resources that validate against base R4 and our profiles', async () => {
    for (const resource of await readAll(firstWrite.resources)) {
      expect(() => validateAgainstProfiles(resource)).not.toThrow();
    }
  });

  it('changes nothing when the same body is sent twice: every versionId stays', async () => {
    const before = await readAll(firstWrite.resources);
    const { status, body } = await putCase('CASE-DUPONT', dupont);
    expect(status).toBe(200);
    const after = await readAll(body.resources ?? []);
    const versions = (rs: Resource[]) => Object.fromEntries(rs.map((r) => [`${r.resourceType}/${r.id}`, r.meta?.versionId]));
    const beforeVersions = versions(before);
    const afterVersions = versions(after);
    for (const [ref, version] of Object.entries(beforeVersions)) {
      if (ref.startsWith('Provenance/')) continue;
      expect(afterVersions[ref], ref).toBe(version);
    }
  });

  it('names each faulty field of a bad case with 400 and writes nothing', async () => {
    const countBefore = ((await fhir.search('CarePlan', { _summary: 'count' })) as Bundle).total;
    const bad = structuredClone(dupont) as { team: { members: { role: string }[] }; patient: { birthDate: string; ins: { value: string } }; plan: { actions: { kind: string }[] } };
    bad.team.members[2]!.role = 'sorcier';
    bad.patient.birthDate = '12/05/1938';
    bad.patient.ins.value = '279035121518988';
    bad.plan.actions[0]!.kind = 'inconnu';
    const { status, body } = await putCase('CASE-BAD', bad);
    expect(status).toBe(400);
    const paths = body.errors?.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['team.members.2.role', 'patient.birthDate', 'patient.ins.value', 'plan.actions.0.kind']));
    expect(((await fhir.search('CarePlan', { _summary: 'count' })) as Bundle).total).toBe(countBefore);
  });

  it('names an unknown field instead of dropping it', async () => {
    const { status, body } = await putCase('CASE-BAD', { ...dupont, nickname: 'Jeannot' });
    expect(status).toBe(400);
    expect(body.errors?.map((e) => e.path)).toContain('nickname');
  });

  it('answers 202 with a job to poll when not asked to wait', async () => {
    const res = await fetch(`${gw.httpUrl}/v1/cases/CASE-DUPONT`, { method: 'PUT', headers: DAC, body: JSON.stringify(dupont) });
    expect(res.status).toBe(202);
    const { jobId, status } = (await res.json()) as { jobId: string; status: string };
    expect(status).toBe('queued');
    let job: { status: string } = { status: 'queued' };
    for (let i = 0; i < 100 && job.status !== 'completed'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await (await fetch(`${gw.httpUrl}/v1/jobs/${jobId}`, { headers: DAC })).json()) as { status: string };
    }
    expect(job.status).toBe('completed');
  });

  it('keeps two territories apart even for the same person: another tenant’s case never takes over the patient', async () => {
    const doubsPatient = firstWrite.resources.find((r) => r.startsWith('Patient/'))!;
    const jura = await putCase('CASE-JURA', dupont, JURA);
    expect(jura.status).toBe(200);
    const juraPatient = jura.body.resources!.find((r) => r.startsWith('Patient/'))!;
    expect(juraPatient).not.toBe(doubsPatient);
    expect((await fetch(`${gw.httpUrl}/fhir/${doubsPatient}`, { headers: DAC })).status).toBe(200);
    expect((await fetch(`${gw.httpUrl}/fhir/${doubsPatient}`, { headers: JURA })).status).toBe(404);
  });

  it('hides one client’s jobs from a client of another tenant', async () => {
    const res = await fetch(`${gw.httpUrl}/v1/jobs/${firstWrite.jobId}`, { headers: JURA });
    expect(res.status).toBe(404);
  });

  it('refuses a client without the cases.write scope', async () => {
    const res = await fetch(`${gw.httpUrl}/v1/cases/X1`, { method: 'PUT', headers: { ...DAC, authorization: 'Bearer demo-ehpad-key' }, body: JSON.stringify(dupont) });
    expect(res.status).toBe(403);
  });
});

describe('one shared plan', () => {
  it('keeps the activity another contributor added when the DAC rewrites its case, and drops the DAC’s removed action', async () => {
    const first = await putCase('CASE-SHARED', dupont);
    const planRef = first.body.resources!.find((r) => r.startsWith('CarePlan/'))!;
    const plan = (await fhir.read('CarePlan', planRef.split('/')[1]!)) as CarePlan;
    const hospitalActivity = {
      extension: [{ url: EXTENSION.origin, extension: [{ url: 'client', valueString: 'chu-besancon' }, { url: 'id', valueString: 'SORTIE-1' }] }],
      detail: { status: 'not-started' as const, description: 'Réévaluation du PPS après la sortie', code: { coding: [{ system: CODE_SYSTEM.actionKind, code: 'evaluation' }] } },
    };
    await fhir.update({ ...plan, activity: [...(plan.activity ?? []), hospitalActivity] }, { ifMatch: plan.meta?.versionId });

    const fewerActions = structuredClone(dupont) as { plan: { actions: unknown[] } };
    fewerActions.plan.actions = fewerActions.plan.actions.slice(0, 1);
    const second = await putCase('CASE-SHARED', fewerActions);
    expect(second.status).toBe(200);
    const after = (await fhir.read('CarePlan', planRef.split('/')[1]!)) as CarePlan;
    const descriptions = after.activity?.map((a) => a.detail?.description);
    expect(descriptions).toContain('Réévaluation du PPS après la sortie');
    expect(descriptions).toContain('Kinésithérapie 2 fois par semaine');
    expect(descriptions).not.toContain('Portage des repas');
  });
});

describe('DELETE /v1/cases/{caseId}', () => {
  it('revokes the plan and makes the team inactive, without deleting anything', async () => {
    const res = await fetch(`${gw.httpUrl}/v1/cases/CASE-DUPONT?wait=true`, { method: 'DELETE', headers: DAC });
    expect(res.status).toBe(200);
    const { resources } = (await res.json()) as { resources: string[] };
    const written = await readAll(resources);
    const plan = written.find((r): r is CarePlan => r.resourceType === 'CarePlan');
    const team = written.find((r): r is CareTeam => r.resourceType === 'CareTeam');
    expect(plan?.status).toBe('revoked');
    expect(team?.status).toBe('inactive');
  });

  it('answers 422 for a case that does not exist', async () => {
    const res = await fetch(`${gw.httpUrl}/v1/cases/NO-SUCH-CASE?wait=true`, { method: 'DELETE', headers: DAC });
    expect(res.status).toBe(422);
  });
});

describe('GET /v1/code-lists', () => {
  it('publishes the closed code lists with French display names', async () => {
    const res = await fetch(`${gw.httpUrl}/v1/code-lists`, { headers: DAC });
    expect(res.status).toBe(200);
    const lists = (await res.json()) as Record<string, { codes: { code: string; display: string }[] }>;
    const roles = Object.values(lists).find((l) => l.codes.some((c) => c.code === 'medecin-traitant'));
    expect(roles?.codes.find((c) => c.code === 'medecin-traitant')?.display).toMatch(/[Mm]édecin traitant/);
  });
});
