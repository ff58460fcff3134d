/**
 * The facade's CapabilityStatement (`GET /fhir/metadata`), generated from the resource table
 * the routes use: each type, interaction, search parameter, modifier, include and profile
 * listed here is one the facade serves, and nothing else is.
 */
import type {
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceSearchParam,
  CapabilityStatementRestSecurity,
} from '@medplum/fhirtypes';
import { processMessageCapability } from '../fhir-message/capability.js';
import { MAX_INCLUDED, MAX_INCLUDE_ROUNDS } from './include-resolver.js';
import { FACADE_TYPES, includesOf, RESOURCES, revIncludesOf, searchParamsOf, type FacadeType } from './resource-table.js';
import { MAX_COUNT, MODIFIERS } from './search-query.js';
import { NO_CONDITIONAL_INTERACTIONS } from './capability-flags.js';
import { subscriptionCapability } from './subscription-capability.js';

/** When this statement last changed: bump it with the table. */
export const CAPABILITY_DATE = '2026-11-24';

const SMART_OAUTH_URIS = 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris';
const SECURITY_SERVICE = 'http://terminology.hl7.org/CodeSystem/restful-security-service';

export interface CapabilityOptions {
  /** Public base URL of the facade (`…/fhir`). */
  readonly publicBase: string;
  /** Token endpoint of SMART Backend Services, when the gateway offers it. */
  readonly smartTokenUrl?: string;
}

function searchParam(type: FacadeType, code: string): CapabilityStatementRestResourceSearchParam {
  const spec = searchParamsOf(type).find((p) => p.code === code)!;
  const modifiers = code === '_id' || code === '_lastUpdated' ? [] : MODIFIERS[spec.type];
  return {
    name: spec.code,
    definition: spec.definition,
    type: spec.type,
    ...(modifiers.length > 0 ? { documentation: `modifiers: ${modifiers.map((m) => `:${m}`).join(', ')}` } : {}),
  };
}

function resourceCapability(type: FacadeType): CapabilityStatementRestResource {
  const spec = RESOURCES[type];
  const updatable = spec.updatable;
  const visibility = spec.tenancy === 'tenant'
    ? 'Tenant data: only resources of the caller\'s tenant are visible; any other answers 404.'
    : 'Shared professional directory (RPPS / FINESS entries): visible to every tenant.';
  const writes = updatable
    ? ` Update (PUT) requires If-Match and may change only: ${updatable.map((p) => p.slice(type.length + 1)).join(', ')}.${spec.updateRule ? ` ${spec.updateRule}` : ''}`
    : '';
  return {
    type,
    ...(spec.profile ? { supportedProfile: [spec.profile] } : {}),
    documentation: visibility + writes,
    interaction: [
      { code: 'read' },
      { code: 'vread' },
      { code: 'search-type' },
      ...(updatable ? [{ code: 'update' as const }] : []),
    ],
    versioning: updatable ? 'versioned-update' : 'versioned',
    ...NO_CONDITIONAL_INTERACTIONS,
    searchInclude: includesOf(type).map((i) => `${i.source}:${i.param.code}`),
    searchRevInclude: revIncludesOf(type).map((i) => `${i.source}:${i.param.code}`),
    searchParam: searchParamsOf(type).map((p) => searchParam(type, p.code)),
  };
}

function security(options: CapabilityOptions): CapabilityStatementRestSecurity {
  const bearer = 'Every interaction but metadata needs "Authorization: Bearer <credential>": an API key declared in the clients file';
  if (!options.smartTokenUrl) {
    return { cors: false, description: `${bearer}. Scopes: fhir.read (read, search), fhir.write (update).` };
  }
  return {
    cors: false,
    service: [{ coding: [{ system: SECURITY_SERVICE, code: 'SMART-on-FHIR', display: 'SMART-on-FHIR' }] }],
    description: `${bearer}, or a SMART Backend Services access token (client_credentials, private_key_jwt). Scopes: fhir.read / fhir.write, or system/<Type>.rs and system/<Type>.u.`,
    extension: [{ url: SMART_OAUTH_URIS, extension: [{ url: 'token', valueUri: options.smartTokenUrl }] }],
  };
}

/** Builds the CapabilityStatement for a public base URL. */
export function capabilityStatement(options: CapabilityOptions): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    name: 'PasserelleFhirFacade',
    title: 'Passerelle FHIR facade',
    status: 'active',
    date: CAPABILITY_DATE,
    publisher: 'Passerelle',
    kind: 'instance',
    software: { name: 'Passerelle FHIR facade' },
    implementation: { description: 'Passerelle: the shared care plan (PPS / PPCS) of French care coordination, read through FHIR R4', url: options.publicBase },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [{
      mode: 'server',
      documentation: [
        `Search: the parameters listed per type, plus _count (at most ${MAX_COUNT}), _sort (on non-reference parameters, _id, _lastUpdated),`,
        '_total, _format=json. Any other parameter is refused with 400 naming it.',
        `_include and _revinclude take the listed values, with :iterate (${MAX_INCLUDE_ROUNDS} rounds at most, ${MAX_INCLUDED} resources at most).`,
        'Paging links (_page) are opaque and must be used as given. POST [type]/_search takes the same parameters, form-encoded.',
      ].join(' '),
      security: security(options),
      resource: [...FACADE_TYPES.map(resourceCapability), subscriptionCapability()],
      operation: [processMessageCapability()],
    }],
  };
}
