/** Small readers shared by the reverse mappers. */
import type { CodeableConcept, Extension, Identifier } from '@medplum/fhirtypes';
import { EXTENSION } from '../../../profiles/canonical.js';

/** The origin of a plan element (see to-fhir/context.ts originExtension). */
export interface Origin { client: string; case?: string | undefined; id: string }

/** Reads the origin extension of an element, if any. */
export function readOrigin(extension: Extension[] | undefined): Origin | undefined {
  const ext = extension?.find((e) => e.url === EXTENSION.origin);
  const sub = (url: string) => ext?.extension?.find((e) => e.url === url)?.valueString;
  const client = sub('client');
  const id = sub('id');
  return client !== undefined && id !== undefined ? { client, case: sub('case'), id } : undefined;
}

/** Value of the first identifier of `system`. */
export function identifierValue(identifiers: Identifier[] | undefined, system: string): string | undefined {
  return identifiers?.find((i) => i.system === system)?.value;
}

/** Code of the first coding of `system` among concepts. */
export function codeOf(concepts: CodeableConcept | CodeableConcept[] | undefined, system: string): string | undefined {
  const list = Array.isArray(concepts) ? concepts : concepts ? [concepts] : [];
  for (const c of list) {
    const coding = c.coding?.find((x) => x.system === system);
    if (coding?.code !== undefined) return coding.code;
  }
  return undefined;
}

/** True when `code` is a key of `table` (narrows it to the table's code type). */
export function isCode<T extends Record<string, unknown>>(table: T, code: string | undefined): code is keyof T & string {
  return code !== undefined && Object.prototype.hasOwnProperty.call(table, code);
}

/** Copy of `obj` without its undefined properties (so outputs compare cleanly). */
export function compact<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** Date part (YYYY-MM-DD) of a FHIR date or dateTime. */
export function datePart(value: string | undefined): string | undefined {
  return value?.slice(0, 10);
}
