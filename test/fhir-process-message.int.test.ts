/**
 * `POST /fhir/$process-message` through the whole product (SPEC §3): a gateway process on its
 * embedded store, the DAC's case written over `/v1`, then the hospital's FHIR notifications —
 * an admission announced to a real webhook receiver, a discharge with the same effects as an
 * HL7 A03 (stay finished, *sortie d'hospitalisation* Task owned by the coordinating
 * organization, reassessment activity in the plan), a resend processed once, a replay, and a
 * broken Bundle refused field by field and listed as rejected.
 */
import { readFile } from 'node:fs/promises';
import type { Bundle, CarePlan, Encounter, MessageHeader, OperationOutcome, Organization, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readOrigin } from '../mappings/case/from-fhir/common.js';
import { edit, sampleNotification, type Json } from '../mappings/notification/__fixtures__/sample.js';
import { FR_SYSTEM } from '../profiles/canonical.js';
import { eventually, startReceiver, type Receiver } from '../workers/webhooks/testing/receiver.js';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';

const KEYS = { dac: 'demo-dac-key', hospital: 'demo-hospital-key' } as const;
const HOSPITAL = 'chu-besancon';
const INS = '279035121518989';
const COORDINATOR_FINESS = '250012341';
const SECRET = 'a-secret-of-sixteen-chars-or-more';
const VISIT = 'urn:oid:1.2.250.1.999.1.2|V25000101';

interface MessageItem { id: string; channel: string; status: string; reason?: string; duplicateCount: number; replayCount: number; summary: { controlId?: string } }
interface MessageDetail extends MessageItem { history: { status: string }[] }

let gw: GatewayProcess;
let receiver: Receiver;

/** The sample notification, for the DAC's person (qualified INS), as `event` with Bundle id `id`. */
function notification(event: 'notification-admit' | 'notification-discharge', id: string): Json {
  const bundle = sampleNotification();
  edit(bundle, 'id', id);
  edit(bundle, 'entry.0.resource.eventCoding.code', event);
  edit(bundle, 'entry.2.resource.identifier.1.value', INS);
  if (event === 'notification-admit') {
    edit(bundle, 'entry.1.resource.status', 'in-progress');
    edit(bundle, 'entry.1.resource.period.end', undefined);
    edit(bundle, 'entry.1.resource.hospitalization', undefined);
  }
  return bundle;
}

function post(body: unknown, key: string = KEYS.hospital): Promise<Response> {
  return fetch(`${gw.httpUrl}/fhir/$process-message`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/fhir+json' },
    body: JSON.stringify(body),
  });
}

async function fhirGet<T>(path: string): Promise<T> {
  const res = await fetch(`${gw.httpUrl}/fhir/${path}`, { headers: { authorization: `Bearer ${KEYS.hospital}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

async function messages(): Promise<MessageItem[]> {
  const res = await fetch(`${gw.httpUrl}/v1/messages?limit=50`, { headers: { authorization: `Bearer ${KEYS.hospital}` } });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: MessageItem[] }).items;
}

async function message(bundleId: string): Promise<MessageDetail> {
  const item = (await messages()).find((m) => m.channel === 'fhir-message' && m.summary.controlId === bundleId);
  expect(item, bundleId).toBeDefined();
  const res = await fetch(`${gw.httpUrl}/v1/messages/${item!.id}`, { headers: { authorization: `Bearer ${KEYS.hospital}` } });
  return (await res.json()) as MessageDetail;
}

const written = (m: MessageDetail) => m.history.filter((h) => h.status === 'written').length;

async function dischargeTasks(): Promise<Task[]> {
  const found = await fhirGet<Bundle>(`Task?code=${encodeURIComponent(`${FR_SYSTEM.treR254TypeEvenement}|SOR`)}`);
  return (found.entry ?? []).map((e) => e.resource as Task);
}

beforeAll(async () => {
  gw = await startGatewayProcess({ env: { ALLOW_PRIVATE_WEBHOOKS: 'true' } });
  receiver = await startReceiver();
  const dupont = JSON.parse(await readFile(new URL('../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8')) as unknown;
  const put = await fetch(`${gw.httpUrl}/v1/cases/CASE-DUPONT?wait=true`, {
    method: 'PUT', headers: { authorization: `Bearer ${KEYS.dac}`, 'content-type': 'application/json' }, body: JSON.stringify(dupont),
  });
  expect(put.status).toBe(200);
  receiver.expectSecret('/dac', SECRET);
  const sub = await fetch(`${gw.httpUrl}/v1/subscriptions`, {
    method: 'POST', headers: { authorization: `Bearer ${KEYS.dac}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: receiver.url('/dac'), events: ['patient.admitted', 'patient.discharged'], secret: SECRET }),
  });
  expect(sub.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await receiver?.close();
  await gw?.destroy();
});

