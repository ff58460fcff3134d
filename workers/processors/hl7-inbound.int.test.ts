/**
 * HL7 v2 inbound end to end: messages over real MLLP sockets, the intake against a real Redis,
 * the `hl7-inbound` worker on BullMQ, and the embedded FHIR store as a separate process. Each
 * test has its own tenant, queue prefix and person (IPP, visit number, INS), so tests sharing
 * the store never meet.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CarePlan, Encounter, Organization, Patient, Provenance, Task } from '@medplum/fhirtypes';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHl7Listener } from '../../gateway/hl7/mllp-listener.js';
import { createHl7TestEnv, msa, newPerson, sample, type Hl7TestEnv, type TestPerson } from '../../gateway/hl7/testing/hl7-test-env.js';
import { sendMllp } from '../../gateway/mllp/client.js';
import type { MllpServer } from '../../gateway/mllp/server.js';
import { CaseDocumentSchema } from '../../mappings/case/schema.js';
import { caseToTransaction } from '../../mappings/case/to-fhir/index.js';
import { CODE_SYSTEM, EXTENSION, FR_SYSTEM } from '../../profiles/canonical.js';
import { startFhirStoreProcess, type FhirStoreProcess } from '../../test/helpers/fhir-store-process.js';
import { FhirClient } from '../fhir-client/index.js';
import type { MessageStatus } from '../message-log/index.js';
import { makeJobId } from '../queue/index.js';
import { createHl7InboundProcessor } from './hl7-inbound.js';
import type { Hl7DomainEvent } from './hl7-inbound-events.js';

const IPP_SYSTEM = 'urn:oid:1.2.250.1.999.1.1';
const VISIT_SYSTEM = 'urn:oid:1.2.250.1.999.1.2';

let store: FhirStoreProcess;
let dataDir: string;
let fhir: FhirClient;
let env: Hl7TestEnv;
let person: TestPerson;
let listener: MllpServer;
let events: Hl7DomainEvent[];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'hl7-inbound-'));
  store = await startFhirStoreProcess({ dataDir });
  fhir = new FhirClient({ baseUrl: store.baseUrl });
});
afterAll(async () => {
  await fhir?.close();
  await store?.stop();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  env = await createHl7TestEnv();
  person = newPerson();
  events = [];
  listener = await startHl7Listener({ host: '127.0.0.1', port: 0, intake: env.intake, logger: env.logger });
});
afterEach(async () => {
  await listener.close();
  await env.cleanup();
});

function startWorker(overrides: Partial<Parameters<typeof createHl7InboundProcessor>[0]> = {}) {
  const processor = createHl7InboundProcessor({
    fhir,
    messageLog: env.messageLog,
    redis: env.redis,
    prefix: env.prefix,
    logger: env.logger,
    facilityName: (clientId) => env.clients.byClientId(clientId)?.name,
    publish: async (event) => {
      events.push(event);
    },
    ordering: { retryDelayMs: 100 },
    ...overrides,
  });
  return env.worker('hl7-inbound', processor);
}

async function send(...messages: Buffer[]): Promise<string[]> {
  const acks = await sendMllp('127.0.0.1', listener.port, messages);
  return acks.map((ack) => msa(ack).code);
}

/** Message-log id of the message with this MSH-10. */
async function messageId(controlId: string): Promise<string> {
  const page = await env.messageLog.list({ tenant: env.tenant, limit: 50 });
  const item = page.items.find((i) => i.summary.controlId === controlId);
  if (item === undefined) throw new Error(`no message ${controlId}`);
  return item.id;
}

