/**
 * Validation on write: every resource against its base R4 type or, when its `meta.profile`
 * names profiles registered with the store, against each of those instead.
 *
 * One pass, not two: a profile derived from the base type by constraint (ours, generated with
 * full snapshots) reports every error its base type does, because Medplum's validator crawls
 * everything below the top level with the base schemas and our profiles keep the base's
 * top-level elements, types and invariants (`profile-coverage.ts` checks it when a profile is
 * registered). A profile that does not (a narrowed choice type, a dropped invariant, a
 * profile on another type than the resource's) gets the base pass as well. Skipping the base
 * pass saves 20–45 % of a profiled resource's validation (`validation-equivalence.test.ts`
 * shows by random corruption that no error of the base pass is lost). Required bindings are
 * always walked with the base schema (a profile may rebind an element to a value set we
 * cannot expand), and with the profile's too when it binds one we can.
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
  getDataType,
  isResourceType,
  loadDataType,
  OperationOutcomeError,
  tryGetProfile,
  validateTypedValue,
} from '@medplum/core';
import type { InternalTypeSchema } from '@medplum/core';
import type { OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { baseCoverageGaps } from './profile-coverage.js';
import { addsCheckableBindings, checkRequiredBindings } from './required-bindings.js';

const ALIAS_PREFIX = 'passerelle-profile:';

interface RegisteredProfile {
  /** Name of the parsed schema in Medplum's data-type table. */
  alias: string;
  schema: InternalTypeSchema;
  /** The resource type the profile constrains. */
  type: string;
  /** True when validating against the profile reports every error the base type's pass does. */
  coversBase: boolean;
  /** True when its required bindings check more than the base type's. */
  addsBindings: boolean;
}

export class ProfileRegistry {
  private readonly aliases = new Map<string, RegisteredProfile>();

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
    const base = isResourceType(sd.type) ? getDataType(sd.type) : undefined;
    this.aliases.set(sd.url, {
      alias,
      schema,
      type: sd.type,
      coversBase: base !== undefined && baseCoverageGaps(base, schema).length === 0,
      addsBindings: base === undefined || addsCheckableBindings(base, schema),
    });
  }

  /** True when `url` has been registered. */
  has(url: string): boolean {
    return this.aliases.has(url);
  }

  /**
   * Validates `resource` against its registered profiles, or its base R4 type when none
   * applies (or one does not cover it); throws an `OperationOutcomeError` (400) listing every
   * error with its path.
   */
  validate(resource: Resource): OperationOutcomeIssue[] {
    if (!resource || typeof resource !== 'object' || !isResourceType(resource.resourceType)) {
      throw new OperationOutcomeError(badRequest(`Unknown resource type: ${String(resource?.resourceType)}`, 'resourceType'));
    }
    const type = resource.resourceType;
    const profiles = this.claimedProfiles(resource);
    const issues: OperationOutcomeIssue[] = [];
    const run = (schemaName: string): void => {
      try {
        issues.push(...validateTypedValue({ type: schemaName, value: resource }));
      } catch (err) {
        if (!(err instanceof OperationOutcomeError)) throw err;
        issues.push(...(err.outcome.issue ?? []));
      }
    };
    const profilesCoverBase = profiles.length > 0 && profiles.every((p) => p.type === type && p.coversBase);
    if (!profilesCoverBase) run(type);
    for (const profile of profiles) run(profile.alias);
    issues.push(...checkRequiredBindings(resource));
    for (const profile of profiles) {
      if (profile.addsBindings || profile.type !== type) issues.push(...checkRequiredBindings(resource, profile.schema));
    }
    if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) {
      // Several passes may report the same issue: keep each once.
      const unique = new Map(issues.map((i) => [JSON.stringify(i), i]));
      throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [...unique.values()] });
    }
    return issues;
  }

  /** The registered profiles named in `meta.profile`, each once. */
  private claimedProfiles(resource: Resource): RegisteredProfile[] {
    const urls: unknown = resource.meta?.profile;
    if (!Array.isArray(urls) || this.aliases.size === 0) return [];
    const claimed = new Set<RegisteredProfile>();
    for (const url of urls) {
      const profile = typeof url === 'string' ? this.aliases.get(url) : undefined;
      if (profile) claimed.add(profile);
    }
    return [...claimed];
  }
}
