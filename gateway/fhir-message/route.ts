/**
 * `POST /fhir/$process-message` (SPEC §3; FHIR R4 `MessageHeader-process-message`): a hospital
 * pushes a Da Vinci style `notification-admit` / `notification-discharge` message Bundle (as the
 * body, or as the `content` of a Parameters). Same auth as the facade, tenant from the caller,
 * scope `hl7v2.write`: the hospital's push scope, the one that lets it post ADT over HTTP.
 *
 * Answers (Da Vinci "Server Response Codes": 200/202/204 on success, 4xx without retry, 5xx retry):
 * - `200` + the response message Bundle (`MessageHeader.response` = request `Bundle.id`, `ok`)
 *   once the message is durably stored and queued — processing follows, as after an HL7 `AA`;
 * - `400` + an OperationOutcome with one issue per faulty field (`expression`); the message is
 *   kept as `rejected`, listed in `GET /v1/messages` and replayable;
 * - `415` for a body that is not declared JSON; `503` + `Retry-After` when it could not be stored.
 * Only synchronous messaging is offered: `async=true` is refused (400), since nothing would
 * deliver the response to a `response-url`.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { OperationOutcome } from '@medplum/fhirtypes';
import { requireScope } from '../auth/authenticate.js';
import type { AppEnv } from '../http/app-env.js';
import { HttpError } from '../http/http-error.js';
import type { FhirMessageIntake } from './intake.js';

/** The operation's path. */
export const PROCESS_MESSAGE_PATH = '/fhir/$process-message';

/** Scope a client needs to push notifications: the same as HL7 v2 over HTTP. */
export const FHIR_MESSAGE_SCOPE = 'hl7v2.write';

/** Media types accepted for the body. */
export const FHIR_MESSAGE_MEDIA_TYPES: readonly string[] = ['application/fhir+json', 'application/json'];

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

const STORAGE_FAILED: OperationOutcome = {
  resourceType: 'OperationOutcome',
  issue: [{ severity: 'error', code: 'transient', details: { text: 'the message could not be stored; send it again' } }],
};

/** What the route needs. */
export interface FhirMessageRouteDeps {
  intake: FhirMessageIntake;
  /** Public base URL of the facade for a request URL (behind a proxy); default: the request's origin + `/fhir`. */
  publicBaseUrl?: (requestUrl: string) => string;
}

/**
 * Registers `POST /fhir/$process-message`.
 * @example createApp({ …, routes: [(app) => registerFhirMessageRoute(app, { intake: createFhirMessageIntake(deps) })] });
 */
export function registerFhirMessageRoute(app: OpenAPIHono<AppEnv>, deps: FhirMessageRouteDeps): void {
  app.post(PROCESS_MESSAGE_PATH, requireScope(FHIR_MESSAGE_SCOPE), async (c) => {
    const contentType = c.req.header('content-type') ?? '';
    const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
    if (!FHIR_MESSAGE_MEDIA_TYPES.includes(mediaType)) {
      throw new HttpError(415, `Content-Type must be ${FHIR_MESSAGE_MEDIA_TYPES.join(' or ')}`);
    }
    if (c.req.query('async') === 'true') {
      throw new HttpError(400, 'asynchronous messaging is not offered: omit async (the answer is sent once the message is stored and queued)', [{ path: 'async', message: 'only synchronous messaging is offered' }]);
    }
    const base = (deps.publicBaseUrl?.(c.req.url) ?? `${new URL(c.req.url).origin}/fhir`).replace(/\/+$/, '');
    const raw = Buffer.from(await c.req.arrayBuffer());
    try {
      const answer = await deps.intake(raw, {
        clientId: c.get('client').id,
        requestId: c.get('requestId'),
        contentType,
        endpoint: `${base}/$process-message`,
      });
      return c.body(new Uint8Array(answer.body), answer.status, { 'content-type': FHIR_JSON });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      c.get('log').error({ err: { name: e.name, message: e.message.slice(0, 300) } }, 'fhir message intake failed');
      return c.body(JSON.stringify(STORAGE_FAILED), 503, { 'content-type': FHIR_JSON, 'retry-after': '5' });
    }
  });
}
