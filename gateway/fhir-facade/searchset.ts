/**
 * Builds the searchset Bundle the facade answers: matches first, then included resources,
 * every entry with a `fullUrl` on the facade's public base (never the FHIR server's), and an
 * `outcome` entry when the includes had to be cut short.
 */
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';

export interface SearchsetParts {
  readonly publicBase: string;
  readonly links: BundleLink[];
  readonly matches: readonly Resource[];
  readonly included: readonly Resource[];
  /** Number of matches across all pages, when the server counted them and nothing was dropped. */
  readonly total?: number;
  /** The includes exceeded the facade's limit and some are left out. */
  readonly includesTruncated?: boolean;
}

function entry(publicBase: string, resource: Resource, mode: 'match' | 'include'): BundleEntry {
  return { fullUrl: `${publicBase}/${resource.resourceType}/${resource.id ?? ''}`, resource, search: { mode } };
}

/** A valid R4 searchset Bundle from its parts. */
export function searchset(parts: SearchsetParts): Bundle {
  const entries: BundleEntry[] = [
    ...parts.matches.map((r) => entry(parts.publicBase, r, 'match')),
    ...parts.included.map((r) => entry(parts.publicBase, r, 'include')),
  ];
  if (parts.includesTruncated) {
    entries.push({
      resource: {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'warning', code: 'too-costly', details: { text: 'too many resources to include: some are left out' } }],
      },
      search: { mode: 'outcome' },
    });
  }
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(parts.total !== undefined ? { total: parts.total } : {}),
    link: parts.links,
    entry: entries,
  };
}
