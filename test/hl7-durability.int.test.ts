/**
 * Nothing lost, nothing doubled, across a crash between the ACK and the FHIR write: the MLLP
 * listener ACKs messages and is killed (SIGKILL) before any worker ran; a fresh Passerelle on
 * the same Redis and FHIR server applies every ACKed message exactly once. Messages go over a
 * raw socket with hand-built frames (`helpers/raw-mllp.ts`, not our MLLP client), and results are read through /fhir.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Encounter } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFhirStoreProcess, type FhirStoreProcess } from './helpers/fhir-store-process.js';
import { deleteQueueKeys, startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';
import { sendRaw } from './helpers/raw-mllp.js';

const HOSPITAL = { authorization: 'Bearer demo-hospital-key' };
const COUNT = 12;

let store: FhirStoreProcess;
let storeDir: string;
const queuePrefix = `dur${randomUUID().slice(0, 8)}`;
const running: GatewayProcess[] = [];
let template: string;

/** The sample A01, as sent by CHU_BESANCON for the n-th person (own IPP, visit and control id). */
function admission(n: number): string {
  return template
    .replace('|CH_EXEMPLE|PASSERELLE|', '|CHU_BESANCON|PASSERELLE|')
    .replace('CHEX-000101', `DUR-${n}`)
    .replace('880011^^^', `${900000 + n}^^^`)
    .replace('V25000101^^^', `VD${n}^^^`)
    .replace(/152072505612380\^\^\^ASIP-SANTE-INS-NIR&1\.2\.250\.1\.213\.1\.4\.8&ISO\^INS~?/, '')
    .replace('~^^^', '^^^')
    .split(/\r?\n/).filter(Boolean).join('\r');
}

const msaCode = (ack: string) => /\rMSA\|([A-Z]{2})\|/.exec(ack)?.[1];

beforeAll(async () => {
  template = await readFile(new URL('../mappings/hl7/__fixtures__/adt-a01-pam-fr.hl7', import.meta.url), 'utf8');
  storeDir = await mkdtemp(join(tmpdir(), 'passerelle-dur-store-'));
  store = await startFhirStoreProcess({ dataDir: storeDir });
});

afterAll(async () => {
  for (const gw of running) await gw.stop().catch(() => undefined);
  await store?.stop();
  await rm(storeDir, { recursive: true, force: true });
  await deleteQueueKeys(queuePrefix);
});

describe('a crash between the ACK and the FHIR write', () => {
  it('applies every ACKed message exactly once after restart', async () => {
    const env = { FHIR_BASE_URL: store.baseUrl };
    const listener = await startGatewayProcess({ args: ['--role', 'mllp'], env, queuePrefix });
    running.push(listener);
    const messages = Array.from({ length: COUNT }, (_, n) => admission(n));
    const acks = await sendRaw(listener.mllpPort!, messages);
    expect(acks.map(msaCode)).toEqual(Array(COUNT).fill('AA'));

    await listener.process.kill('SIGKILL'); // no worker ever ran in that process

    const gateway = await startGatewayProcess({ env, queuePrefix });
    running.push(gateway);
    // A resend after the crash is acknowledged again and must not be applied twice.
    expect((await sendRaw(gateway.mllpPort!, messages.slice(0, 3))).map(msaCode)).toEqual(['AA', 'AA', 'AA']);

    let encounters: Encounter[] = [];
    for (let i = 0; i < 300 && encounters.length < COUNT; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const bundle = (await (await fetch(`${gateway.httpUrl}/fhir/Encounter?_count=100`, { headers: HOSPITAL })).json()) as Bundle<Encounter>;
      encounters = (bundle.entry ?? []).map((e) => e.resource!);
    }
    const visits = encounters.flatMap((e) => e.identifier?.filter((id) => id.value?.startsWith('VD')).map((id) => id.value) ?? []);
    expect(new Set(visits).size).toBe(COUNT);
    expect(encounters).toHaveLength(COUNT);
    // Applied once: no second version from a double write (replays of the same content are no-ops anyway).
    expect(encounters.every((e) => e.meta?.versionId === '1')).toBe(true);
  }, 120_000);
});
