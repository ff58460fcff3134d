/**
 * Test double of an external FHIR server that misbehaves on purpose: a real HTTP server on
 * 127.0.0.1 (port 0) answering each request with the next scripted step (an answer, a hang,
 * a dropped connection). It stands for HAPI or a proxy in front of it, the system outside the
 * project whose failures the client must survive. Used by tests only.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the server does with one request. */
export type Step =
  | { readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
  /** Reads the request and never answers. */
  | 'hang'
  /** Destroys the connection without answering (the client sees a reset / "other side closed"). */
  | 'reset'
  /** Answers however the test needs. */
  | ((request: RecordedRequest, response: ServerResponse) => void);

/** A request as the server received it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ScriptedServer {
  /** Base URL of the double, ending in `/fhir`. */
  readonly baseUrl: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Appends steps; requests beyond the script get `fallback`. */
  script(...steps: Step[]): void;
  close(): Promise<void>;
}

/** Starts the double; requests with no step left get `fallback` (default: a 500 with no body). */
export async function startScriptedFhirServer(fallback: Step = { status: 500 }): Promise<ScriptedServer> {
  const steps: Step[] = [];
  const requests: RecordedRequest[] = [];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      play(steps.shift() ?? fallback, recorded, req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/fhir`,
    requests,
    script: (...more) => void steps.push(...more),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function play(step: Step, recorded: RecordedRequest, req: IncomingMessage, res: ServerResponse): void {
  if (step === 'hang') return;
  if (step === 'reset') {
    req.socket.destroy();
    return;
  }
  if (typeof step === 'function') {
    step(recorded, res);
    return;
  }
  const headers: Record<string, string> = { ...step.headers };
  let payload = '';
  if (step.body !== undefined) {
    payload = typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
    headers['content-type'] ??= typeof step.body === 'string' ? 'text/html' : 'application/fhir+json';
  }
  res.writeHead(step.status, headers);
  res.end(payload);
}
