/**
 * Safe readers of untrusted JSON: the mapper is total, so nothing it reads is assumed to have
 * the shape FHIR gives it. Each reader returns `undefined` (or an empty list) for anything else.
 */

/** A JSON object (not an array, not null). */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]` when it is an object. */
export function objectAt(value: unknown, key: string): JsonObject | undefined {
  if (!isObject(value)) return undefined;
  const found = value[key];
  return isObject(found) ? found : undefined;
}

/** `value[key]` when it is a non-empty string (trimmed of nothing: FHIR strings are kept as sent). */
export function stringAt(value: unknown, key: string): string | undefined {
  if (!isObject(value)) return undefined;
  const found = value[key];
  return typeof found === 'string' && found.trim() !== '' ? found : undefined;
}

/** `value[key]` when it is a boolean. */
export function booleanAt(value: unknown, key: string): boolean | undefined {
  if (!isObject(value)) return undefined;
  const found = value[key];
  return typeof found === 'boolean' ? found : undefined;
}

/** `value[key]` as a list: the array's items, a single value as a one-item list, nothing otherwise. */
export function listAt(value: unknown, key: string): readonly unknown[] {
  if (!isObject(value)) return [];
  const found = value[key];
  if (Array.isArray(found)) return found;
  return found === undefined || found === null ? [] : [found];
}

/** The objects of `value[key]` with their index in the array (the index FHIRPath names). */
export function objectsAt(value: unknown, key: string): { item: JsonObject; index: number }[] {
  return listAt(value, key).flatMap((item, index) => (isObject(item) ? [{ item, index }] : []));
}

/** The first Coding of a CodeableConcept (or the value itself when it is a Coding). */
export function firstCoding(concept: unknown): { system?: string; code?: string; display?: string } | undefined {
  const coding = isObject(concept) && 'coding' in concept ? objectsAt(concept, 'coding')[0]?.item : isObject(concept) ? concept : undefined;
  if (coding === undefined) return undefined;
  const system = stringAt(coding, 'system');
  const code = stringAt(coding, 'code');
  const display = stringAt(coding, 'display');
  if (system === undefined && code === undefined && display === undefined) return undefined;
  return { ...(system !== undefined ? { system } : {}), ...(code !== undefined ? { code } : {}), ...(display !== undefined ? { display } : {}) };
}

/** Every code of a CodeableConcept's codings. */
export function codesOf(concept: unknown): string[] {
  return objectsAt(concept, 'coding').flatMap(({ item }) => {
    const code = stringAt(item, 'code');
    return code !== undefined ? [code] : [];
  });
}

/** FHIR `date` (year, year-month or full date). */
export const FHIR_DATE = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$/;
/** FHIR `dateTime`: a date, or a full date and time with a time zone. */
export const FHIR_DATE_TIME = /^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]{1,9})?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$/;
/** FHIR `id`. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
