/**
 * Measures the HL7 inbound path without storage: the pure pipeline (decode → parse → extract →
 * ACK) in process, then MLLP round trips over loopback with that pipeline as handler.
 *
 *   npx tsx gateway/mllp/measure-throughput.ts [messages=20000] [connections=4]
 */
import { readFileSync } from 'node:fs';
import { buildAck } from '../../mappings/hl7/ack.js';
import { assessHl7 } from '../../mappings/hl7/assess.js';
import { encodeHl7 } from '../../mappings/hl7/encode.js';
import { createLogger } from '../log.js';
import { sendMllp } from './client.js';
import { startMllpServer } from './server.js';

const total = Number(process.argv[2] ?? 20_000);
const connections = Number(process.argv[3] ?? 4);
const sample = readFileSync(new URL('../../mappings/hl7/__fixtures__/adt-a03-pam-fr.hl7', import.meta.url)).toString('utf8');
const messages = Array.from({ length: total }, (_, i) => sample.replace('CHEX-000187', `BENCH-${i}`));

let ackId = 0;
const answer = (frame: Uint8Array): Buffer => {
  const a = assessHl7(frame);
  const ack = buildAck({ status: a.status, header: a.header, errors: a.errors, now: new Date(), controlId: `B${++ackId}` });
  return encodeHl7(ack.text, ack.charset);
};

const bytes = messages.map((m) => Buffer.from(m, 'utf8'));
for (const b of bytes.slice(0, 2_000)) answer(b); // warm-up
let started = performance.now();
for (const b of bytes) answer(b);
const pureRate = total / ((performance.now() - started) / 1000);
console.log(`pure pipeline (decode+parse+extract+ACK): ${Math.round(pureRate)} msg/s`);

const server = await startMllpServer({
  host: '127.0.0.1',
  port: 0,
  logger: createLogger('warn'),
  handle: async (frame) => answer(frame),
});
try {
  for (const [label, conns, pipeline] of [
    ['1 connection, one at a time', 1, false],
    ['1 connection, pipelined', 1, true],
    [`${connections} connections, pipelined`, connections, true],
  ] as const) {
    const count = pipeline ? total : Math.min(total, 5_000);
    const perConnection = Math.ceil(count / conns);
    started = performance.now();
    const results = await Promise.all(
      Array.from({ length: conns }, (_, c) =>
        sendMllp('127.0.0.1', server.port, messages.slice(c * perConnection, (c + 1) * perConnection), { pipeline, timeoutMs: 120_000 }),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const acks = results.flat();
    const accepted = acks.filter((a) => a.toString('latin1').includes('\rMSA|AA|')).length;
    console.log(`MLLP ${label}: ${Math.round(acks.length / seconds)} msg/s (${accepted}/${acks.length} AA)`);
  }
} finally {
  await server.close();
}
