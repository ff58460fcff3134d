/**
 * The MLLP listener over real sockets on 127.0.0.1, port 0. The handler is the real pure pipeline
 * (assess → buildAck → encodeHl7) with an in-memory record of what it received standing in for
 * storage, so these tests exercise transport and acknowledgement end to end.
 */
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fixture } from '../../mappings/hl7/__fixtures__/arbitraries.js';
import { buildAck } from '../../mappings/hl7/ack.js';
import { assessHl7 } from '../../mappings/hl7/assess.js';
import { decodeWindows1252 } from '../../mappings/hl7/charset.js';
import { encodeHl7 } from '../../mappings/hl7/encode.js';
import { createLogger } from '../log.js';
import { sendMllp } from './client.js';
import { FS, frameMllp, MllpDeframer, VT } from './framer.js';
import { startMllpServer, type MllpHandler, type MllpServer, type MllpServerOptions } from './server.js';

const a01 = fixture('adt-a01-pam-fr.hl7').toString('utf8');
const withControlId = (id: string): string => a01.replace('CHEX-000101', id);
/** MSA fields of an ACK payload (read as Latin-1: every ACK field we check is ASCII). */
const msa = (ack: Buffer): string[] => ack.toString('latin1').split('\r').find((s) => s.startsWith('MSA'))?.split('|') ?? [];

interface Harness {
  server: MllpServer;
  /** What the handler decoded, in arrival order. */
  received: { text: string; charset: string; connectionId: string }[];
  logs: string[];
}

const servers: MllpServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close(1_000)));
});

/** The real pipeline as handler; `delayMs` makes handlers settle out of order. */
function pipelineHandler(received: Harness['received'], delayMs?: (frameIndex: number) => number): MllpHandler {
  let index = 0;
  let ackId = 0;
  return async (frame, meta) => {
    const i = index++;
    const assessment = assessHl7(frame);
    received.push({ text: assessment.text, charset: assessment.charset, connectionId: meta.connectionId });
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs(i)));
    const ack = buildAck({ status: assessment.status, header: assessment.header, errors: assessment.errors, now: new Date(), controlId: `T${++ackId}` });
    return encodeHl7(ack.text, ack.charset);
  };
}

async function start(overrides: Partial<MllpServerOptions> & { delayMs?: (i: number) => number } = {}): Promise<Harness> {
  const received: Harness['received'] = [];
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  const server = await startMllpServer({
    host: '127.0.0.1',
    port: 0,
    logger: createLogger('debug', sink),
    handle: pipelineHandler(received, overrides.delayMs),
    ...overrides,
  });
  servers.push(server);
  return { server, received, logs };
}

