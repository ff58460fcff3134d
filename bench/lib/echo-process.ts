/**
 * The process side of the benchmarks' bare echo servers (`mllp-echo.ts`, `http-echo.ts`):
 * listens on a free loopback port, prints the ready line `spawnService` waits for
 * (`{"msg":<readyMessage>,"port":N}`), and exits on SIGTERM or when the benchmark goes.
 */
import type { Server } from 'node:net';
import { exitWithParent } from '../../gateway/process/spawn-service.js';

export function runEchoProcess(server: Server, readyMessage: string): void {
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(`${JSON.stringify({ msg: readyMessage, port })}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  exitWithParent(() => process.exit(0));
}
