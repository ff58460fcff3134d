/**
 * One shared plan, three contributors (SPEC §5), through the whole product: the DAC writes its
 * case over `/v1`, the hospital's discharge (HL7 over MLLP) adds the reassessment, the EHPAD adds
 * its own activity through `PUT /fhir` — and the DAC's next case write, which drops one of its
 * actions, keeps the other two contributors' activities. The pathway shows all three with their
 * origin; the EHPAD's change reaches the DAC as a webhook and never echoes back to the EHPAD.
 */
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import type { CarePlan, CarePlanActivity } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOrigin } from '../mappings/case/from-fhir/common.js';
import type { PathwayView } from '../mappings/pathway/index.js';
import { CODE_SYSTEM } from '../profiles/canonical.js';
import { eventually, startReceiver, type Receiver } from '../workers/webhooks/testing/receiver.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';

const KEYS = { dac: 'demo-dac-key', ehpad: 'demo-ehpad-key' } as const;
const CLIENT = { dac: 'dac-doubs', hospital: 'chu-besancon', ehpad: 'ehpad-tilleuls' } as const;
const INS = '279035121518989';
const SECRET = 'a-secret-of-sixteen-chars-or-more';
const EHPAD_ACTIVITY = 'Atelier mémoire hebdomadaire (EHPAD)';

let gw: GatewayProcess;
let receiver: Receiver;
let dupont: { plan: { actions: { id: string; label: string }[] } } & Record<string, unknown>;

/** A fixture ADT message as the CHU sends it: its facility, and the DAC patient's qualified INS (PID-32 VALI). */
async function adt(name: 'adt-a01-pam-fr' | 'adt-a03-pam-fr'): Promise<string> {
  const text = (await readFile(new URL(`../mappings/hl7/__fixtures__/${name}.hl7`, import.meta.url))).toString('latin1');
  expect(text).toContain('|VALI');
  return text.split('CH_EXEMPLE').join('CHU_BESANCON').split('152072505612380').join(INS);
}

/** Sends one MLLP frame on a fresh connection and resolves with the ACK's MSA-1. */
function sendMllp(message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: gw.mllpPort! });
    const chunks: Buffer[] = [];
    socket.setTimeout(15_000, () => socket.destroy(new Error('no ACK within 15 s')));
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      if (all.includes(Buffer.from([0x1c, 0x0d]))) {
        socket.end();
        const msa = all.toString('latin1').split('\r').find((s) => s.startsWith('MSA|')) ?? '';
        resolve(msa.split('|')[1] ?? '');
      }
    });
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([0x0b]), Buffer.from(message, 'latin1'), Buffer.from([0x1c, 0x0d])])));
  });
}

async function putCase(body: unknown): Promise<string[]> {
  const res = await fetch(`${gw.httpUrl}/v1/cases/CASE-DUPONT?wait=true`, {
    method: 'PUT', headers: { authorization: `Bearer ${KEYS.dac}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  const answer = (await res.json()) as { status: string; resources?: string[] };
  expect(res.status).toBe(200);
  expect(answer.status).toBe('completed');
  return answer.resources ?? [];
}

async function readPlan(planRef: string, key: string = KEYS.ehpad): Promise<{ plan: CarePlan; etag: string }> {
  const res = await fetch(`${gw.httpUrl}/fhir/${planRef}`, { headers: { authorization: `Bearer ${key}` } });
  expect(res.status).toBe(200);
  return { plan: (await res.json()) as CarePlan, etag: res.headers.get('etag') ?? '' };
}

const clientOf = (a: CarePlanActivity) => readOrigin(a.extension)?.client;

async function subscribe(who: keyof typeof KEYS, path: string): Promise<void> {
  receiver.expectSecret(path, SECRET);
  const res = await fetch(`${gw.httpUrl}/v1/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEYS[who]}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url(path), events: ['careplan.updated'], secret: SECRET }),
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  // The webhook receiver listens on loopback: the operator allows private webhook addresses here.
  gw = await startGatewayProcess({ env: { ALLOW_PRIVATE_WEBHOOKS: 'true' } });
  receiver = await startReceiver();
  dupont = JSON.parse(await readFile(new URL('../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8')) as typeof dupont;
  await subscribe('dac', '/dac');
  await subscribe('ehpad', '/ehpad');
}, 90_000);

afterAll(async () => {
  await receiver?.close();
  await gw?.destroy();
});

