/**
 * Test support for the HL7 v2 inbound integration tests (not a test itself): a real Redis under
 * a random prefix (the queue test env), a message log and an intake for a fresh tenant, and the
 * sample messages of `mappings/hl7/__fixtures__` re-keyed per test (IPP, visit number, INS), so
 * tests sharing one FHIR store never meet each other's persons.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { insKey } from '../../../mappings/identifiers/ins.js';
import { MessageLog } from '../../../workers/message-log/index.js';
import { createQueueTestEnv, FAST_RETRY, type QueueTestEnv } from '../../../workers/queue/test-env.js';
import { ClientRegistry, sha256Hex } from '../../auth/client-registry.js';
import type { Client } from '../../auth/clients-file.js';
import { createHl7Intake, type Hl7Intake } from '../intake.js';

/** The facility of the sample messages (MSH-4). */
export const SAMPLE_FACILITY = 'CH_EXEMPLE';

/** One test's world: its tenant, clients, message log and intake. */
export interface Hl7TestEnv extends QueueTestEnv {
  tenant: string;
  /** Declares `CH_EXEMPLE`; API key `hospitalKey`. */
  hospital: Client;
  hospitalKey: string;
  /** Another hospital of another tenant, declaring `CH_AUTRE`; API key `otherKey`. */
  other: Client;
  otherKey: string;
  /** A DAC of the same tenant (cases), declaring no facility; API key `dacKey`. */
  dac: Client;
  dacKey: string;
  clients: ClientRegistry;
  messageLog: MessageLog;
  intake: Hl7Intake;
}

/** Builds a fresh env; `cleanup()` closes it and deletes every key it wrote. */
export async function createHl7TestEnv(): Promise<Hl7TestEnv> {
  const queue = await createQueueTestEnv({ 'hl7-inbound': FAST_RETRY });
  const suffix = randomBytes(4).toString('hex');
  const tenant = `t-${suffix}`;
  const hospitalKey = `hospital-${suffix}`;
  const otherKey = `other-${suffix}`;
  const hospital: Client = {
    id: `chu-${suffix}`, name: 'Centre hospitalier Exemple', tenant, apiKeySha256: sha256Hex(hospitalKey),
    scopes: ['hl7v2.write', 'fhir.read'], hl7Facilities: [SAMPLE_FACILITY],
  };
  const other: Client = {
    id: `autre-${suffix}`, name: 'CH Autre', tenant: `u-${suffix}`, apiKeySha256: sha256Hex(otherKey),
    scopes: ['hl7v2.write'], hl7Facilities: ['CH_AUTRE'],
  };
  const dacKey = `dac-${suffix}`;
  const dac: Client = { id: `dac-${suffix}`, name: 'DAC', tenant, apiKeySha256: sha256Hex(dacKey), scopes: ['cases.write'], hl7Facilities: [] };
  const clients = new ClientRegistry([hospital, other, dac]);
  const messageLog = new MessageLog({ redis: queue.redis, prefix: `${queue.prefix}:msglog` });
  const intake = createHl7Intake({ clients, messageLog, queues: queue.queues, redis: queue.redis, logger: queue.logger });
  return { ...queue, tenant, hospital, hospitalKey, other, otherKey, dac, dacKey, clients, messageLog, intake };
}

/** A person of one test: IPP, visit number and a valid INS, all unique. */
export interface TestPerson {
  ipp: string;
  visit: string;
  ins: string;
}

/** A fresh person (valid INS key, random IPP and visit number). */
export function newPerson(): TestPerson {
  const body = `152072505${String(randomInt(0, 1000)).padStart(3, '0')}${randomInt(0, 10)}`;
  const ins = `${body}${String(insKey(body)).padStart(2, '0')}`;
  return { ipp: String(randomInt(100000, 999999)), visit: `V${randomInt(10_000_000, 99_999_999)}`, ins };
}

const FIXTURES = new URL('../../../mappings/hl7/__fixtures__/', import.meta.url);

/**
 * A sample message with the person's identifiers in place of the fixture's (880011, V25000101,
 * 152072505612380). The bytes are otherwise untouched (Latin-1 round trip, so any charset holds).
 */
export function sample(name: string, person: TestPerson, replace: Record<string, string> = {}): Buffer {
  let text = readFileSync(new URL(`${name}.hl7`, FIXTURES)).toString('latin1');
  const all = { '880011': person.ipp, V25000101: person.visit, '152072505612380': person.ins, ...replace };
  for (const [from, to] of Object.entries(all)) text = text.split(from).join(to);
  return Buffer.from(text, 'latin1');
}

/** MSA-1 and MSA-2 of an ACK. */
export function msa(ack: Buffer): { code: string; controlId: string } {
  const line = ack.toString('latin1').split('\r').find((s) => s.startsWith('MSA|')) ?? '';
  const [, code = '', controlId = ''] = line.split('|');
  return { code, controlId };
}
