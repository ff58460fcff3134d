/**
 * `POST /v1/hl7v2` (SPEC §3): the HTTP door of HL7 v2 inbound. Body = one ER7 message, read as
 * bytes (never as a JS string) so that the charset MSH-18 declares is the one used to decode it.
 * The answer body is the ACK, `200` whatever its code (AA, AE or AR: the ACK says it, and the
 * `X-Hl7-Ack-Code` header repeats MSA-1). `503` with an `AE` ACK when the message could not be
 * stored: nothing was accepted, send it again.
 */
import { randomBytes } from 'node:crypto';
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { failureAck } from '../../mappings/hl7/assess.js';
import { requireScope } from '../auth/authenticate.js';
import type { AppEnv } from '../http/app-env.js';
import { HttpError } from '../http/http-error.js';
import { ackInfo } from './ack-info.js';
import type { Hl7Intake } from './intake.js';

/** Media types SPEC §3 accepts for an ER7 body. */
export const HL7_MEDIA_TYPES: readonly string[] = ['x-application/hl7-v2+er7', 'text/plain'];

/** Response header carrying MSA-1 of the ACK. */
export const ACK_CODE_HEADER = 'X-Hl7-Ack-Code';

/** Scope a client needs to post HL7 v2. */
export const HL7_WRITE_SCOPE = 'hl7v2.write';

const er7 = z.string().meta({ description: 'an HL7 v2 message in ER7 (pipe-delimited) encoding' });
const ackDescription = 'the ACK (ER7, in the charset of the message); MSA-1 also in `X-Hl7-Ack-Code`';

const postHl7 = createRoute({
  method: 'post',
  path: '/v1/hl7v2',
  tags: ['hl7v2'],
  summary: 'Push one HL7 v2 ADT message (A01, A03, A04, A08, A11, A13, A40); the answer is its ACK',
  middleware: [requireScope(HL7_WRITE_SCOPE)] as const,
  request: {
    body: {
      required: true,
      description: 'the ER7 message; MSH-18 declares its charset (UTF-8 or ISO-8859-1)',
      content: Object.fromEntries(HL7_MEDIA_TYPES.map((type) => [type, { schema: er7 }])),
    },
  },
  responses: {
    200: {
      description: `${ackDescription}: AA once stored and queued, AE (kept, not processable) or AR (refused)`,
      headers: { [ACK_CODE_HEADER]: { schema: { type: 'string' }, description: 'MSA-1: AA, AE, AR (CA, CE, CR in enhanced mode)' } },
      content: { 'x-application/hl7-v2+er7': { schema: er7 } },
    },
    415: { description: 'the body is not declared as ER7 (`x-application/hl7-v2+er7` or `text/plain`)' },
    503: { description: `${ackDescription} (AE): the message could not be stored; send it again` },
  },
});

/** What the route needs. */
export interface Hl7RouteDeps {
  intake: Hl7Intake;
  now?: () => Date;
}

/**
 * Registers `POST /v1/hl7v2`.
 *
 * @example
 *   createApp({ ..., routes: [(app) => registerHl7Routes(app, { intake })] });
 */
export function registerHl7Routes(app: OpenAPIHono<AppEnv>, deps: Hl7RouteDeps): void {
  const now = deps.now ?? (() => new Date());
  app.openapi(postHl7, async (c) => {
    const contentType = c.req.header('content-type') ?? '';
    const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
    if (!HL7_MEDIA_TYPES.includes(mediaType)) {
      throw new HttpError(415, `Content-Type must be ${HL7_MEDIA_TYPES.join(' or ')} (got ${JSON.stringify(mediaType.slice(0, 60))})`);
    }
    const raw = Buffer.from(await c.req.arrayBuffer());
    let ack: Buffer;
    let status: 200 | 503 = 200;
    try {
      ack = await deps.intake(raw, { channel: 'http-hl7', clientId: c.get('client').id, requestId: c.get('requestId'), contentType });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      c.get('log').error({ err: { name: e.name, message: e.message.slice(0, 300) } }, 'hl7 intake failed');
      ack = failureAck(raw, { reason: 'message could not be stored; send it again', now: now(), controlId: randomBytes(8).toString('hex') });
      status = 503;
    }
    const info = ackInfo(ack);
    const headers: Record<string, string> = { 'content-type': `x-application/hl7-v2+er7; charset=${info.charset}` };
    if (info.code !== undefined) headers[ACK_CODE_HEADER] = info.code;
    if (status === 503) headers['retry-after'] = '5';
    return c.body(new Uint8Array(ack), status, headers) as never;
  });
}
