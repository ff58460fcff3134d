/**
 * Validation on write: every resource against its base R4 type, and against each profile in
 * its `meta.profile` that has been registered with the store.
 *
 * Medplum's `validateResource(r, { profile })` re-parses the StructureDefinition on every call
 * (~3 ms). We parse each registered profile once (`loadDataType`) and validate against the
 * cached schema through an alias in Medplum's data-type table, which is exactly what
 * `validateResource` does after parsing. Profile URLs that are not registered are accepted
 * as they are (a store cannot refuse every profile it has not been taught).
 */
import {
  badRequest,
  getAllDataTypes,
  isResourceType,
  loadDataType,
  OperationOutcomeError,
  tryGetProfile,
  validateTypedValue,
} from '@medplum/core';
import type { InternalTypeSchema } from '@medplum/core';
import type { OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { checkRequiredBindings } from './required-bindings.js';

const ALIAS_PREFIX = 'passerelle-profile:';

export class ProfileRegistry {
  private readonly aliases = new Map<string, { alias: string; schema: InternalTypeSchema }>();

  /**
   * Registers a profile (a StructureDefinition with a snapshot); resources whose `meta.profile`
   * names its `url` are validated against it from then on. Re-registering a URL replaces it.
   */
  register(sd: StructureDefinition): void {
    if (sd.resourceType !== 'StructureDefinition' || !sd.url || !sd.type) {
      throw new OperationOutcomeError(badRequest('A profile must be a StructureDefinition with url and type'));
    }
    if (!sd.snapshot?.element?.length) {
      throw new OperationOutcomeError(badRequest(`Profile ${sd.url} has no snapshot`));
    }
    loadDataType(sd);
    const schema = tryGetProfile(sd.url);
    if (!schema) throw new OperationOutcomeError(badRequest(`Profile ${sd.url} could not be parsed`));
    const alias = ALIAS_PREFIX + sd.url;
    getAllDataTypes()[alias] = schema;
    this.aliases.set(sd.url, { alias, schema });
  }

  /** True when `url` has been registered. */
  has(url: string): boolean {
    return this.aliases.has(url);
  }

  /**
   * Validates `resource` against R4 and its registered profiles; throws an
   * `OperationOutcomeError` (400) listing every error with its path.
   */
  validate(resource: Resource): OperationOutcomeIssue[] {
    if (!resource || typeof resource !== 'object' || !isResourceType(resource.resourceType)) {
      throw new OperationOutcomeError(badRequest(`Unknown resource type: ${String(resource?.resourceType)}`, 'resourceType'));
    }
    const issues: OperationOutcomeIssue[] = [];
    const run = (type: string, schema?: InternalTypeSchema): void => {
      try {
        issues.push(...validateTypedValue({ type, value: resource }));
      } catch (err) {
        if (!(err instanceof OperationOutcomeError)) throw err;
        issues.push(...(err.outcome.issue ?? []));
      }
      issues.push(...checkRequiredBindings(resource, schema));
    };
    run(resource.resourceType);
    for (const url of resource.meta?.profile ?? []) {
      const profile = this.aliases.get(url);
      if (profile) run(profile.alias, profile.schema);
    }
    if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) {
      // A profile re-reports its base type's errors: keep each issue once.
      const unique = new Map(issues.map((i) => [JSON.stringify(i), i]));
      throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [...unique.values()] });
    }
    return issues;
  }
}
