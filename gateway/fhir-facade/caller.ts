/** What the facade's use-cases know about one request: who calls, for which tenant, and where. */
import type { FhirClient } from '../../workers/fhir-client/index.js';
import type { Logger } from '../log.js';

export interface Caller {
  readonly fhir: FhirClient;
  readonly clientId: string;
  readonly tenant: string;
  readonly scopes: readonly string[];
  /** Public base URL of the facade, e.g. `https://passerelle.example/fhir` (no trailing slash). */
  readonly publicBase: string;
  readonly requestId: string;
  /** Request logger: counts and types only, never resource content. */
  readonly log: Pick<Logger, 'warn'>;
}
