/**
 * The pathway end to end, as a coordinator's tool uses it: the product runs as its own process
 * (gateway, workers, embedded FHIR store), a DAC PUTs its case, readers GET the pathway.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathwayViewSchema, type PathwayView } from '../../mappings/pathway/index.js';
import { startGatewayProcess, type GatewayProcess } from '../../test/helpers/gateway-process.js';
import { FhirClient } from '../../workers/fhir-client/index.js';

const key = (k: string) => ({ authorization: `Bearer ${k}` });
const DAC = key('demo-dac-key');

let gw: GatewayProcess;
let patientId: string;

beforeAll(async () => {
  gw = await startGatewayProcess();
  const dupont = await readFile(new URL('../../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8');
  const res = await fetch(`${gw.httpUrl}/v1/cases/CASE-DUPONT?wait=true`, { method: 'PUT', headers: { ...DAC, 'content-type': 'application/json' }, body: dupont });
  const body = (await res.json()) as { status: string; resources: string[] };
  if (res.status !== 200 || body.status !== 'completed') throw new Error(`PUT case failed: ${res.status} ${JSON.stringify(body)}`);
  patientId = body.resources.find((r) => r.startsWith('Patient/'))!.split('/')[1]!;
});

afterAll(async () => {
  await gw?.destroy();
});

async function getPathway(id: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${gw.httpUrl}/v1/patients/${id}/pathway`, { headers });
  return { status: res.status, body: await res.json() };
}

describe('GET /v1/patients/{patientId}/pathway (gateway process)', () => {
  let view: PathwayView;

  it('answers the pathway of the case the DAC just wrote', async () => {
    const { status, body } = await getPathway(patientId, DAC);
    expect(status).toBe(200);
    view = PathwayViewSchema.parse(body);
    expect(view.patient).toMatchObject({ id: patientId, displayName: 'Jeanne Marie DUPONT', identityStatus: { code: 'qualified' } });
  });

  it('shows the plan and its activities, each with the DAC as origin (named from the clients file)', () => {
    expect(view.plans).toHaveLength(1);
    expect(view.plans[0]).toMatchObject({ title: 'PPS de Mme DUPONT', status: { code: 'active', display: 'En cours' }, planId: 'PPS-42' });
    expect(view.plans[0]!.activities.map((a) => [a.label, a.status.display, a.origin?.client, a.origin?.clientName])).toEqual([
      ['Kinésithérapie 2 fois par semaine', 'En cours', 'dac-doubs', 'DAC du Doubs (démo)'],
      ['Portage des repas', 'Planifiée', 'dac-doubs', 'DAC du Doubs (démo)'],
    ]);
  });

  it('shows the cercle de soins with French roles, the médecin traitant first', () => {
    expect(view.team.map((m) => [m.role.display, m.name ?? m.organization])).toEqual([
      ['Médecin traitant', 'Luc BERNARD'],
      ['Infirmier ou infirmière', 'RPPS 10101010105'],
      ['Coordinateur de parcours (gestionnaire de cas)', 'NOËL'],
      ['Référent EHPAD', 'EHPAD Les Tilleuls'],
      ['Aidant', 'Anne DUPONT'],
    ]);
    expect(view.supportRequests.map((s) => s.status.display)).toEqual(['Acceptée']);
    expect(view.issues).toEqual([]);
  });

  it('answers the same pathway to another client of the tenant (the EHPAD)', async () => {
    const { status, body } = await getPathway(patientId, key('demo-ehpad-key'));
    expect(status).toBe(200);
    expect(body).toEqual(view);
  });

  it('answers 404 to another tenant, exactly as for an unknown id', async () => {
    const foreign = await getPathway(patientId, key('demo-jura-key'));
    const unknown = await getPathway('does-not-exist', key('demo-jura-key'));
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(unknown.body);
  });

  it('refuses a client without fhir.read', async () => {
    expect((await getPathway(patientId, key('demo-admin-key'))).status).toBe(403);
  });

  it('records an AuditEvent of the read, naming the person', async () => {
    const fhir = new FhirClient({ baseUrl: gw.fhirBaseUrl });
    try {
      let events: unknown[] = [];
      // The audit sink writes in batches, off the request path (flush within about a second).
      for (let i = 0; i < 50 && events.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 200));
        events = await fhir.searchAll('AuditEvent', { entity: `Patient/${patientId}` });
      }
      expect(events.length).toBeGreaterThan(0);
    } finally {
      await fhir.close();
    }
  });
});

describe('GET /v1/patients and the API description (gateway process)', () => {
  it('lists the tenant’s persons for the DAC, none for another tenant', async () => {
    const own = (await (await fetch(`${gw.httpUrl}/v1/patients`, { headers: DAC })).json()) as { patients: { id: string }[] };
    expect(own.patients.map((p) => p.id)).toContain(patientId);
    const jura = (await (await fetch(`${gw.httpUrl}/v1/patients`, { headers: key('demo-jura-key') })).json()) as { patients: { id: string }[] };
    expect(jura.patients.map((p) => p.id)).not.toContain(patientId);
  });

  it('describes the pathway in /openapi.json from the same zod schema', async () => {
    const doc = (await (await fetch(`${gw.httpUrl}/openapi.json`)).json()) as {
      paths: Record<string, { get?: { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }> } }>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const ok = doc.paths['/v1/patients/{patientId}/pathway']?.get?.responses?.['200']?.content?.['application/json']?.schema;
    expect(ok?.$ref).toBe('#/components/schemas/PathwayView');
    expect(Object.keys(doc.components.schemas.PathwayView?.properties ?? {})).toEqual(['patient', 'plans', 'team', 'supportRequests', 'stays', 'openTasks', 'issues']);
    expect(doc.paths['/v1/patients']?.get).toBeDefined();
  });

  it('serves the web view from the gateway (with a key until /ui/ is made public at the edge)', async () => {
    const res = await fetch(`${gw.httpUrl}/ui/`, { headers: DAC });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<html lang="fr">');
  });
});
