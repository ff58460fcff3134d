/**
 * Test support for the `gateway/ops` tests (not a test itself): the clients of a small
 * installation and an app built with `createApp`, as production builds it.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { createApp } from '../app.js';
import { ClientRegistry, sha256Hex } from '../auth/client-registry.js';
import type { Client } from '../auth/clients-file.js';
import type { AppEnv } from '../http/app-env.js';
import { createLogger } from '../log.js';

function client(id: string, tenant: string, scopes: string[], hl7Facilities: string[] = []): Client {
  return { id, name: id, tenant, apiKeySha256: sha256Hex(`${id}-key`), scopes, hl7Facilities };
}

/** Two tenants; in `doubs` an admin DAC, two hospitals (one without `hl7v2.write`) and an EHPAD. */
export const CLIENTS = {
  dacDoubs: client('dac-doubs', 'doubs', ['cases.write', 'fhir.read', 'admin']),
  chuBesancon: client('chu-besancon', 'doubs', ['hl7v2.write', 'fhir.read'], ['CHU_BESANCON']),
  chPontarlier: client('ch-pontarlier', 'doubs', ['fhir.read'], ['CH_PONTARLIER']),
  ehpad: client('ehpad-tilleuls', 'doubs', ['fhir.read']),
  dacJura: client('dac-jura', 'jura', ['cases.write', 'admin']),
  chuJura: client('chu-jura', 'jura', ['hl7v2.write'], ['CHU_JURA']),
} as const;

/** `Authorization` header of a fixture client. */
export function bearer(c: Client): Record<string, string> {
  return { authorization: `Bearer ${c.id}-key` };
}

/** The app with the edge middleware and the given route modules. */
export function makeApp(routes: ((app: OpenAPIHono<AppEnv>) => void)[]): OpenAPIHono<AppEnv> {
  return createApp({
    logger: createLogger('silent'),
    clients: new ClientRegistry(Object.values(CLIENTS)),
    bodyLimit: 1 << 20,
    checkReadiness: async () => ({}),
    routes,
  });
}
