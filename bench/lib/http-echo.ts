/**
 * A bare HTTP JSON echo, the baseline `bench/fhir-store` measures in the same run: it reads a
 * PUT's JSON body, parses it, adds `meta.versionId` and answers it back, doing nothing else (no
 * validation, no storage). Run as its own process (`spawnService`), like the store, so that the
 * two pay the same HTTP and JSON costs on the same machine at the same moment.
 *
 * Prints one JSON line `{"msg":"http echo listening","port":N}` when ready.
 */
import { createServer } from 'node:http';
import { runEchoProcess } from './echo-process.js';

/** `msg` of the ready line (fhir-store.ts waits for it). */
const ECHO_READY_MESSAGE = 'http echo listening';

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const resource = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const body = JSON.stringify({ ...resource, id: 'echo', meta: { versionId: '2', lastUpdated: new Date().toISOString() } });
    res.writeHead(200, { 'content-type': 'application/fhir+json', etag: 'W/"2"' });
    res.end(body);
  });
});

runEchoProcess(server, ECHO_READY_MESSAGE);
