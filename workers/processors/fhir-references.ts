import type { Bundle } from '@medplum/fhirtypes';

/**
 * `Type/id` of every entry of a transaction response, in order, without duplicates:
 * what a write "wrote or matched" (SPEC §2). Locations carry `/_history/n`, which callers
 * do not need to read the resource back.
 */
export function referencesOf(response: Bundle): string[] {
  const seen = new Set<string>();
  for (const entry of response.entry ?? []) {
    const location = entry.response?.location ?? (entry.resource?.id ? `${entry.resource.resourceType}/${entry.resource.id}` : undefined);
    const match = location ? /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9.-]{1,64})(?:\/_history\/[^/]+)?$/.exec(location) : null;
    if (match?.[1]) seen.add(match[1]);
  }
  return [...seen];
}
