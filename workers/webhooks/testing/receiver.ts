/**
 * Test double of a subscriber's webhook endpoint: a real HTTP server on 127.0.0.1 (port 0) that
 * records every delivery, checks its signature the way a receiver should (HMAC-SHA256 of
 * `"<t>.<raw body>"`, compared in constant time — computed here, not with the code under test),
 * and answers whatever the test sets. It can go away (connection refused) and come back on the
 * same port. Used by tests only.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Receipt {
  /** Path the delivery was POSTed to: one path per subscription in the tests. */
  path: string;
  deliveryId: string;
  eventType: string;
  /** True when `X-Passerelle-Signature` matches the body under the path's secret. */
  signatureValid: boolean;
  /** The `t=` of the signature, unix seconds. */
  signedAt: number;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  /** What the receiver answered. */
  status: number;
  /** Order of arrival, from 0. */
  seq: number;
}

export interface Receiver {
  /** URL of `path` on this receiver. */
  url(path: string): string;
  /** Secret the deliveries to `path` must be signed with. */
  expectSecret(path: string, secret: string): void;
  /** How to answer a delivery (default 200). */
  answer: (receipt: Omit<Receipt, 'status'>) => number;
  readonly receipts: Receipt[];
  /** Receipts answered 2xx, optionally only those to `path`. */
  delivered(path?: string): Receipt[];
  /** Stops listening: deliveries now meet "connection refused". */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export function verifySignature(header: string | undefined, secret: string, rawBody: string): { valid: boolean; t: number } {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match?.[1] || !match[2]) return { valid: false, t: 0 };
  const expected = createHmac('sha256', secret).update(`${match[1]}.${rawBody}`).digest();
  const given = Buffer.from(match[2], 'hex');
  return { valid: given.length === expected.length && timingSafeEqual(given, expected), t: Number(match[1]) };
}

export async function startReceiver(): Promise<Receiver> {
  const secrets = new Map<string, string>();
  const receipts: Receipt[] = [];
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server;

  const receiver: Receiver = {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    expectSecret: (path, secret) => void secrets.set(path, secret),
    answer: () => 200,
    receipts,
    delivered: (path) => receipts.filter((r) => r.status >= 200 && r.status < 300 && (path === undefined || r.path === path)),
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    async restart() {
      server = listen();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
    close: () => receiver.stop(),
  };

  function listen(): Server {
    const created = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const path = req.url ?? '';
        const signature = verifySignature(req.headers['x-passerelle-signature'] as string | undefined, secrets.get(path) ?? '', raw);
        const partial = {
          path,
          deliveryId: String(req.headers['x-passerelle-delivery'] ?? ''),
          eventType: String(req.headers['x-passerelle-event'] ?? ''),
          signatureValid: signature.valid,
          signedAt: signature.t,
          body: JSON.parse(raw) as Record<string, unknown>,
          headers: req.headers,
          seq: receipts.length,
        };
        const status = receiver.answer(partial);
        receipts.push({ ...partial, status });
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'thanks' : 'not now');
      });
    });
    created.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return created;
  }

  server = listen();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  return receiver;
}

/** Polls `check` until it returns true; fails after `timeoutMs` with `what`. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
