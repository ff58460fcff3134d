/**
 * The pathway routes in-process (createApp + the real FHIR client) against the embedded FHIR
 * store running as its own process: tenancy, scopes, the audit record, the patient list and
 * what the caller sees when the store fails.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, CareTeam, Encounter, Organization, Patient, RelatedPerson } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathwayViewSchema, type PathwayView } from '../../mappings/pathway/index.js';
import { dischargeTask, reassessmentActivity } from '../../mappings/adt/index.js';
import { CODE_SYSTEM, EXTENSION, FR_SYSTEM } from '../../profiles/canonical.js';
import { startFhirStoreProcess, type FhirStoreProcess } from '../../test/helpers/fhir-store-process.js';
import { FhirClient } from '../../workers/fhir-client/index.js';
import { createApp } from '../app.js';
import { ClientRegistry, sha256Hex } from '../auth/client-registry.js';
import type { Client } from '../auth/clients-file.js';
import type { AuditRecord } from '../fhir-facade/index.js';
import { createLogger } from '../log.js';
import { registerPathwayRoutes } from './routes.js';

const client = (id: string, tenant: string, scopes: string[]): Client => ({ id, name: `${id} (nom)`, tenant, apiKeySha256: sha256Hex(`${id}-key`), scopes, hl7Facilities: [] });
const CLIENTS = [
  client('dac-doubs', 'doubs', ['fhir.read', 'cases.write']),
  client('chu-besancon', 'doubs', ['fhir.read']),
  client('dac-jura', 'jura', ['fhir.read']),
  client('ops', 'doubs', ['admin']),
];
const NAMES: Record<string, string> = { 'dac-doubs': 'DAC du Doubs', 'chu-besancon': 'CHU de Besançon' };
const auth = (id: string) => ({ headers: { authorization: `Bearer ${id}-key` } });
const tags = (tenant: string, owner: string) => ({ tag: [{ system: CODE_SYSTEM.tenant, code: tenant }, { system: CODE_SYSTEM.owner, code: owner }] });

let dataDir: string;
let store: FhirStoreProcess;
let fhir: FhirClient;
let app: ReturnType<typeof createApp>;
const audits: AuditRecord[] = [];
let patientId: string;
let juraPatientId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'pathway-routes-'));
  store = await startFhirStoreProcess({ dataDir });
  fhir = new FhirClient({ baseUrl: store.baseUrl, retry: { attempts: 1 } });
  app = createApp({
    logger: createLogger('silent'),
    clients: new ClientRegistry(CLIENTS),
    bodyLimit: 1 << 20,
    checkReadiness: async () => ({}),
    routes: [(a) => registerPathwayRoutes(a, { fhir, clientName: (id) => NAMES[id], audit: { record: (e) => audits.push(e) } })],
  });

  // The golden Dupont case (DAC du Doubs, tenant doubs), written as the cases worker writes it.
  const golden = JSON.parse(await readFile(new URL('../../mappings/case/__golden__/case-dupont.bundle.json', import.meta.url), 'utf8')) as Bundle;
  await fhir.transaction(golden);
  const patient = (await fhir.searchOne('Patient', { identifier: `${FR_SYSTEM.insNir}|279035121518989` }))!;
  patientId = patient.id;
  const plan = (await fhir.searchOne('CarePlan', { subject: `Patient/${patientId}` }))!;
  const team = (await fhir.searchOne('CareTeam', { subject: `Patient/${patientId}` }))! as CareTeam & { id: string };
  const dacOrg = (await fhir.searchOne('Organization', { identifier: `${FR_SYSTEM.finess}|250012341` }))!;

  // The hospital's discharge, with the HL7 worker's builders: stay, task, plan activity.
  const chu = await fhir.create<Organization>({ resourceType: 'Organization', meta: tags('doubs', 'chu-besancon'), name: 'CHU Jean Minjoz' });
  const stay = await fhir.create<Encounter>({
    resourceType: 'Encounter', meta: tags('doubs', 'chu-besancon'), status: 'finished', class: { code: 'IMP' },
    subject: { reference: `Patient/${patientId}` }, serviceProvider: { reference: `Organization/${chu.id}` },
    period: { start: '2024-05-02T10:00:00+02:00', end: '2024-05-09T15:30:00+02:00' },
    hospitalization: { dischargeDisposition: { coding: [{ system: CODE_SYSTEM.exitMode, code: '8', display: 'Retour au domicile' }] } },
  });
  await fhir.create(dischargeTask({
    encounterRef: { reference: `Encounter/${stay.id}` }, patientRef: { reference: `Patient/${patientId}` },
    ownerOrgRef: { reference: `Organization/${dacOrg.id}` }, tenant: 'doubs', clientId: 'chu-besancon', visitKey: 'V1',
    now: '2024-05-09T15:31:00+02:00',
  }));
  await fhir.update({ ...plan, activity: [...plan.activity!, reassessmentActivity({ clientId: 'chu-besancon', visitKey: 'V1' })] });

  // Another tenant's person, and another tenant's close person wrongly referenced from this team.
  const jura = await fhir.create<Patient>({ resourceType: 'Patient', meta: tags('jura', 'dac-jura'), name: [{ family: 'JURASSIEN', given: ['Paul'] }] });
  juraPatientId = jura.id;
  const intruder = await fhir.create<RelatedPerson>({ resourceType: 'RelatedPerson', meta: tags('jura', 'dac-jura'), patient: { reference: `Patient/${jura.id}` }, name: [{ family: 'SECRET' }] });
  await fhir.update({ ...team, participant: [...team.participant!, {
    member: { reference: `RelatedPerson/${intruder.id}` },
    role: [{ coding: [{ system: CODE_SYSTEM.teamRole, code: 'aidant' }, { system: FR_SYSTEM.treR260RoleClass, code: 'CAREGIVER' }] }],
    extension: [{ url: EXTENSION.origin, extension: [{ url: 'client', valueString: 'dac-jura' }, { url: 'case', valueString: 'X' }, { url: 'id', valueString: 'CP9' }] }],
  }] });
});

afterAll(async () => {
  await fhir?.close();
  await store?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function pathway(id: string, who = 'dac-doubs'): Promise<{ status: number; body: unknown }> {
  const res = await app.request(`/v1/patients/${id}/pathway`, auth(who));
  return { status: res.status, body: await res.json() };
}

describe('GET /v1/patients/{patientId}/pathway', () => {
  let view: PathwayView;

  it('answers the pathway in the published schema', async () => {
    const { status, body } = await pathway(patientId);
    expect(status).toBe(200);
    view = PathwayViewSchema.parse(body);
    expect(view).toStrictEqual(body);
  });

  it('shows the plan with the DAC’s and the hospital’s activities, each with its contributor', () => {
    expect(view.plans.map((p) => p.title)).toEqual(['PPS de Mme DUPONT']);
    expect(view.plans[0]!.activities.map((a) => [a.label, a.origin?.clientName])).toEqual([
      ['Kinésithérapie 2 fois par semaine', 'DAC du Doubs'],
      ['Portage des repas', 'DAC du Doubs'],
      ["Réévaluation du PPS après la sortie d'hospitalisation", 'CHU de Besançon'],
    ]);
  });

  it('resolves the team through the directory, the coordinator through its role', () => {
    const byRole = Object.fromEntries(view.team.map((m) => [m.role.code, m]));
    expect(byRole['medecin-traitant']).toMatchObject({ role: { display: 'Médecin traitant' }, name: 'Luc BERNARD' });
    expect(byRole['coordinateur']).toMatchObject({ name: 'NOËL', organization: 'FINESS 250012341' });
    expect(byRole['ehpad-referent']).toMatchObject({ organization: 'EHPAD Les Tilleuls' });
  });

  it('shows the stay and the open discharge task', () => {
    expect(view.stays).toEqual([expect.objectContaining({ status: { code: 'finished', display: 'Terminé' }, serviceProvider: expect.objectContaining({ display: 'CHU Jean Minjoz' }) as unknown, dischargeDisposition: { code: '8', display: 'Retour au domicile' } })]);
    expect(view.openTasks).toEqual([expect.objectContaining({ discharge: true, owner: expect.objectContaining({ display: 'FINESS 250012341' }) as unknown, origin: { client: 'chu-besancon', clientName: 'CHU de Besançon' } })]);
  });

  it('never shows another tenant’s data referenced from this tenant’s team', () => {
    expect(JSON.stringify(view)).not.toContain('SECRET');
    expect(view.issues).toEqual([expect.stringMatching(/^CareTeam\/.*participant\[5\]: référence introuvable \(RelatedPerson\//)]);
  });

  it('records the read of personal data: every resource of the person, not the directory', () => {
    const record = audits.find((a) => a.ids.includes(`Patient/${patientId}`) && a.interaction === 'read')!;
    expect(record).toMatchObject({ action: 'R', clientId: 'dac-doubs', tenant: 'doubs', outcome: 'success' });
    const types = new Set(record.ids.map((r) => r.split('/')[0]));
    expect([...types].sort()).toEqual(['CarePlan', 'CareTeam', 'Condition', 'Encounter', 'Goal', 'Patient', 'RelatedPerson', 'ServiceRequest', 'Task']);
  });

  it('answers 404 for another tenant’s person exactly as for an unknown id', async () => {
    const foreign = await pathway(patientId, 'dac-jura');
    const unknown = await pathway('no-such-patient', 'dac-jura');
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
    expect((await pathway(juraPatientId)).status).toBe(404);
    expect((await pathway(juraPatientId, 'dac-jura')).status).toBe(200);
  });

  it('refuses a client without fhir.read, and a malformed id by name', async () => {
    expect((await pathway(patientId, 'ops')).status).toBe(403);
    const bad = await pathway('a%20b');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [expect.objectContaining({ path: 'patientId' })] });
    expect((await app.request(`/v1/patients/${patientId}/pathway`)).status).toBe(401);
  });
});

describe('GET /v1/patients', () => {
  it('lists the persons of the caller’s tenant only', async () => {
    const res = await app.request('/v1/patients', auth('dac-doubs'));
    expect(res.status).toBe(200);
    const { patients } = (await res.json()) as { patients: { id: string; displayName: string }[] };
    expect(patients.map((p) => p.displayName)).toEqual(['Jeanne Marie DUPONT']);
    const jura = (await (await app.request('/v1/patients', auth('dac-jura'))).json()) as { patients: { id: string }[] };
    expect(jura.patients.map((p) => p.id)).toEqual([juraPatientId]);
  });

  it('filters by name and bounds the count', async () => {
    const found = (await (await app.request('/v1/patients?name=dupo', auth('dac-doubs'))).json()) as { patients: unknown[] };
    expect(found.patients).toHaveLength(1);
    const none = (await (await app.request('/v1/patients?name=zzz', auth('dac-doubs'))).json()) as { patients: unknown[] };
    expect(none.patients).toHaveLength(0);
    expect((await app.request('/v1/patients?count=1000', auth('dac-doubs'))).status).toBe(400);
  });
});

describe('when the FHIR store is down', () => {
  it('answers 502 problem JSON, not a 500 or the store’s own outcome', async () => {
    await store.stop();
    const res = await app.request(`/v1/patients/${patientId}/pathway`, auth('dac-doubs'));
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
