/*
 * FHIRPath builders for the invariants of our profiles. Invariants carry what Medplum's
 * validator would otherwise not check (closed code lists, check keys, slice contents, rules
 * inside BackboneElements); generating them from the code tables keeps them in step.
 */

/** A FHIRPath string literal (single quotes and backslashes escaped). */
export function fhirPathString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `a or b or …` over string equality: true when `expression` equals one of `values`. */
export function oneOf(expression: string, values: readonly string[]): string {
  return `(${values.map((v) => `${expression} = ${fhirPathString(v)}`).join(' or ')})`;
}

/**
 * True when every coding of `system` in the CodeableConcept(s) at `path` (`''`: the context)
 * carries one of `codes` (a closed code list enforced offline: Medplum does not check bindings).
 */
export function codesWithin(path: string, system: string, codes: readonly string[]): string {
  return `${codings(path)}.where(system = ${fhirPathString(system)}).all(${oneOf('code', codes)})`;
}

/** True when the CodeableConcept(s) at `path` carry exactly one coding of `system`. */
export function oneCodingOf(path: string, system: string): string {
  return `${codings(path)}.where(system = ${fhirPathString(system)}).count() = 1`;
}

/** The codings of the CodeableConcept(s) at `path` (`''`: the context itself). */
function codings(path: string): string {
  return path ? `${path}.coding` : 'coding';
}

/**
 * True when the element has a `system` equal to `system` (false, not empty, when it has
 * none: an empty invariant result counts as a failure, so `system = …` cannot be used as the
 * left side of `implies`).
 */
export function hasSystem(system: string): string {
  return `system.where($this = ${fhirPathString(system)}).exists()`;
}

/** The integer value of the digit at `index` of the string `of`. */
function digit(index: number, of: string): string {
  return `${of}.substring(${index}, 1).toInteger()`;
}

/**
 * True when the `length` digits of the string `of` (default `value`) carry a valid Luhn key (ISO/IEC 7812): every second
 * digit from the right is doubled (minus 9 above 9) and the sum is a multiple of 10. Unrolled,
 * since FHIRPath has no loops; evaluate it only once the string is known to be `length` digits.
 */
export function luhnValid(length: number, of = 'value'): string {
  const terms: string[] = [];
  for (let i = 0; i < length; i++) {
    const doubled = (length - 1 - i) % 2 === 1;
    terms.push(doubled ? `(${digit(i, of)} * 2 - iif(${digit(i, of)} > 4, 9, 0))` : digit(i, of));
  }
  return `((${terms.join(' + ')}) mod 10) = 0`;
}

/** True when the sum of the `length` digits of the string `of` (default `value`) is a multiple of `n`. */
export function digitSumMultipleOf(length: number, n: number, of = 'value'): string {
  const terms = Array.from({ length }, (_, i) => digit(i, of));
  return `((${terms.join(' + ')}) mod ${n}) = 0`;
}
