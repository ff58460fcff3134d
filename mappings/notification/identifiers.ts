/**
 * FHIR `Identifier` → `Hl7Identifier`, chosen so that the ADT mappers write back exactly the
 * `system` and `value` the notification carried:
 * - `fhirSystem` keeps the system as sent (`identifierSystem` in `mappings/adt` writes it unchanged);
 * - a `urn:oid:` system also becomes the assigning authority's OID (CX-4.2, type ISO), the form
 *   an HL7 v2 feed sends: INS namespaces are recognised by it (`insDefinition`), and the
 *   per-person order (`personTokens`) of an OID-only CX-4 is the same for both channels;
 * - the type code (CX-5) is the identifier's `type` code, `PI` for an untyped local identifier.
 */
import type { Hl7Identifier } from '../hl7/adt-types.js';
import { codesOf, stringAt, type JsonObject } from './json.js';

const OID_SYSTEM = /^urn:oid:([0-2](\.(0|[1-9][0-9]*))+)$/;

/** The OID of an `urn:oid:` system, else undefined. */
export function oidOf(system: string): string | undefined {
  return OID_SYSTEM.exec(system)?.[1];
}

/**
 * One FHIR identifier as HL7 reads it, or undefined when it has no value or no system (an
 * identifier without a namespace cannot be written back as sent, nor matched safely).
 * @example hl7Identifier({ system: 'urn:oid:1.2.250.1.999.1.1', value: '880011' }, 'PI')
 *   // { value: '880011', fhirSystem: 'urn:oid:1.2.250.1.999.1.1', typeCode: 'PI', assigningAuthority: { namespaceId: '', universalId: '1.2.250.1.999.1.1', universalIdType: 'ISO' } }
 */
export function hl7Identifier(identifier: JsonObject, defaultType: string | undefined): Hl7Identifier | undefined {
  const value = stringAt(identifier, 'value');
  const system = stringAt(identifier, 'system');
  if (value === undefined || system === undefined) return undefined;
  const oid = oidOf(system);
  const typeCode = codesOf(identifier['type'])[0] ?? defaultType;
  return {
    value,
    fhirSystem: system,
    ...(oid !== undefined ? { assigningAuthority: { namespaceId: '', universalId: oid, universalIdType: 'ISO' } } : {}),
    ...(typeCode !== undefined ? { typeCode } : {}),
  };
}
