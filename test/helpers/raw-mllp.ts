/**
 * An MLLP sender written by hand over a plain socket, not with our MLLP client or framer: what
 * the end-to-end tests send with, so the server's framing is checked against another reading
 * of the protocol.
 *
 * @example const [ack] = await sendRaw(gateway.mllpPort!, [message]);
 */
import { connect } from 'node:net';

/** Sends each message in its own frame, all at once, and resolves with their ACKs (UTF-8 text). */
export function sendRaw(port: number, messages: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const acks: string[] = [];
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (let end = buffer.indexOf(0x1c); end >= 0; end = buffer.indexOf(0x1c)) {
        acks.push(buffer.subarray(buffer.indexOf(0x0b) + 1, end).toString('utf8'));
        buffer = buffer.subarray(end + 2);
        if (acks.length === messages.length) socket.end(() => resolve(acks));
      }
    });
    socket.on('error', reject);
    socket.write(Buffer.concat(messages.map((m) => Buffer.concat([Buffer.from([0x0b]), Buffer.from(m, 'utf8'), Buffer.from([0x1c, 0x0d])]))));
  });
}
