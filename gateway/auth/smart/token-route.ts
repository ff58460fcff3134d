/**
 * SMART Backend Services (SPEC §7): `POST /oauth/token` (client_credentials grant, client
 * authenticated by a `private_key_jwt` assertion) and the discovery document
 * `GET /fhir/.well-known/smart-configuration`. Both are public: the assertion is the credential.
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../http/app-env.js';
import type { AccessTokens } from './access-tokens.js';
import { ASSERTION_ALGORITHMS, type AssertionVerifier } from './client-assertion.js';
import { OAuthError } from './oauth-error.js';
import { grantScopes } from './scope-grant.js';

export const TOKEN_PATH = '/oauth/token';
export const SMART_CONFIGURATION_PATH = '/fhir/.well-known/smart-configuration';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const FORM = 'application/x-www-form-urlencoded';

export interface SmartRouteDeps {
  verifier: AssertionVerifier;
  tokens: AccessTokens;
  /** The token endpoint's public URL for a request (the `aud` an assertion must carry). */
  tokenUrl: (requestUrl: string) => string;
}

const tokenForm = z.object({
  grant_type: z.literal('client_credentials'),
  client_assertion_type: z.literal(JWT_BEARER),
  client_assertion: z.string().meta({ description: 'a JWT signed with a key registered for the client (publicKeys or jwksUrl)' }),
  scope: z.string().meta({ description: 'space-separated, e.g. "system/CarePlan.rs system/Task.u"' }),
});

const tokenRoute = createRoute({
  method: 'post',
  path: TOKEN_PATH,
  tags: ['auth'],
  summary: 'SMART Backend Services: exchange a signed client assertion for an access token',
  security: [],
  request: { body: { required: true, content: { [FORM]: { schema: tokenForm } } } },
  responses: {
    200: {
      description: 'the access token (Bearer, valid `expires_in` seconds) and the scopes granted',
      content: { 'application/json': { schema: z.object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number(), scope: z.string() }) } },
    },
    400: { description: 'OAuth error (`invalid_request`, `unsupported_grant_type`, `invalid_scope`)' },
    401: { description: 'OAuth error `invalid_client`: the assertion does not authenticate a registered client' },
  },
});

/** What a client may ask for; the clients file says what each one gets. */
const SCOPES_SUPPORTED = ['system/*.rs', 'system/CarePlan.u', 'system/Task.u', 'fhir.read', 'fhir.write', 'cases.write', 'hl7v2.write', 'subscriptions.manage'];

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

function oauthAnswer(c: Context<AppEnv>, err: OAuthError): Response {
  return c.json({ error: err.code, error_description: err.description }, err.status, NO_STORE);
}

/** The form field `name`, or an `invalid_request` naming it. */
function field(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (value === null || value === '') throw new OAuthError('invalid_request', `${name} is missing`);
  return value;
}

export function registerSmartRoutes(app: OpenAPIHono<AppEnv>, deps: SmartRouteDeps): void {
  app.openAPIRegistry.registerPath(tokenRoute);
  app.post(TOKEN_PATH, async (c) => {
    try {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== FORM) throw new OAuthError('invalid_request', `the body must be ${FORM}`);
      const form = new URLSearchParams(await c.req.text());
      const grantType = field(form, 'grant_type');
      if (grantType !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 'grant_type must be client_credentials');
      if (field(form, 'client_assertion_type') !== JWT_BEARER) throw new OAuthError('invalid_request', `client_assertion_type must be ${JWT_BEARER}`);
      const assertion = field(form, 'client_assertion');
      const requested = field(form, 'scope');
      const client = await deps.verifier.verify(assertion, deps.tokenUrl(c.req.url));
      const scopes = grantScopes(requested, client.scopes);
      if (scopes.length === 0) throw new OAuthError('invalid_scope', `none of the requested scopes is allowed to client ${client.id}`);
      const { token, expiresIn } = await deps.tokens.issue({ clientId: client.id, scopes });
      c.get('log').info({ clientId: client.id, scopes: scopes.length }, 'smart access token issued');
      return c.json({ access_token: token, token_type: 'bearer', expires_in: expiresIn, scope: scopes.join(' ') }, 200, NO_STORE);
    } catch (err) {
      if (err instanceof OAuthError) {
        c.get('log').info({ error: err.code }, 'smart token refused');
        return oauthAnswer(c, err);
      }
      throw err;
    }
  });

  app.get(SMART_CONFIGURATION_PATH, (c) =>
    c.json({
      token_endpoint: deps.tokenUrl(c.req.url),
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
      scopes_supported: SCOPES_SUPPORTED,
      capabilities: ['client-confidential-asymmetric'],
    }),
  );
}