describe('one shared plan, three contributors', () => {
  it('keeps the DAC\'s, the hospital\'s and the EHPAD\'s activities, each with its origin', async () => {
    expect(dupont.plan.actions.map((a) => a.id)).toEqual(['A1', 'A2']);

    // 1. The DAC writes its case (two actions).
    const resources = await putCase(dupont);
    const planRef = resources.find((r) => r.startsWith('CarePlan/'))!;
    const patientId = resources.find((r) => r.startsWith('Patient/'))!.split('/')[1]!;

    // 2. The hospital admits then discharges the same person (found by qualified INS).
    expect(await sendMllp(await adt('adt-a01-pam-fr'))).toBe('AA');
    expect(await sendMllp(await adt('adt-a03-pam-fr'))).toBe('AA');
    await eventually('the reassessment activity of the CHU', async () => (await readPlan(planRef)).plan.activity?.some((a) => clientOf(a) === CLIENT.hospital) ?? false, 30_000);

    // 3. The EHPAD adds its own activity through /fhir, version-aware.
    const { plan, etag } = await readPlan(planRef);
    const putPlan = (body: CarePlan) => fetch(`${gw.httpUrl}/fhir/${planRef}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${KEYS.ehpad}`, 'content-type': 'application/fhir+json', 'if-match': etag },
      body: JSON.stringify(body),
    });
    // The store holds the plan to our profile: an action needs its kind from the closed list.
    const untyped = await putPlan({ ...plan, activity: [...(plan.activity ?? []), { detail: { status: 'scheduled', description: EHPAD_ACTIVITY } }] });
    expect(untyped.status).toBe(400);
    expect(JSON.stringify(await untyped.json())).toContain('psl-pps-2');
    const kind = { coding: [{ system: CODE_SYSTEM.actionKind, code: 'prevention' }] };
    const withMine = { ...plan, activity: [...(plan.activity ?? []), { detail: { status: 'scheduled' as const, description: EHPAD_ACTIVITY, code: kind } }] };
    const put = await putPlan(withMine);
    expect(put.status).toBe(200);
    const written = (await put.json()) as CarePlan;
    const ehpadOrigin = readOrigin(written.activity?.find((a) => a.detail?.description === EHPAD_ACTIVITY)?.extension);
    expect(ehpadOrigin?.client).toBe(CLIENT.ehpad);

    // The EHPAD's change reaches the DAC, not the EHPAD itself.
    const fromFhir = (path: string) => receiver.delivered(path).filter((r) => (r.body['data'] as { via?: string } | undefined)?.via === 'fhir');
    await eventually('the EHPAD\'s change at the DAC', () => fromFhir('/dac').length >= 1, 20_000);
    expect(fromFhir('/dac')[0]?.body).toMatchObject({
      type: 'careplan.updated', resource: planRef, patient: `Patient/${patientId}`, data: { versionId: written.meta?.versionId },
    });
    expect(fromFhir('/dac')[0]?.signatureValid).toBe(true);

    // 4. The DAC drops A2 from its case and writes it again.
    const fewer = structuredClone(dupont);
    fewer.plan.actions = fewer.plan.actions.filter((a) => a.id !== 'A2');
    await putCase(fewer);

    const final = (await readPlan(planRef, KEYS.dac)).plan.activity ?? [];
    const byClient = (client: string) => final.filter((a) => clientOf(a) === client).map((a) => readOrigin(a.extension)?.id);
    expect(byClient(CLIENT.dac)).toEqual(['A1']);
    expect(byClient(CLIENT.hospital)).toEqual([expect.stringMatching(/^sortie\//)]);
    expect(byClient(CLIENT.ehpad)).toEqual([ehpadOrigin?.id]);
    expect(final).toHaveLength(3);

    // 5. The pathway shows the three contributors' activities, with their origin.
    const res = await fetch(`${gw.httpUrl}/v1/patients/${patientId}/pathway`, { headers: { authorization: `Bearer ${KEYS.dac}` } });
    expect(res.status).toBe(200);
    const view = (await res.json()) as PathwayView;
    const shown = view.plans.find((p) => p.id === planRef.split('/')[1])?.activities ?? [];
    expect(shown.map((a) => ({ client: a.origin?.client, name: a.origin?.clientName, id: a.origin?.elementId })).sort((x, y) => String(x.client).localeCompare(String(y.client)))).toEqual([
      { client: CLIENT.hospital, name: 'CHU de Besançon (démo)', id: expect.stringMatching(/^sortie\//) },
      { client: CLIENT.dac, name: 'DAC du Doubs (démo)', id: 'A1' },
      { client: CLIENT.ehpad, name: 'EHPAD Les Tilleuls (démo)', id: ehpadOrigin?.id },
    ]);
    expect(shown.find((a) => a.origin?.client === CLIENT.ehpad)?.label).toBe(EHPAD_ACTIVITY);

    // Never echoed back: the EHPAD hears of the others' changes, not of its own write.
    await eventually('the DAC\'s and the CHU\'s changes at the EHPAD', () => receiver.delivered('/ehpad').length >= 2, 20_000);
    expect(fromFhir('/ehpad')).toHaveLength(0);
  }, 120_000);
});
