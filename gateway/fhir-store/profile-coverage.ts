/**
 * Whether validating against a profile's parsed snapshot reports every error that validating
 * against its base type would, so that the base pass can be skipped (it costs as much again).
 *
 * Medplum's validator walks the profile's own top-level elements and crawls every complex
 * value (data types, BackboneElements, contained resources) with the *base* schemas, whatever
 * the profile says below its top level. So the two passes differ only at the top level, and
 * the profile's pass covers the base's when each base element is in the profile with the same
 * array-ness and the same type codes (a narrowed choice type moves an error from `value[x]` to
 * an "additional property" `valueString`), a cardinality at least as strict and every base
 * invariant, and when the root keeps every base invariant. (The validator stops at an element's
 * first failing invariant, so an added one may hide a base one's message, not its path.) A profile that adds elements, invariants, slices or
 * patterns only adds errors.
 *
 * Required bindings are checked by our own walk (`required-bindings.ts`), which uses a
 * profile's binding instead of the base's: a profile can rebind an element to a value set the
 * store cannot expand, so that part of the base check is always kept (see `validation.ts`).
 */
import type { Constraint, InternalSchemaElement, InternalTypeSchema } from '@medplum/core';

/** The invariants Medplum evaluates (severity error), as key and expression. */
function errorInvariants(constraints: Constraint[] | undefined): Set<string> {
  return new Set((constraints ?? []).filter((c) => c.severity === 'error').map((c) => `${c.key} ${c.expression}`));
}

/** True when every base invariant is among the profile's. */
function keepsInvariants(base: Constraint[] | undefined, profile: Constraint[] | undefined): boolean {
  const kept = errorInvariants(profile);
  return [...errorInvariants(base)].every((c) => kept.has(c));
}

function typeCodes(element: InternalSchemaElement): string {
  return element.type
    .map((t) => t.code)
    .sort()
    .join('|');
}

/** Why the profile's element does not cover the base element, or undefined when it does. */
function elementGap(name: string, base: InternalSchemaElement, profile: InternalSchemaElement | undefined): string | undefined {
  if (!profile) return `${name}: absent from the profile`;
  if (Boolean(base.isArray) !== Boolean(profile.isArray)) return `${name}: array-ness differs`;
  if (typeCodes(base) !== typeCodes(profile)) return `${name}: types differ`;
  if (profile.min < base.min || profile.max > base.max) return `${name}: cardinality looser than the base`;
  if (!keepsInvariants(base.constraints, profile.constraints)) return `${name}: base invariants missing`;
  if ((base.pattern || base.fixed) && (profile.pattern !== base.pattern || profile.fixed !== base.fixed)) return `${name}: base pattern/fixed value changed`;
  return undefined;
}

/**
 * The reasons a profile's pass may miss an error of the base type's pass (empty: it covers
 * it, the base pass can be skipped).
 * @example baseCoverageGaps(getDataType('Patient'), tryGetProfile(url)) // [] for our profiles
 */
export function baseCoverageGaps(base: InternalTypeSchema, profile: InternalTypeSchema): string[] {
  const gaps: string[] = [];
  if (!keepsInvariants(base.constraints, profile.constraints)) gaps.push('root: base invariants missing');
  for (const [name, element] of Object.entries(base.elements)) {
    const gap = elementGap(name, element, profile.elements[name]);
    if (gap) gaps.push(gap);
  }
  return gaps;
}
