/**
 * `meta.source` stamping: every resource Passerelle writes carries its source URI, so that a
 * reader of the server's history (the change feed) can tell Passerelle's own versions — already
 * announced by their writer, with the writer as source client — from versions other systems
 * wrote directly on the server.
 *
 * The stamp is the same on every write, so an unchanged resource written again stays unchanged
 * (the store's no-op detection compares `meta.source` like any other field).
 */
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';

/** `resource` with `meta.source` set to `source` (replacing any other system's). */
export function stampSource<T extends Resource>(resource: T, source: string): T {
  if (resource.meta?.source === source) return resource;
  return { ...resource, meta: { ...resource.meta, source } };
}

/** The bundle with every created or updated entry's resource stamped (PATCH payloads are left alone). */
export function stampBundleSource(bundle: Bundle, source: string): Bundle {
  const stampEntry = (entry: BundleEntry): BundleEntry => {
    const method = entry.request?.method;
    if (!entry.resource || (method !== 'POST' && method !== 'PUT')) return entry;
    return { ...entry, resource: stampSource(entry.resource, source) };
  };
  return bundle.entry ? { ...bundle, entry: bundle.entry.map(stampEntry) } : bundle;
}

/**
 * True when a version's `meta.source` is `source`. Servers may append `#<request id>` to what was
 * sent (HAPI stores "source URI#request id"): only the part before `#` is compared.
 */
export function hasSource(resource: Resource, source: string): boolean {
  const stamped = resource.meta?.source;
  return stamped !== undefined && (stamped === source || stamped.startsWith(`${source}#`));
}
