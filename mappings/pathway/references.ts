/**
 * Which referenced resources a pathway still lacks: the professionals, structures and close
 * persons its plans, teams, requests, stays and tasks point at. The gateway fetches them in
 * rounds (a PractitionerRole leads to its Practitioner and Organization) until none is missing.
 */
import type { Resource } from '@medplum/fhirtypes';

/** Types the pathway reads through references rather than by searching on the person. */
export const REFERENCED_TYPES = ['Practitioner', 'PractitionerRole', 'Organization', 'RelatedPerson', 'Location'] as const;
export type ReferencedType = (typeof REFERENCED_TYPES)[number];

const RELATIVE = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9.-]{1,64})(?:\/_history\/[^/]+)?$/;

/** `Type/id` of a reference string (relative, or absolute on its last segments), or undefined. */
function typeAndId(reference: string): [string, string] | undefined {
  const parts = reference.split('?')[0]!.split('/');
  const history = parts.indexOf('_history');
  const tail = (history >= 2 ? parts.slice(history - 2, history) : parts.slice(-2)).join('/');
  const match = RELATIVE.exec(tail);
  return match ? [match[1]!, match[2]!] : undefined;
}

function walk(value: unknown, visit: (reference: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === 'reference' && typeof child === 'string') visit(child);
      else walk(child, visit);
    }
  }
}

/**
 * Ids, by type, of the `REFERENCED_TYPES` resources that `resources` reference and do not
 * contain. Contained (`#id`) and logical (identifier-only) references are not fetchable and
 * are left out.
 *
 * @example missingReferences([plan]) // Map { 'Practitioner' => Set { '12' }, 'Organization' => Set { '7' } }
 */
export function missingReferences(resources: readonly Resource[]): Map<ReferencedType, Set<string>> {
  const present = new Set(resources.map((r) => `${r.resourceType}/${r.id ?? ''}`));
  const wanted = new Set<string>(REFERENCED_TYPES);
  const missing = new Map<ReferencedType, Set<string>>();
  for (const resource of resources) {
    walk(resource, (reference) => {
      const found = typeAndId(reference);
      if (!found || !wanted.has(found[0]) || present.has(`${found[0]}/${found[1]}`)) return;
      const type = found[0] as ReferencedType;
      let ids = missing.get(type);
      if (!ids) missing.set(type, (ids = new Set()));
      ids.add(found[1]);
    });
  }
  return missing;
}
