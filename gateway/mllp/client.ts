/**
 * A small MLLP client for tests, the benchmark and operators' smoke checks: sends messages on one
 * connection and returns the ACK payloads in order.
 */
import { connect } from 'node:net';
import { frameMllp, MllpDeframer } from './framer.js';

/** Options of {@link sendMllp}. */
export interface SendMllpOptions {
  /** Send every message without waiting for the previous ACK (default false: one at a time). */
  pipeline?: boolean;
  /** Give up when the whole exchange takes longer (default 10 s). */
  timeoutMs?: number;
}

/**
 * Sends messages over one MLLP connection and resolves with one ACK payload (unframed bytes) per
 * message, in order. Strings are sent as UTF-8; pass bytes to send another encoding.
 * Rejects if the connection fails or closes before every ACK arrived, or on timeout.
 *
 * @example
 *   const [ack] = await sendMllp('127.0.0.1', server.port, [adtText]);
 *   ack.toString('utf8').split('\r')[1]; // 'MSA|AA|CHEX-000101'
 */
export function sendMllp(host: string, port: number, messages: readonly (string | Uint8Array)[], options: SendMllpOptions = {}): Promise<Buffer[]> {
  const frames = messages.map((m) => frameMllp(typeof m === 'string' ? Buffer.from(m, 'utf8') : m));
  return new Promise<Buffer[]>((resolve, reject) => {
    const acks: Buffer[] = [];
    const deframer = new MllpDeframer();
    let sent = 0;
    let settled = false;
    const socket = connect({ host, port });
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.end();
      socket.destroy();
      if (err) reject(err);
      else resolve(acks);
    };
    const timer = setTimeout(
      () => finish(new Error(`MLLP exchange timed out after ${options.timeoutMs ?? 10_000} ms (${acks.length}/${frames.length} ACKs)`)),
      options.timeoutMs ?? 10_000,
    );
    const sendNext = (): void => {
      const frame = frames[sent];
      if (frame === undefined) return;
      sent++;
      socket.write(frame);
    };
    socket.on('connect', () => {
      if (frames.length === 0) return finish();
      if (options.pipeline === true) while (sent < frames.length) sendNext();
      else sendNext();
    });
    socket.on('data', (chunk: Buffer) => {
      for (const event of deframer.push(chunk)) {
        if (event.type !== 'frame') continue;
        acks.push(event.frame);
        if (acks.length === frames.length) return finish();
        if (options.pipeline !== true) sendNext();
      }
    });
    socket.on('error', (err) => finish(err));
    socket.on('close', () => finish(new Error(`MLLP connection closed after ${acks.length}/${frames.length} ACKs`)));
  });
}
