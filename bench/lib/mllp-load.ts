/**
 * MLLP load generation for the benchmark: a windowed sender (up to `window` messages in flight
 * per connection, over `connections` connections) and a paced sender (messages sent on a
 * schedule, whatever the ACKs do). Both keep, per message, the time from write to ACK and the
 * ACK's MSA-1 code. MLLP answers in order on one connection, so ACKs are matched FIFO.
 *
 * `sendMllp` (gateway/mllp/client.ts) sends either one at a time or everything at once; a bounded
 * window is what a real pipelining sender does, hence this module.
 *
 * @example
 *   const run = await runWindowed('127.0.0.1', port, frames, { connections: 8, window: 64 });
 *   run.perSecond; run.codes.get('AA');
 */
import { connect, type Socket } from 'node:net';
import { frameMllp, MllpDeframer } from '../../gateway/mllp/framer.js';

/** What one run measured. */
export interface MllpRun {
  seconds: number;
  /** ACKs per second over the whole run. */
  perSecond: number;
  /** Write-to-ACK time of each message, in milliseconds, indexed like the input. */
  latenciesMs: number[];
  /** ACK time (performance.now()) of each message, indexed like the input. */
  ackedAt: number[];
  /** Count of each MSA-1 code. */
  codes: Map<string, number>;
}

/** MSA-1 of an ACK payload ('' when there is no MSA segment). */
export function ackCode(ack: Buffer): string {
  const text = ack.toString('latin1');
  const at = text.indexOf('MSA|');
  if (at < 0) return '';
  const end = text.indexOf('|', at + 4);
  return text.slice(at + 4, end < 0 ? undefined : end).replace(/\r.*$/s, '');
}

/** Every message's ACK was AA. */
export function allAa(run: Pick<MllpRun, 'codes' | 'latenciesMs'>): boolean {
  return run.codes.size === 1 && run.codes.get('AA') === run.latenciesMs.length;
}

/** The codes as `AA×100 AE×2`. */
export function codesText(codes: Map<string, number>): string {
  return [...codes].map(([code, n]) => `${code || '?'}×${n}`).join(' ');
}

function open(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setNoDelay(true);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

interface Lane {
  /** Input indexes this connection carries, in order. */
  indexes: number[];
}

/**
 * Sends `payloads` over `connections` connections (round robin), at most `window` unacknowledged
 * per connection; window 1 is the classic send-and-wait. Rejects if a connection fails or the
 * run exceeds `timeoutMs`.
 */
export async function runWindowed(
  host: string,
  port: number,
  payloads: readonly Buffer[],
  options: { connections: number; window: number; timeoutMs?: number },
): Promise<MllpRun> {
  const frames = payloads.map((p) => frameMllp(p));
  const lanes: Lane[] = Array.from({ length: options.connections }, () => ({ indexes: [] }));
  frames.forEach((_, i) => lanes[i % options.connections]!.indexes.push(i));
  const latenciesMs = new Array<number>(frames.length).fill(Number.NaN);
  const ackedAt = new Array<number>(frames.length).fill(Number.NaN);
  const sentAt = new Array<number>(frames.length).fill(Number.NaN);
  const codes = new Map<string, number>();
  const sockets = await Promise.all(lanes.map(() => open(host, port)));
  const started = performance.now();
  try {
    await Promise.all(lanes.map((lane, l) => new Promise<void>((resolve, reject) => {
      const socket = sockets[l]!;
      const deframer = new MllpDeframer();
      let sent = 0;
      let acked = 0;
      const timer = setTimeout(() => reject(new Error(`MLLP run timed out (${acked}/${lane.indexes.length} ACKs on one connection)`)), options.timeoutMs ?? 120_000);
      const fill = (): void => {
        while (sent < lane.indexes.length && sent - acked < options.window) {
          const index = lane.indexes[sent++]!;
          sentAt[index] = performance.now();
          socket.write(frames[index]!);
        }
      };
      socket.on('data', (chunk: Buffer) => {
        const now = performance.now();
        for (const event of deframer.push(chunk)) {
          if (event.type !== 'frame') continue;
          const index = lane.indexes[acked++];
          if (index === undefined) continue;
          latenciesMs[index] = now - sentAt[index]!;
          ackedAt[index] = now;
          const code = ackCode(event.frame);
          codes.set(code, (codes.get(code) ?? 0) + 1);
        }
        if (acked >= lane.indexes.length) {
          clearTimeout(timer);
          resolve();
        } else fill();
      });
      socket.on('error', (err) => { clearTimeout(timer); reject(err); });
      socket.on('close', () => { clearTimeout(timer); if (acked < lane.indexes.length) reject(new Error(`connection closed after ${acked}/${lane.indexes.length} ACKs`)); });
      if (lane.indexes.length === 0) { clearTimeout(timer); resolve(); } else fill();
    })));
  } finally {
    for (const socket of sockets) socket.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: frames.length / seconds, latenciesMs, ackedAt, codes };
}

/**
 * Sends `payloads` on one connection at `perSecond`, on schedule (not waiting for ACKs, as a
 * hospital's interface engine emitting events as they happen), and calls `onAck` as each ACK
 * arrives. Resolves when every message is acknowledged.
 */
export async function runPaced(
  host: string,
  port: number,
  payloads: readonly Buffer[],
  options: { perSecond: number; timeoutMs?: number; onAck?: (index: number, at: number, code: string) => void },
): Promise<MllpRun & { sendLagMs: number }> {
  const frames = payloads.map((p) => frameMllp(p));
  const latenciesMs = new Array<number>(frames.length).fill(Number.NaN);
  const ackedAt = new Array<number>(frames.length).fill(Number.NaN);
  const sentAt = new Array<number>(frames.length).fill(Number.NaN);
  const codes = new Map<string, number>();
  const socket = await open(host, port);
  const started = performance.now();
  let sendLagMs = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const deframer = new MllpDeframer();
      let sent = 0;
      let acked = 0;
      let tick: NodeJS.Timeout | undefined;
      const done = (err?: Error): void => {
        clearTimeout(timer);
        clearTimeout(tick);
        if (err) reject(err);
        else resolve();
      };
      const timer = setTimeout(() => done(new Error(`paced MLLP run timed out (${acked}/${frames.length} ACKs)`)), options.timeoutMs ?? 120_000);
      const pump = (): void => {
        const now = performance.now();
        while (sent < frames.length && started + (sent * 1000) / options.perSecond <= now) {
          sendLagMs = Math.max(sendLagMs, now - (started + (sent * 1000) / options.perSecond));
          sentAt[sent] = now;
          socket.write(frames[sent]!);
          sent++;
        }
        if (sent < frames.length) tick = setTimeout(pump, Math.max(0, started + (sent * 1000) / options.perSecond - performance.now()));
      };
      socket.on('data', (chunk: Buffer) => {
        const now = performance.now();
        for (const event of deframer.push(chunk)) {
          if (event.type !== 'frame') continue;
          const index = acked++;
          latenciesMs[index] = now - sentAt[index]!;
          ackedAt[index] = now;
          const code = ackCode(event.frame);
          codes.set(code, (codes.get(code) ?? 0) + 1);
          options.onAck?.(index, now, code);
        }
        if (acked >= frames.length) done();
      });
      socket.on('error', (err) => done(err));
      socket.on('close', () => { if (acked < frames.length) done(new Error(`connection closed after ${acked}/${frames.length} ACKs`)); });
      pump();
    });
  } finally {
    socket.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: frames.length / seconds, latenciesMs, ackedAt, codes, sendLagMs };
}