/** A raw socket, and the ACK frames it receives (deframed with our deframer). */
async function rawConnection(port: number): Promise<{ socket: Socket; acks: Buffer[]; closed: Promise<void>; waitForAcks: (n: number, timeoutMs?: number) => Promise<Buffer[]> }> {
  const socket = connect({ host: '127.0.0.1', port });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const acks: Buffer[] = [];
  const deframer = new MllpDeframer();
  const waiters: (() => void)[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const e of deframer.push(chunk)) if (e.type === 'frame') acks.push(e.frame);
    for (const w of waiters) w();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const waitForAcks = (n: number, timeoutMs = 5_000): Promise<Buffer[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${acks.length}/${n} ACKs`)), timeoutMs);
      const check = (): void => {
        if (acks.length >= n) {
          clearTimeout(timer);
          resolve(acks.slice(0, n));
        }
      };
      waiters.push(check);
      check();
    });
  return { socket, acks, closed, waitForAcks };
}

describe('MLLP server', () => {
  it('acknowledges one message on one connection', async () => {
    const { server, received } = await start();
    const [ack] = await sendMllp('127.0.0.1', server.port, [a01]);
    expect(msa(ack as Buffer)).toEqual(['MSA', 'AA', 'CHEX-000101']);
    expect(received.map((r) => r.text)).toEqual([a01]);
  });

  it('answers 50 pipelined messages in order although handlers finish out of order', async () => {
    const { server, received } = await start({ delayMs: (i) => (i * 37) % 23 });
    const ids = Array.from({ length: 50 }, (_, i) => `PIPE-${i}`);
    const acks = await sendMllp('127.0.0.1', server.port, ids.map(withControlId), { pipeline: true });
    expect(acks.map((a) => msa(a)[2])).toEqual(ids);
    expect(acks.every((a) => msa(a)[1] === 'AA')).toBe(true);
    expect(new Set(received.map((r) => r.connectionId)).size).toBe(1);
  });

  it('pauses reading when too much is in flight, and loses nothing', async () => {
    const { server } = await start({ maxInFlightPerConnection: 4, delayMs: (i) => (i % 5) * 3 });
    const ids = Array.from({ length: 200 }, (_, i) => `FLOW-${i}`);
    const acks = await sendMllp('127.0.0.1', server.port, ids.map(withControlId), { pipeline: true });
    expect(acks.map((a) => msa(a)[2])).toEqual(ids);
  });

  it('answers two frames sent in one TCP write', async () => {
    const { server } = await start();
    const conn = await rawConnection(server.port);
    conn.socket.write(Buffer.concat([frameMllp(Buffer.from(withControlId('TWO-1'))), frameMllp(Buffer.from(withControlId('TWO-2')))]));
    expect((await conn.waitForAcks(2)).map((a) => msa(a)[2])).toEqual(['TWO-1', 'TWO-2']);
  });

  it('answers a frame written one byte at a time', async () => {
    const { server, received } = await start();
    const conn = await rawConnection(server.port);
    conn.socket.setNoDelay(true);
    const bytes = frameMllp(Buffer.from(withControlId('BYTE-1')));
    for (const byte of bytes) {
      conn.socket.write(Uint8Array.of(byte));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(msa((await conn.waitForAcks(1))[0] as Buffer)[2]).toBe('BYTE-1');
    expect(received[0]?.text).toBe(withControlId('BYTE-1'));
  });

  it('drops garbage before a frame and still answers the frame', async () => {
    const { server, logs } = await start();
    const conn = await rawConnection(server.port);
    conn.socket.write(Buffer.concat([Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), frameMllp(Buffer.from(withControlId('AFTER-GARBAGE')))]));
    expect(msa((await conn.waitForAcks(1))[0] as Buffer)).toEqual(['MSA', 'AA', 'AFTER-GARBAGE']);
    expect(logs.some((l) => l.includes('"bytes":27') && l.includes('outside a frame'))).toBe(true);
  });

  it('rejects an oversized frame with AR, then closes the connection', async () => {
    const { server } = await start({ maxFrameBytes: 4096 });
    const conn = await rawConnection(server.port);
    const big = withControlId('BIG-1').replace('\rEVN', `\rNTE|1||${'x'.repeat(10_000)}\rEVN`);
    conn.socket.write(frameMllp(Buffer.from(withControlId('SMALL-1'))));
    conn.socket.write(frameMllp(Buffer.from(big)));
    await conn.closed;
    expect(conn.acks.map((a) => msa(a).slice(0, 3))).toEqual([
      ['MSA', 'AA', 'SMALL-1'],
      ['MSA', 'AR', 'BIG-1'],
    ]);
    expect(msa(conn.acks[1] as Buffer)[3]).toBe('message larger than 4096 bytes');
  });

  it('hands an oversized frame’s head to handleOversized, and still refuses it when that fails', async () => {
    const heads: Buffer[] = [];
    const big = withControlId('BIG-2').replace('\rEVN', `\rNTE|1||${'x'.repeat(10_000)}\rEVN`);
    const recorded = await start({ maxFrameBytes: 4096, handleOversized: async (head) => (heads.push(head), Buffer.from('MSH|^~\\&|A|B|C|D|20250101||ACK|1|P|2.5\rMSA|AR|BIG-2|recorded')) });
    const first = await rawConnection(recorded.server.port);
    first.socket.write(frameMllp(Buffer.from(big)));
    await first.closed;
    expect(heads.map((h) => h.toString('latin1'))).toEqual([big.slice(0, 4096)]);
    expect(msa(first.acks[0] as Buffer)).toEqual(['MSA', 'AR', 'BIG-2', 'recorded']);

    const failing = await start({ maxFrameBytes: 4096, handleOversized: () => Promise.reject(new Error('Redis down')) });
    const second = await rawConnection(failing.server.port);
    second.socket.write(frameMllp(Buffer.from(big)));
    await second.closed;
    expect(msa(second.acks[0] as Buffer).slice(1)).toEqual(['AR', 'BIG-2', 'message larger than 4096 bytes']);
  });

  it('decodes an ISO-8859-1 message with its declared charset and answers in it', async () => {
    const { server, received } = await start();
    const latin1 = fixture('adt-a08-latin1.hl7');
    const [ack] = await sendMllp('127.0.0.1', server.port, [latin1]);
    expect(received[0]?.charset).toBe('iso-8859-1');
    expect(received[0]?.text).toContain('BÉRANGER^Françoise^Françoise Hélène');
    expect(received[0]?.text).toContain('LŒUVRE');
    const ackText = decodeWindows1252(ack as Buffer);
    expect(ackText.split('\r')[0]?.split('|')[17]).toBe('8859/1');
    expect(msa(ack as Buffer)).toEqual(['MSA', 'AA', 'CHEX-000240']);
  });

  it('still answers (AE, MSA-2 echoed) when the handler throws', async () => {
    const { server, logs } = await start({
      handle: () => {
        throw new Error('storage down');
      },
    });
    const [ack] = await sendMllp('127.0.0.1', server.port, [withControlId('THROW-1')]);
    expect(msa(ack as Buffer)).toEqual(['MSA', 'AE', 'THROW-1', 'application internal error']);
    expect(logs.some((l) => l.includes('mllp handler failed'))).toBe(true);
  });

  it('answers AR itself when the handler rejects on an unparseable frame', async () => {
    const { server } = await start({ handle: () => Promise.reject(new Error('x')) });
    const [ack] = await sendMllp('127.0.0.1', server.port, ['this is not HL7']);
    expect(msa(ack as Buffer).slice(0, 3)).toEqual(['MSA', 'AR', '']);
  });

  it('answers AE when the handler returns no usable ACK or is too slow', async () => {
    let calls = 0;
    const { server } = await start({
      handlerTimeoutMs: 200,
      handle: async () => {
        calls++;
        if (calls === 1) return Buffer.from([VT, FS]); // would break the framing
        return new Promise<Buffer>(() => undefined); // never settles
      },
    });
    const acks = await sendMllp('127.0.0.1', server.port, [withControlId('BAD-ACK'), withControlId('SLOW')], { pipeline: true });
    expect(acks.map((a) => msa(a).slice(0, 3))).toEqual([
      ['MSA', 'AE', 'BAD-ACK'],
      ['MSA', 'AE', 'SLOW'],
    ]);
  });

  it('closes an idle connection, but not one waiting on its handler', async () => {
    const { server } = await start({ idleTimeoutMs: 150, delayMs: () => 400 });
    const busy = await rawConnection(server.port);
    busy.socket.write(frameMllp(Buffer.from(withControlId('BUSY-1'))));
    expect(msa((await busy.waitForAcks(1))[0] as Buffer)[2]).toBe('BUSY-1'); // arrived after > 2 idle periods
    await busy.closed; // and then, idle, it is closed
    const idle = await rawConnection(server.port);
    const started = Date.now();
    await idle.closed;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('answers a hand-built frame from a plain node:net client, parsed by hand', async () => {
    const { server } = await start();
    const socket = connect({ host: '127.0.0.1', port: server.port });
    sockets.push(socket);
    const message = 'MSH|^~\\&|LAB|CH_X|PASSERELLE|DAC|20250110091500||ADT^A08^ADT_A01|RAW-7|P|2.4\rEVN|A08|20250110091500\rPID|1||42^^^CH_X^PI||NOM^Prenom\r';
    const reply = await new Promise<Buffer>((resolve, reject) => {
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        const end = buffer.indexOf('\x1c\r', 0, 'latin1');
        if (end >= 0) resolve(buffer.subarray(0, end + 2));
      });
      socket.on('error', reject);
      socket.write(Buffer.from(`\x0b${message}\x1c\r`, 'latin1'));
    });
    expect(reply[0]).toBe(0x0b);
    expect(reply.subarray(-2)).toEqual(Buffer.from([0x1c, 0x0d]));
    const segments = reply.subarray(1, -2).toString('latin1').split('\r');
    const mshFields = segments[0]?.split('|') ?? [];
    expect(mshFields.slice(2, 6)).toEqual(['PASSERELLE', 'DAC', 'LAB', 'CH_X']);
    expect(mshFields[8]).toBe('ACK^A08^ACK');
    expect(mshFields[11]).toBe('2.4');
    expect(segments[1]).toBe('MSA|AA|RAW-7');
  });

  it('finishes what is in flight on close, then closes the connection', async () => {
    const { server } = await start({ delayMs: () => 200 });
    const conn = await rawConnection(server.port);
    conn.socket.write(frameMllp(Buffer.from(withControlId('LAST-1'))));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    await conn.closed;
    expect(conn.acks.map((a) => msa(a)[2])).toEqual(['LAST-1']);
  });

  it('still answers a sender that half-closes right after sending', async () => {
    const { server } = await start({ delayMs: () => 50 });
    const conn = await rawConnection(server.port);
    conn.socket.end(Buffer.concat([frameMllp(Buffer.from(withControlId('HALF-1'))), frameMllp(Buffer.from(withControlId('HALF-2')))]));
    await conn.closed;
    expect(conn.acks.map((a) => msa(a)[2])).toEqual(['HALF-1', 'HALF-2']);
  });

  it('fails to start, instead of retrying forever, when the port is taken', async () => {
    const { server } = await start();
    await expect(startMllpServer({ host: '127.0.0.1', port: server.port, logger: createLogger('silent'), handle: async () => Buffer.from('x') })).rejects.toThrow(/EADDRINUSE/);
  });

  it('logs no message content', async () => {
    const { server, logs } = await start();
    await sendMllp('127.0.0.1', server.port, [a01, fixture('adt-a08-latin1.hl7'), 'garbage'], { pipeline: true });
    const all = logs.join('');
    expect(all).toContain('mllp message answered');
    for (const secret of ['PERRIN', 'Marcel', '152072505612380', '19520718', 'BÉRANGER', 'Pontarlier']) expect(all).not.toContain(secret);
  });

  it('survives random byte streams and still answers a valid frame sent after them', async () => {
    const { server } = await start({ maxFrameBytes: 2048 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(Uint8Array.of(VT), Uint8Array.of(FS), Uint8Array.of(FS, 0x0d))), { maxLength: 8 }),
        async (pieces) => {
          const id = `FUZZ-${run++}`;
          const conn = await rawConnection(server.port);
          for (const piece of pieces) conn.socket.write(piece);
          conn.socket.write(frameMllp(Buffer.from(withControlId(id))));
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no ACK for ${id}`)), 5_000);
            const check = (): void => {
              if (conn.acks.some((a) => msa(a)[2] === id)) {
                clearTimeout(timer);
                resolve();
              } else setTimeout(check, 5);
            };
            check();
          });
          // Every ACK is a well-formed acknowledgement, and ours is the last one.
          expect(conn.acks.every((a) => ['AA', 'AE', 'AR'].includes(msa(a)[1] ?? ''))).toBe(true);
          expect(msa(conn.acks.at(-1) as Buffer)[2]).toBe(id);
          conn.socket.destroy();
        },
      ),
      { numRuns: 150 },
    );
    const [ack] = await sendMllp('127.0.0.1', server.port, [withControlId('STILL-ALIVE')]);
    expect(msa(ack as Buffer)[1]).toBe('AA');
  });
});
