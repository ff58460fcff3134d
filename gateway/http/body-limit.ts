/**
 * Request body limit → 413. Hono's `bodyLimit` middleware materialises the whole Web Request
 * and costs about 3× throughput on @hono/node-server (STACK.md), so: trust Content-Length when
 * it is declared (Node's parser never reads past it), and only count streamed bytes for
 * chunked bodies.
 */
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './app-env.js';
import { HttpError } from './http-error.js';

export function limitBody(maxBytes: number) {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'DELETE') return next();
    const tooLarge = () => new HttpError(413, `request body exceeds ${maxBytes} bytes`);
    const declared = c.req.header('content-length');
    if (declared !== undefined) {
      if (Number(declared) > maxBytes) throw tooLarge();
      return next();
    }
    const body = c.req.raw.body;
    if (!body) return next();
    // Chunked: read at most maxBytes (so memory stays bounded), then hand the bytes on.
    const chunks: Uint8Array[] = [];
    let seen = 0;
    const reader = body.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      seen += read.value.byteLength;
      if (seen > maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(read.value);
    }
    c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers: c.req.raw.headers, body: Buffer.concat(chunks) });
    return next();
  });
}