describe('POST /fhir/$process-message', () => {
  it('admits, then discharges with the effects of an A03, processes a resend once and replays on demand', async () => {
    // Admission: answered with a response message naming the request, announced to the DAC.
    const admit = await post(notification('notification-admit', 'chu-admit-1'));
    expect(admit.status).toBe(200);
    expect(admit.headers.get('content-type')).toContain('application/fhir+json');
    const answer = (await admit.json()) as Bundle;
    expect(answer.type).toBe('message');
    expect((answer.entry?.[0]?.resource as MessageHeader).response).toEqual({ identifier: 'chu-admit-1', code: 'ok' });
    await eventually('patient.admitted at the DAC', () => receiver.delivered('/dac').some((r) => r.eventType === 'patient.admitted'), 30_000);
    expect(receiver.delivered('/dac').every((r) => r.signatureValid)).toBe(true);

    // Discharge, sent twice at once (a sender retrying): the same answer, one processing.
    const discharge = notification('notification-discharge', 'chu-discharge-1');
    const [first, resend] = await Promise.all([post(discharge), post(discharge)]);
    expect([first.status, resend.status]).toEqual([200, 200]);
    expect(await resend.text()).toBe(await first.text());

    await eventually('the discharge written', async () => (await message('chu-discharge-1')).status === 'written', 30_000);
    const encounters = await fhirGet<Bundle>(`Encounter?identifier=${encodeURIComponent(VISIT)}`);
    expect(encounters.entry).toHaveLength(1);
    const stay = encounters.entry![0]!.resource as Encounter;
    expect(stay.status).toBe('finished');
    expect(stay.period?.end).toBe('2025-01-18T14:00:00+01:00');

    const tasks = await dischargeTasks();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]!.focus?.reference).toBe(`Encounter/${stay.id}`);
    const owner = await fhirGet<Organization>(tasks[0]!.owner!.reference!);
    expect(owner.identifier?.map((i) => i.value)).toContain(COORDINATOR_FINESS);

    const plans = await fhirGet<Bundle>('CarePlan');
    const plan = plans.entry!.map((e) => e.resource as CarePlan).find((p) => p.status === 'active')!;
    const reassessment = plan.activity?.filter((a) => readOrigin(a.extension)?.client === HOSPITAL) ?? [];
    expect(reassessment).toHaveLength(1);
    expect(reassessment[0]!.detail?.status).toBe('not-started');
    await eventually('patient.discharged at the DAC', () => receiver.delivered('/dac').some((r) => r.eventType === 'patient.discharged'), 30_000);

    const record = await message('chu-discharge-1');
    expect(record.duplicateCount).toBe(1);
    expect(written(record)).toBe(1);

    // Replay by the sender: processed again, nothing duplicated.
    const replay = await fetch(`${gw.httpUrl}/v1/messages/${record.id}/replay`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.hospital}` } });
    expect(replay.status).toBe(202);
    await eventually('the replay written', async () => written(await message('chu-discharge-1')) === 2, 30_000);
    expect(await dischargeTasks()).toHaveLength(1);
    expect((await fhirGet<Bundle>(`Encounter?identifier=${encodeURIComponent(VISIT)}`)).entry).toHaveLength(1);
  }, 120_000);

  it('refuses a broken Bundle with one issue per faulty field, and keeps it as rejected', async () => {
    const broken = notification('notification-discharge', 'unused');
    edit(broken, 'id', undefined);
    edit(broken, 'entry.2.resource.birthDate', '12/05/1938');
    edit(broken, 'entry.2.resource.gender', 'F');
    const res = await post(broken);
    expect(res.status).toBe(400);
    const outcome = (await res.json()) as OperationOutcome;
    expect(outcome.resourceType).toBe('OperationOutcome');
    expect(outcome.issue.map((i) => i.expression?.[0])).toEqual(['Bundle.id', 'Bundle.entry[2].resource.birthDate', 'Bundle.entry[2].resource.gender']);
    expect(JSON.stringify(outcome)).not.toContain('12/05/1938');

    const rejected = (await messages()).filter((m) => m.channel === 'fhir-message' && m.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toContain('Bundle.entry[2].resource.birthDate');
  });

  it('needs the hospital push scope, a JSON body and synchronous messaging', async () => {
    const res = await post(notification('notification-admit', 'dac-tries'), KEYS.dac);
    expect(res.status).toBe(403);
    expect(((await res.json()) as OperationOutcome).resourceType).toBe('OperationOutcome');
    const xml = await fetch(`${gw.httpUrl}/fhir/$process-message`, {
      method: 'POST', headers: { authorization: `Bearer ${KEYS.hospital}`, 'content-type': 'application/fhir+xml' }, body: '<Bundle/>',
    });
    expect(xml.status).toBe(415);
    const asyncCall = await fetch(`${gw.httpUrl}/fhir/$process-message?async=true`, {
      method: 'POST', headers: { authorization: `Bearer ${KEYS.hospital}`, 'content-type': 'application/fhir+json' }, body: JSON.stringify(notification('notification-admit', 'async-1')),
    });
    expect(asyncCall.status).toBe(400);
    expect(((await asyncCall.json()) as OperationOutcome).issue[0]?.expression).toEqual(['async']);
    // Refused before the intake: not stored.
    expect((await messages()).some((m) => m.summary.controlId === 'async-1')).toBe(false);
  });
});
