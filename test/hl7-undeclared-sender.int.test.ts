/**
 * A hospital that sends before it is declared (SPEC §9: rejected input is kept and replayable
 * after a fix): its message is answered AR and kept under `_unassigned`; once the clients file
 * declares its facility and Passerelle restarts, an admin of that tenant replays the message,
 * which is written in the declaring client's tenant. Over a raw MLLP socket
 * (`helpers/raw-mllp.ts`), read back through /fhir and /v1/messages, against the store as its
 * own process.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bundle, Encounter } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteQueueKeys, startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.js';
import { sendRaw } from './helpers/raw-mllp.js';
import { useFhirStoreProcess } from './helpers/store-fixture.js';

const ADMIN = { authorization: 'Bearer demo-admin-key' };
const HOSPITAL = { authorization: 'Bearer demo-hospital-key' };
const FACILITY = 'CLINIQUE_NOUVELLE';

const stored = useFhirStoreProcess('passerelle-undeclared-store');
let dir: string;
const queuePrefix = `und${randomUUID().slice(0, 8)}`;
const running: GatewayProcess[] = [];

/** The demo clients file, with `FACILITY` declared by the demo hospital when `declared`. */
async function clientsFile(declared: boolean): Promise<string> {
  const demo = await readFile(new URL('../gateway/demo-clients.yaml', import.meta.url), 'utf8');
  const text = declared ? demo.replace('hl7Facilities: [CHU_BESANCON]', `hl7Facilities: [CHU_BESANCON, ${FACILITY}]`) : demo;
  const path = join(dir, declared ? 'clients-declared.yaml' : 'clients.yaml');
  await writeFile(path, text);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'passerelle-undeclared-'));
});

afterAll(async () => {
  for (const gw of running) await gw.stop().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await deleteQueueKeys(queuePrefix);
});

describe('a message from a facility no client declares yet', () => {
  it('is refused and kept, then written in the declaring client’s tenant when an admin replays it', async () => {
    const sample = await readFile(new URL('../mappings/hl7/__fixtures__/adt-a01-pam-fr.hl7', import.meta.url), 'utf8');
    const message = sample.replace('|CH_EXEMPLE|PASSERELLE|', `|${FACILITY}|PASSERELLE|`).replace('V25000101^^^', 'VUND1^^^').split(/\r?\n/).filter(Boolean).join('\r');
    const env = { FHIR_BASE_URL: stored.store.baseUrl };

    const before = await startGatewayProcess({ env: { ...env, CLIENTS_FILE: await clientsFile(false) }, queuePrefix });
    running.push(before);
    const [ack] = await sendRaw(before.mllpPort!, [message]);
    expect(ack).toMatch(/\rMSA\|AR\|CHEX-000101\|/);
    expect(ack).toContain(FACILITY);
    const listed = (await (await fetch(`${before.httpUrl}/v1/messages?status=rejected`, { headers: ADMIN })).json()) as { items: { id: string; tenant: string }[] };
    const kept = listed.items.find((m) => m.tenant === '_unassigned');
    expect(kept).toBeDefined();
    await before.stop();

    const after = await startGatewayProcess({ env: { ...env, CLIENTS_FILE: await clientsFile(true) }, queuePrefix });
    running.push(after);
    const replay = await fetch(`${after.httpUrl}/v1/messages/${kept!.id}/replay`, { method: 'POST', headers: ADMIN });
    expect(replay.status).toBe(202);

    let status = '';
    for (let i = 0; i < 200 && status !== 'written'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = ((await (await fetch(`${after.httpUrl}/v1/messages/${kept!.id}`, { headers: HOSPITAL })).json()) as { status: string }).status;
    }
    expect(status).toBe('written');
    const detail = (await (await fetch(`${after.httpUrl}/v1/messages/${kept!.id}`, { headers: HOSPITAL })).json()) as { tenant: string; clientId: string };
    expect(detail).toMatchObject({ tenant: 'doubs', clientId: 'chu-besancon' });
    const stays = (await (await fetch(`${after.httpUrl}/fhir/Encounter?identifier=VUND1`, { headers: HOSPITAL })).json()) as Bundle<Encounter>;
    expect(stays.entry?.map((e) => e.resource?.status)).toEqual(['in-progress']);
  }, 120_000);
});
