/**
 * The store's `FhirRouter`: Medplum's router with these handlers replaced:
 * - `POST /` (transaction/batch) by our processor (`transaction.ts`): atomic, no entry limits;
 * - `PUT /:type/:id`, so that an update that creates the resource answers 201, not 200;
 * - `PATCH` and `DELETE /:type/:id`, so that they honour `If-Match` as PUT does;
 * and one added: `GET /:type/_history`, the type-level history (`history-type.ts`).
 */
import { allOk, badRequest, created } from '@medplum/core';
import { FhirRouter } from '@medplum/fhir-router';
import type { FhirRepository, FhirRequest, FhirResponse, FhirRouteHandler } from '@medplum/fhir-router';
import type { Resource } from '@medplum/fhirtypes';
import type { Operation } from 'rfc6902';
import { typeHistoryHandler } from './history-type.js';
import { checkVersion, ifMatchVersion } from './if-match.js';
import { isTransactional } from './sqlite-repository.js';
import { bundleHandler } from './transaction.js';

async function updateHandler(req: FhirRequest, repo: FhirRepository): Promise<FhirResponse> {
  const { resourceType = '', id = '' } = req.params;
  const resource = req.body as Resource | undefined;
  if (!resource || resource.resourceType !== resourceType) return [badRequest('Incorrect resource type', 'resourceType')];
  if (resource.id !== id) return [badRequest('Resource id must match the URL', `${resourceType}.id`)];
  const ifMatch = ifMatchVersion(req.headers?.['if-match']);
  const write = async (r: FhirRepository): Promise<FhirResponse> => {
    const existed = await r.readResource(resourceType, id).then(
      () => true,
      () => false,
    );
    const result = await r.updateResource(resource, { ifMatch });
    return [existed ? allOk : created, result];
  };
  return inTransaction(repo, write);
}

function inTransaction(repo: FhirRepository, fn: (r: FhirRepository) => Promise<FhirResponse>): Promise<FhirResponse> {
  return isTransactional(repo) ? repo.transaction(fn) : fn(repo);
}

async function patchHandler(req: FhirRequest, repo: FhirRepository): Promise<FhirResponse> {
  const { resourceType = '', id = '' } = req.params;
  const patch = req.body as Operation[] | undefined;
  if (!Array.isArray(patch)) return [badRequest('A PATCH body must be a JSON Patch array')];
  const ifMatch = ifMatchVersion(req.headers?.['if-match']);
  return inTransaction(repo, async (r) => {
    await checkVersion(r, resourceType, id, ifMatch);
    return [allOk, await r.patchResource(resourceType as Resource['resourceType'], id, patch)];
  });
}

async function deleteHandler(req: FhirRequest, repo: FhirRepository): Promise<FhirResponse> {
  const { resourceType = '', id = '' } = req.params;
  const ifMatch = ifMatchVersion(req.headers?.['if-match']);
  return inTransaction(repo, async (r) => {
    await checkVersion(r, resourceType, id, ifMatch);
    await r.deleteResource(resourceType, id);
    return [allOk];
  });
}

function replace(router: FhirRouter, method: string, path: string, handler: FhirRouteHandler): void {
  const segments = path.split('/').filter(Boolean);
  const route = router.router.routes.find(
    (r) => r.method === method && r.path.length === segments.length && r.path.every((s, i) => (s.param ? `:${s.value}` : s.value) === segments[i]),
  );
  if (!route) throw new Error(`FhirRouter has no ${method} ${path} route to replace`);
  route.handler = handler;
}

/** Creates the router used by the embedded store. */
export function createStoreRouter(): FhirRouter {
  const router = new FhirRouter();
  replace(router, 'POST', '', bundleHandler);
  replace(router, 'PUT', ':resourceType/:id', updateHandler);
  replace(router, 'PATCH', ':resourceType/:id', patchHandler);
  replace(router, 'DELETE', ':resourceType/:id', deleteHandler);
  // More literal segments than `:resourceType/:id`, so the router prefers it for `<Type>/_history`.
  router.add('GET', ':resourceType/_history', typeHistoryHandler, 'history-type');
  return router;
}