async function waitForStatus(controlId: string, wanted: MessageStatus, timeoutMs = 20_000): Promise<void> {
  const id = await messageId(controlId);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = await env.messageLog.get(id);
    if (record.status === wanted) return;
    if (Date.now() > deadline) throw new Error(`message ${controlId} is ${record.status}, not ${wanted}: ${JSON.stringify(record.history)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function tenantTag() {
  return `${CODE_SYSTEM.tenant}|${env.tenant}`;
}

async function patient(): Promise<Patient> {
  const found = await fhir.searchAll('Patient', { identifier: `${IPP_SYSTEM}|${person.ipp}`, _tag: tenantTag() });
  expect(found).toHaveLength(1);
  return found[0]!;
}

async function encounter(): Promise<Encounter & { id: string }> {
  const found = await fhir.searchAll('Encounter', { identifier: `${VISIT_SYSTEM}|${person.visit}`, _tag: tenantTag() });
  expect(found).toHaveLength(1);
  return found[0]!;
}

async function versionCount(type: 'Encounter', id: string): Promise<number> {
  const history = await fhir.history(type, id);
  return (history.entry ?? []).length;
}

describe('hl7-inbound worker', () => {
  it('writes the Patient and the stay of an A01 then an A03 sent over MLLP, the INS official for a qualified identity', async () => {
    expect(await send(sample('adt-a01-pam-fr', person), sample('adt-a03-pam-fr', person))).toEqual(['AA', 'AA']);
    await startWorker();
    await waitForStatus('CHEX-000101', 'written');
    await waitForStatus('CHEX-000187', 'written');

    const stored = await patient();
    expect(stored.identifier?.find((i) => i.system === FR_SYSTEM.insNir)).toMatchObject({ use: 'official', value: person.ins });
    expect(stored.meta?.tag).toEqual(expect.arrayContaining([expect.objectContaining({ system: CODE_SYSTEM.tenant, code: env.tenant })]));
    const stay = await encounter();
    expect(stay.status).toBe('finished');
    expect(stay.subject?.reference).toBe(`Patient/${stored.id}`);
    expect(stay.period?.end).toBeDefined();
    expect(stay.hospitalization?.dischargeDisposition?.coding?.[0]?.code).toBe('8');
    expect(events.map((e) => e.type)).toEqual(['patient.admitted', 'patient.discharged']);
    expect(events[1]).toMatchObject({ tenant: env.tenant, clientId: env.hospital.id, patientRef: `Patient/${stored.id}`, encounterRef: `Encounter/${stay.id}` });
    const record = await env.messageLog.get(await messageId('CHEX-000187'));
    expect(record.history.map((h) => h.status)).toEqual(['received', 'queued', 'mapped', 'written']);
    expect(record.history.at(-1)?.resources).toEqual(expect.arrayContaining([`Patient/${stored.id}`, `Encounter/${stay.id}`]));
  });

  it('does not record the INS of an identity that is not qualified as an identifier', async () => {
    expect(await send(sample('adt-a01-pam-fr', person, { '|VALI': '|PROV' }))).toEqual(['AA']);
    await startWorker();
    await waitForStatus('CHEX-000101', 'written');
    const stored = await patient();
    expect(stored.identifier?.some((i) => i.value === person.ins)).toBe(false);
    expect(stored.extension?.find((e) => e.url === EXTENSION.unqualifiedIns)).toBeDefined();
  });

  it('processes a resent control id once: the same ACK, one Encounter version', async () => {
    const a01 = sample('adt-a01-pam-fr', person);
    const first = await sendMllp('127.0.0.1', listener.port, [a01]);
    await startWorker();
    await waitForStatus('CHEX-000101', 'written');
    const again = await sendMllp('127.0.0.1', listener.port, [a01]);
    expect(again[0]!.equals(first[0]!)).toBe(true);
    // Give a (wrongly) queued second job every chance to run.
    await new Promise((r) => setTimeout(r, 500));
    const stay = await encounter();
    expect(await versionCount('Encounter', stay.id)).toBe(1);
    const record = await env.messageLog.get(await messageId('CHEX-000101'));
    expect(record.duplicateCount).toBe(1);
    expect(record.history.filter((h) => h.status === 'written')).toHaveLength(1);
  });

  it('holds an A03 processed before the A01 of the same person until the A01 is written', async () => {
    expect(await send(sample('adt-a01-pam-fr', person), sample('adt-a03-pam-fr', person))).toEqual(['AA', 'AA']);
    const a01 = await messageId('CHEX-000101');
    // Take the A01 job out, so the worker meets the A03 first.
    const queue = env.queues.queue('hl7-inbound');
    await (await queue.getJob(makeJobId('hl7-inbound', a01)))!.remove();
    await startWorker();

    await new Promise((r) => setTimeout(r, 1_000));
    const a03Record = await env.messageLog.get(await messageId('CHEX-000187'));
    expect(a03Record.status).toBe('queued');
    expect(await fhir.searchAll('Encounter', { identifier: `${VISIT_SYSTEM}|${person.visit}` })).toHaveLength(0);

    await env.queues.enqueue('hl7-inbound', { messageId: a01 }, { trace: { requestId: a01, clientId: env.hospital.id, tenant: env.tenant }, jobId: makeJobId('hl7-inbound', a01) });
    await waitForStatus('CHEX-000187', 'written');
    const written = async (id: string) => (await env.messageLog.get(id)).history.find((h) => h.status === 'written')!.at;
    expect(await written(a01) <= await written(await messageId('CHEX-000187'))).toBe(true);
    expect((await encounter()).status).toBe('finished');
    expect(await env.redis.keys(`${env.prefix}:hl7:person:*`)).toEqual([]);
  });

  it('clears an earlier message that settled without leaving its person order, and goes ahead', async () => {
    expect(await send(sample('adt-a01-pam-fr', person))).toEqual(['AA']);
    const [key] = await env.redis.keys(`${env.prefix}:hl7:person:*`);
    // A message id older than any, in the set but unknown to the message log (a crash between settle and release).
    await env.redis.zadd(key!, '0', 'msg-00000000000000000000000000');
    await startWorker();
    await waitForStatus('CHEX-000101', 'written');
    expect(await env.redis.keys(`${env.prefix}:hl7:person:*`)).toEqual([]);
  });

  it('goes ahead, and says so, once an earlier message of the person has been pending too long', async () => {
    expect(await send(sample('adt-a01-pam-fr', person), sample('adt-a03-pam-fr', person))).toEqual(['AA', 'AA']);
    // The A01 job vanishes (as when BullMQ fails a job that stalled twice): its message stays queued.
    await (await env.queues.queue('hl7-inbound').getJob(makeJobId('hl7-inbound', await messageId('CHEX-000101'))))!.remove();
    await startWorker({ ordering: { retryDelayMs: 50, maxWaitMs: 400 } });
    await waitForStatus('CHEX-000187', 'written');
    expect(env.logs.some((l) => l.msg === 'hl7 ordering: an earlier message of the same person is still pending; going ahead')).toBe(true);
    // Given up on: out of the order, so a later message of the person does not wait for it again.
    expect(await env.redis.keys(`${env.prefix}:hl7:person:*`)).toEqual([]);
  });

  it('processes a message ACKed while no worker ran exactly once when a new worker starts', async () => {
    const first = await startWorker();
    await first.close();
    expect(await send(sample('adt-a01-pam-fr', person))).toEqual(['AA']);
    await new Promise((r) => setTimeout(r, 200));
    expect((await env.messageLog.get(await messageId('CHEX-000101'))).status).toBe('queued');

    await startWorker();
    await waitForStatus('CHEX-000101', 'written');
    const record = await env.messageLog.get(await messageId('CHEX-000101'));
    expect(record.history.filter((h) => h.status === 'written')).toHaveLength(1);
    expect(await versionCount('Encounter', (await encounter()).id)).toBe(1);
  });

  it('raises the discharge Task and the plan activity where the person has an active plan, and an A13 undoes them', async () => {
    // The DAC's case for the same person (same qualified INS), in the same tenant.
    const doc = JSON.parse(await readFile(new URL('../../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8')) as { patient: { ins: { value: string } } };
    doc.patient.ins.value = person.ins;
    const { bundle } = caseToTransaction(CaseDocumentSchema.parse(doc), { clientId: env.dac.id, tenant: env.tenant, caseId: 'CASE-1', now: new Date().toISOString() });
    await fhir.transaction(bundle);

    await startWorker();
    expect(await send(sample('adt-a01-pam-fr', person), sample('adt-a03-pam-fr', person))).toEqual(['AA', 'AA']);
    await waitForStatus('CHEX-000187', 'written');

    const stored = await patient();
    const stay = await encounter();
    const [plan] = await fhir.searchAll('CarePlan', { subject: `Patient/${stored.id}`, _tag: tenantTag() });
    expect(plan).toBeDefined();
    const tasks = await fhir.searchAll('Task', { subject: `Patient/${stored.id}`, _tag: tenantTag() });
    const task = tasks.find((t) => t.code?.coding?.some((c) => c.system === FR_SYSTEM.treR254TypeEvenement && c.code === 'SOR'));
    expect(task).toMatchObject({ status: 'requested', focus: { reference: `Encounter/${stay.id}` }, basedOn: [{ reference: `CarePlan/${plan!.id}` }] });
    const owner = await fhir.read('Organization', task!.owner!.reference!.split('/')[1]!) as Organization;
    expect(owner.identifier?.some((i) => i.system === FR_SYSTEM.finess && i.value === '250012341')).toBe(true);
    const reassessment = (await fhir.read('CarePlan', plan!.id!) as CarePlan).activity?.find((a) => a.detail?.status === 'not-started' && a.detail.code?.coding?.[0]?.code === 'evaluation');
    expect(reassessment?.detail?.performer?.[0]?.reference).toBe(task!.owner!.reference);
    expect(events.map((e) => e.type)).toEqual(['patient.admitted', 'patient.discharged', 'task.created', 'careplan.updated']);
    expect(events[1]).toMatchObject({ taskRef: `Task/${task!.id}`, carePlanRef: `CarePlan/${plan!.id}` });
    // Provenance on every write (SPEC §7): the effects, written after the transaction, have their own.
    const effectsOf = async (controlId: string) =>
      fhir.searchAll('Provenance', { _tag: `${CODE_SYSTEM.hl7Message}|${await messageId(controlId)}-effects` }) as Promise<Provenance[]>;
    const [discharge, ...more] = await effectsOf('CHEX-000187');
    expect(more).toEqual([]);
    expect(discharge?.target.map((t) => t.reference).sort()).toEqual([`CarePlan/${plan!.id}`, `Task/${task!.id}`].sort());
    expect(discharge?.agent[0]?.who?.identifier?.value).toBe(env.hospital.id);

    expect(await send(sample('adt-a13-pam-fr', person))).toEqual(['AA']);
    await waitForStatus('CHEX-000190', 'written');
    expect((await fhir.read('Task', task!.id!) as Task).status).toBe('cancelled');
    const activities = (await fhir.read('CarePlan', plan!.id!) as CarePlan).activity ?? [];
    expect(activities.filter((a) => a.detail?.code?.coding?.[0]?.code === 'evaluation' && a.detail.status === 'cancelled')).toHaveLength(1);
    expect(activities.filter((a) => a.detail?.status === 'not-started' && a.detail.code?.coding?.[0]?.code === 'evaluation')).toHaveLength(0);
    expect((await encounter()).status).toBe('in-progress');
    expect((await effectsOf('CHEX-000190'))[0]?.target.map((t) => t.reference).sort()).toEqual([`CarePlan/${plan!.id}`, `Task/${task!.id}`].sort());
  });

  it('rejects, without writing, a message whose facility its client no longer declares', async () => {
    expect(await send(sample('adt-a01-pam-fr', person))).toEqual(['AA']);
    await startWorker({ clientOfFacility: () => undefined });
    await waitForStatus('CHEX-000101', 'rejected');
    const record = await env.messageLog.get(await messageId('CHEX-000101'));
    expect(record.reason).toContain('MSH-4');
    expect(await fhir.searchAll('Patient', { identifier: `${IPP_SYSTEM}|${person.ipp}` })).toHaveLength(0);
    expect(await env.redis.keys(`${env.prefix}:hl7:person:*`)).toEqual([]);
  });

  it('merges on A40: the prior Patient replaced by the survivor, its stays re-pointed', async () => {
    const prior: TestPerson = { ...newPerson(), ins: person.ins };
    await startWorker();
    // Two identities of the hospital, each with a stay; then the prior one is merged into the survivor.
    expect(await send(
      sample('adt-a01-pam-fr', prior, { '|VALI': '|PROV' }),
      sample('adt-a01-pam-fr', person, { '|VALI': '|PROV', 'CHEX-000101': 'CHEX-000102' }),
      sample('adt-a40-merge', person, { '880099': prior.ipp }),
    )).toEqual(['AA', 'AA', 'AA']);
    await waitForStatus('CHEX-000199', 'written');

    const survivor = await patient();
    const [old] = await fhir.searchAll('Patient', { identifier: `${IPP_SYSTEM}|${prior.ipp}`, _tag: tenantTag() });
    expect(old).toMatchObject({ active: false, link: [{ type: 'replaced-by', other: { reference: `Patient/${survivor.id}` } }] });
    expect(survivor.link).toEqual([{ type: 'replaces', other: { reference: `Patient/${old!.id}` } }]);
    const [priorStay] = await fhir.searchAll('Encounter', { identifier: `${VISIT_SYSTEM}|${prior.visit}`, _tag: tenantTag() });
    expect(priorStay?.subject?.reference).toBe(`Patient/${survivor.id}`);
    // Same names and birth date, other identifiers: accepted, not merged, a reconciliation Task raised.
    const tasks = await fhir.searchAll('Task', { _tag: tenantTag() });
    expect(tasks.filter((t) => t.code?.coding?.some((c) => c.system === CODE_SYSTEM.taskCode && c.code === 'identity-reconciliation'))).toHaveLength(1);
  });
});
