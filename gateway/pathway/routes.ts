/**
 * `GET /v1/patients/{patientId}/pathway` (SPEC §2): the unified view of one person — active
 * plans with every contributor's activities, care team, support requests, hospital stays and
 * open tasks — and `GET /v1/patients`, the tenant's persons, so a reader can find an id.
 * Handlers gather through the FHIR client, map purely (`mappings/pathway`), and answer.
 *
 * @example
 *   registerPathwayRoutes(app, { fhir, clientName: (id) => clients.byClientId(id)?.name });
 *   // GET /v1/patients/123/pathway  (Authorization: Bearer <key with fhir.read>)
 */
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import type { Patient } from '@medplum/fhirtypes';
import {
  buildPathway, PathwayViewSchema, PatientViewSchema, patientView, type ClientNameLookup,
} from '../../mappings/pathway/index.js';
import { searchMatches, type FhirClient } from '../../workers/fhir-client/index.js';
import { requireScope } from '../auth/authenticate.js';
import type { AuditSink } from '../fhir-facade/index.js';
import type { AppEnv } from '../http/app-env.js';
import { fromFhir } from './fhir-errors.js';
import { gatherPathway, type PathwayFhir } from './gather.js';
import { DIRECTORY_TYPES, tenantTag, visibleTo } from './tenancy.js';

export interface PathwayRouteDeps {
  fhir: PathwayFhir & Pick<FhirClient, 'search'>;
  /** Client id → name (the clients file), so origins read "ajoutée par CHU de Besançon". */
  clientName: ClientNameLookup;
  /** Where reads of personal health data are recorded (SPEC §7); the facade's sink fits. */
  audit?: AuditSink;
}

const problemJson = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string().optional() })
  .meta({ id: 'PathwayProblemJson' });

/** A FHIR id (R4 `id` datatype): also what keeps the path segment harmless. */
const PatientIdSchema = z.string().regex(/^[A-Za-z0-9\-.]{1,64}$/, 'identifiant FHIR : 1 à 64 caractères parmi lettres, chiffres, - et .')
  .meta({ description: 'Identifiant FHIR du Patient', example: '0d2c6f0e-5b9a-4d47-a0a5-7d2b1c1f2e3a' });

const errors = {
  401: { description: 'no or unknown credential', content: { 'application/problem+json': { schema: problemJson } } },
  403: { description: 'the client lacks the fhir.read scope', content: { 'application/problem+json': { schema: problemJson } } },
  502: { description: 'the FHIR server failed', content: { 'application/problem+json': { schema: problemJson } } },
} as const;

const pathwayRoute = createRoute({
  method: 'get',
  path: '/v1/patients/{patientId}/pathway',
  tags: ['pathway'],
  summary: 'The unified pathway of a person: plans with every contributor’s activities, team, support requests, stays, open tasks',
  middleware: [requireScope('fhir.read')] as const,
  request: { params: z.object({ patientId: PatientIdSchema }) },
  responses: {
    200: { description: 'the pathway, in the case-document vocabulary with French displays', content: { 'application/json': { schema: PathwayViewSchema } } },
    400: { description: 'malformed patient id', content: { 'application/problem+json': { schema: problemJson } } },
    404: { description: 'no such person in the caller’s tenant (another tenant’s reads the same)', content: { 'application/problem+json': { schema: problemJson } } },
    ...errors,
  },
});

const PatientListSchema = z.object({
  patients: z.array(PatientViewSchema),
}).meta({ id: 'PatientList' });

/** Largest page of `GET /v1/patients`: a list to pick from, not an export. */
const MAX_LIST = 100;

const listRoute = createRoute({
  method: 'get',
  path: '/v1/patients',
  tags: ['pathway'],
  summary: 'Persons of the caller’s tenant, most recently updated first (to find a patient id)',
  middleware: [requireScope('fhir.read')] as const,
  request: {
    query: z.object({
      name: z.string().min(1).max(100).optional().meta({ description: 'début d’un nom ou prénom (recherche FHIR `name`)' }),
      count: z.coerce.number().int().min(1).max(MAX_LIST).default(20).meta({ description: `nombre de personnes (1–${MAX_LIST})` }),
    }),
  },
  responses: {
    200: { description: 'the persons', content: { 'application/json': { schema: PatientListSchema } } },
    400: { description: 'bad query', content: { 'application/problem+json': { schema: problemJson } } },
    ...errors,
  },
});

export function registerPathwayRoutes(app: OpenAPIHono<AppEnv>, deps: PathwayRouteDeps): void {
  app.openapi(pathwayRoute, async (c) => {
    const { patientId } = c.req.valid('param');
    const client = c.get('client');
    const resources = await gatherPathway(deps.fhir, patientId, client.tenant);
    const view = buildPathway(resources, { patientId, clientName: deps.clientName });
    deps.audit?.record({
      action: 'R',
      interaction: 'read',
      type: 'Patient',
      // The person's data disclosed; the shared directory is not personal health data.
      ids: resources.filter((r) => !DIRECTORY_TYPES.has(r.resourceType)).map((r) => `${r.resourceType}/${r.id ?? ''}`),
      clientId: client.id,
      tenant: client.tenant,
      requestId: c.get('requestId'),
      outcome: 'success',
    });
    // Counts only: the view holds personal data, which logs must not.
    c.get('log').debug({ plans: view.plans.length, team: view.team.length, tasks: view.openTasks.length, issues: view.issues.length }, 'pathway built');
    return c.json(view, 200);
  });

  app.openapi(listRoute, async (c) => {
    const { name, count } = c.req.valid('query');
    const client = c.get('client');
    const bundle = await fromFhir(() => deps.fhir.search('Patient', {
      _tag: tenantTag(client.tenant),
      ...(name !== undefined ? { name } : {}),
      _sort: '-_lastUpdated',
      _count: count,
    }));
    const patients = searchMatches(bundle)
      .filter((p): p is Patient & { id: string } => p.resourceType === 'Patient' && typeof p.id === 'string' && visibleTo(p, client.tenant));
    deps.audit?.record({
      action: 'R', interaction: 'search-type', type: 'Patient', ids: patients.map((p) => `Patient/${p.id}`),
      clientId: client.id, tenant: client.tenant, requestId: c.get('requestId'), outcome: 'success',
    });
    return c.json({ patients: patients.map(patientView) }, 200);
  });
}
