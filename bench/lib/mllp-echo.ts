/**
 * A bare MLLP echo server, the ceiling the MLLP benchmark compares Passerelle with: it deframes
 * with our own `MllpDeframer` and answers every frame with one fixed ACK, doing nothing else (no
 * parsing, no storage). Run as its own process (`spawnService`) so that, like Passerelle, it does
 * not share the load generator's event loop.
 *
 * Prints one JSON line `{"msg":"mllp echo listening","port":N}` when ready.
 */
import { createServer } from 'node:net';
import { runEchoProcess } from './echo-process.js';
import { frameMllp, MllpDeframer } from '../../gateway/mllp/framer.js';

/** `msg` of the ready line (mllp-services.ts waits for it). */
const ECHO_READY_MESSAGE = 'mllp echo listening';

const ACK = frameMllp(Buffer.from('MSH|^~\\&|ECHO|ECHO|SIH|CH|20250101000000||ACK|ECHO-1|P|2.5\rMSA|AA|ECHO-1\r', 'utf8'));

const server = createServer((socket) => {
  const deframer = new MllpDeframer();
  socket.on('data', (chunk: Buffer) => {
    const frames = deframer.push(chunk).filter((e) => e.type === 'frame').length;
    if (frames === 0) return;
    // One write per chunk: the cheapest a server can answer, which is what a ceiling should be.
    socket.write(frames === 1 ? ACK : Buffer.concat(Array.from({ length: frames }, () => ACK)));
  });
  socket.on('error', () => socket.destroy());
});

runEchoProcess(server, ECHO_READY_MESSAGE);
