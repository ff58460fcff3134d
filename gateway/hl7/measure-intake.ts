/**
 * Measures HL7 v2 inbound with real storage: MLLP round trips through the intake (message log,
 * person order, queue, ACK stored) on the local Redis, then, optionally, the `hl7-inbound` worker
 * writing the queued messages to the embedded FHIR store (started as its own process).
 * Each message is a distinct person. Keys live under a random prefix, deleted at the end.
 *
 *   npx tsx gateway/hl7/measure-intake.ts [messages=5000] [connections=4] [worker messages=300, at most 500]
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { startFhirStoreProcess } from '../../test/helpers/fhir-store-process.js';
import { FhirClient } from '../../workers/fhir-client/index.js';
import { MessageLog } from '../../workers/message-log/index.js';
import { createHl7InboundProcessor } from '../../workers/processors/hl7-inbound.js';
import { connectRedis, createJobQueues, runWorker } from '../../workers/queue/index.js';
import { ClientRegistry } from '../auth/client-registry.js';
import { createLogger } from '../log.js';
import { sendMllp } from '../mllp/client.js';
import { createHl7Intake } from './intake.js';
import { startHl7Listener } from './mllp-listener.js';

const total = Number(process.argv[2] ?? 5_000);
const connections = Number(process.argv[3] ?? 4);
const written = Number(process.argv[4] ?? 300);
const sample = readFileSync(new URL('../../mappings/hl7/__fixtures__/adt-a01-pam-fr.hl7', import.meta.url)).toString('utf8');
const message = (i: number) => Buffer.from(sample.replace('CHEX-000101', `BENCH-${i}`).replace('880011', `9${String(i).padStart(7, '0')}`).replace('V25000101', `VB${i}`), 'utf8');

const logger = createLogger('warn');
const prefix = `bench-${randomUUID().slice(0, 8)}`;
const redis = await connectRedis('redis://127.0.0.1:6379');
const queues = await createJobQueues({ connection: redis, prefix });
const messageLog = new MessageLog({ redis, prefix: `${prefix}:msglog` });
const clients = new ClientRegistry([
  { id: 'chu-bench', name: 'CH Bench', tenant: 'bench', scopes: [], hl7Facilities: ['CH_EXEMPLE'] },
  // The worker phase uses its own facility and tenant, so it counts its own messages only.
  { id: 'chu-bench-w', name: 'CH Bench W', tenant: 'bench-w', scopes: [], hl7Facilities: ['CH_BENCH_W'] },
]);
const intake = createHl7Intake({ clients, messageLog, queues, redis, logger });
const listener = await startHl7Listener({ host: '127.0.0.1', port: 0, intake, logger });

try {
  const perConnection = Math.ceil(total / connections);
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: connections }, (_, c) => {
    const batch = Array.from({ length: Math.min(perConnection, total - c * perConnection) }, (_, i) => message(c * perConnection + i));
    return sendMllp('127.0.0.1', listener.port, batch, { pipeline: true, timeoutMs: 300_000 });
  }));
  const seconds = (performance.now() - started) / 1000;
  const acks = results.flat();
  const aa = acks.filter((a) => a.toString('latin1').includes('\rMSA|AA|')).length;
  console.log(`intake over MLLP (stored + queued + ACK stored): ${total} messages, ${connections} connections: ${Math.round(total / seconds)} msg/s, ${aa} AA`);

  if (written > 0) {
    await queues.queue('hl7-inbound').drain(true);
    const dataDir = await mkdtemp(join(tmpdir(), 'hl7-bench-'));
    const store = await startFhirStoreProcess({ dataDir });
    const fhir = new FhirClient({ baseUrl: store.baseUrl });
    try {
      for (let i = 0; i < written; i++) {
        await intake(Buffer.from(message(total + i).toString('utf8').replace('|CH_EXEMPLE|', '|CH_BENCH_W|'), 'utf8'), { channel: 'mllp' });
      }
      const begin = performance.now();
      const worker = await runWorker('hl7-inbound', createHl7InboundProcessor({ fhir, messageLog, redis, prefix, logger }), {
        connection: redis, prefix, concurrency: 8, logger,
      });
      for (;;) {
        const left = (await messageLog.list({ tenant: 'bench-w', status: 'queued', limit: 1 })).items.length
          + (await messageLog.list({ tenant: 'bench-w', status: 'mapped', limit: 1 })).items.length;
        if (left === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const workerSeconds = (performance.now() - begin) / 1000;
      const done = (await messageLog.list({ tenant: 'bench-w', status: 'written', limit: 500 })).items.length;
      console.log(`worker (identity searches + transaction, concurrency 8, embedded store): ${written} A01 in ${workerSeconds.toFixed(1)} s: ${Math.round(written / workerSeconds)} msg/s, ${done} written`);
      await worker.close();
    } finally {
      await fhir.close();
      await store.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  await listener.close();
  await queues.close();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}
