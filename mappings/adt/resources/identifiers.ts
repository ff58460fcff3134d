/**
 * HL7 v2 identifiers (CX, EI, XCN) → FHIR identifiers: the one rule that names their systems,
 * the sorting of PID-3 into IPPs and INS, and the keys other modules derive from them.
 */
import type { CodeableConcept, Identifier, Practitioner, Reference } from '@medplum/fhirtypes';
import { FR_SYSTEM, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import { frIdentifierType } from '../../case/to-fhir/identifiers.js';
import type { Hl7Identifier, Hl7Person } from '../../hl7/adt-types.js';
import { finessValid, insValid, rppsValid } from '../../identifiers/index.js';
import { IDENTIFIER_TYPE, INS_BY_OID, INS_TYPE_CODES, isKey, type InsDef } from '../code-maps.js';
import { isOid, type AdtMappingContext } from '../context.js';

/** What a hospital identifier designates; each kind has its own derived namespace. */
export type Hl7IdKind = 'ipp' | 'visit' | 'movement' | 'medical-unit';

/**
 * The FHIR `system` of an identifier a hospital assigns (SPEC §4: "the hospital's namespace:
 * its OID or a URI derived from MSH-4 / PID-3.4"). The rule, in order:
 * 1. the assigning authority carries an ISO OID (CX-4.2, or EI-3) → `urn:oid:<OID>`;
 * 2. it names another namespace than the sending facility (CX-4.1, EI-2) →
 *    `sourceIdentifierSystem(clientId, '<kind>/<namespace>')`;
 * 3. otherwise the sending facility's namespace: `ctx.facilityNamespace.system` for visit
 *    numbers (SPEC §4), `sourceIdentifierSystem(clientId, '<kind>/<MSH-4 namespace>')` for the
 *    other kinds (an IPP and a visit number of one facility must not share a system).
 * Derived URIs are scoped by client: two hospitals using the same namespace id never collide.
 * An identifier read from a FHIR notification (`fhirSystem`) keeps the system it was sent with.
 *
 * @example identifierSystem({ value: '880011', assigningAuthority: { namespaceId: 'CH_EXEMPLE',
 *   universalId: '1.2.250.1.999.1.1', universalIdType: 'ISO' } }, 'ipp', ctx) // 'urn:oid:1.2.250.1.999.1.1'
 */
export function identifierSystem(id: Pick<Hl7Identifier, 'assigningAuthority' | 'fhirSystem'>, kind: Hl7IdKind, ctx: AdtMappingContext): string {
  // Read from a FHIR notification: the sender already named the system; it is written as sent.
  if (id.fhirSystem !== undefined && id.fhirSystem !== '') return id.fhirSystem;
  const authority = id.assigningAuthority;
  const oidType = authority?.universalIdType ?? '';
  if (authority !== undefined && isOid(authority.universalId) && (oidType === '' || oidType.toUpperCase() === 'ISO')) {
    return `urn:oid:${authority.universalId}`;
  }
  const namespace = authority?.namespaceId ?? '';
  const facility = ctx.facilityNamespace;
  if (namespace !== '' && namespace !== facility.namespaceId) {
    return sourceIdentifierSystem(ctx.clientId, `${kind}/${encodeURIComponent(namespace)}`);
  }
  if (kind === 'visit') return facility.system;
  return sourceIdentifierSystem(ctx.clientId, `${kind}/${encodeURIComponent(facility.namespaceId)}`);
}

/** An INS read from PID-3 (or MRG-1): its FR Core definition and whether its key is valid. */
export interface InsRead {
  def: InsDef;
  value: string;
  keyValid: boolean;
}

/** PID-3 sorted: the hospital IPPs (FHIR identifiers), the INS, and what is neither. */
export interface SortedPatientIds {
  ipps: Identifier[];
  ins: InsRead | undefined;
  /** Identifiers of other types (NH, AN…), not mapped. */
  others: Hl7Identifier[];
}

/** The FR Core definition of an INS identifier, or undefined when `id` is not an INS. */
export function insDefinition(id: Hl7Identifier): InsDef | undefined {
  const oid = id.assigningAuthority?.universalId;
  if (isKey(INS_BY_OID, oid)) return INS_BY_OID[oid];
  const type = id.typeCode?.toUpperCase();
  return isKey(INS_TYPE_CODES, type) ? INS_BY_OID[INS_TYPE_CODES[type]] : undefined;
}

/** PID-3 (or MRG-1) read before any namespace is applied: see {@link classifyPatientIdentifiers}. */
export interface ClassifiedPatientIds {
  /** The IPPs as sent, in order (duplicates included). */
  ipps: Hl7Identifier[];
  ins: InsRead | undefined;
  /** Identifiers of other types (NH, AN…), not mapped. */
  others: Hl7Identifier[];
}

/**
 * Classifies PID-3 (or MRG-1): INS by type or OID (the first only); IPP = type `PI`, or no type
 * at all (many feeds omit CX-5; said in an issue); anything else is reported and left out.
 * Needs no mapping context, so the edge can judge a message with the mapper's own rule.
 */
export function classifyPatientIdentifiers(ids: readonly Hl7Identifier[], issues: string[], label = 'PID-3'): ClassifiedPatientIds {
  const ipps: Hl7Identifier[] = [];
  const others: Hl7Identifier[] = [];
  let ins: InsRead | undefined;
  for (const id of ids) {
    const def = insDefinition(id);
    if (def !== undefined) {
      if (ins !== undefined) {
        issues.push(`${label}: more than one INS; the first is kept`);
        continue;
      }
      ins = { def, value: id.value, keyValid: insValid(id.value) };
      continue;
    }
    const type = id.typeCode?.toUpperCase();
    if (type === 'PI' || type === undefined) {
      if (type === undefined) issues.push(`${label}: identifier without type (CX-5) read as an IPP`);
      ipps.push(id);
      continue;
    }
    others.push(id);
    issues.push(`${label}: identifier of type ${id.typeCode ?? ''} not mapped`);
  }
  return { ipps, ins, others };
}

/** PID-3 (or MRG-1) sorted ({@link classifyPatientIdentifiers}), the IPPs as FHIR identifiers in their namespace. */
export function sortPatientIdentifiers(ids: readonly Hl7Identifier[], ctx: AdtMappingContext, issues: string[], label = 'PID-3'): SortedPatientIds {
  const classified = classifyPatientIdentifiers(ids, issues, label);
  const ipps: Identifier[] = [];
  for (const id of classified.ipps) {
    const identifier = ippIdentifier(id, ctx);
    if (!ipps.some((i) => i.system === identifier.system && i.value === identifier.value)) ipps.push(identifier);
  }
  return { ipps, ins: classified.ins, others: classified.others };
}

/** The FHIR identifier of an IPP (type PI, v2-0203), in its hospital's namespace. */
export function ippIdentifier(id: Hl7Identifier, ctx: AdtMappingContext): Identifier {
  return { use: 'usual', type: { coding: [{ ...IDENTIFIER_TYPE.PI }] }, system: identifierSystem(id, 'ipp', ctx), value: id.value };
}

/** The official FHIR identifier of an INS (FR Core: system, type, use), for a qualified identity only. */
export function insIdentifier(ins: InsRead): Identifier {
  return { use: ins.def.use, type: frIdentifierType(ins.def.type, ins.def.typeDisplay), system: ins.def.system, value: ins.value };
}

/** The FHIR identifier of a stay: PV1-19, type VN, in the sending facility's namespace. */
export function visitIdentifier(id: Hl7Identifier, ctx: AdtMappingContext): Identifier {
  return { use: 'official', type: { coding: [{ ...IDENTIFIER_TYPE.VN }] }, system: identifierSystem(id, 'visit', ctx), value: id.value };
}

/** Type of the movement identifier (no v2-0203 code exists for it). */
const MOVEMENT_TYPE: CodeableConcept = { text: 'Identifiant du mouvement (ZBE-1, IHE PAM France)' };

/** ZBE-1 as a secondary Encounter identifier (see `encounter.ts` for why). */
export function movementIdentifier(id: Hl7Identifier, ctx: AdtMappingContext): Identifier {
  return { use: 'secondary', type: MOVEMENT_TYPE, system: identifierSystem(id, 'movement', ctx), value: id.value };
}

/**
 * The key of a stay, for the identifiers and origins derived from it (discharge Task,
 * plan activity): `<visit number>^<system>`, CX-like. Opaque; equal stays give equal keys.
 */
export function visitKeyOf(visit: Identifier): string {
  return `${visit.value ?? ''}^${visit.system ?? ''}`;
}

/** True when `value` is a FINESS with a valid key (9 digits, Luhn; Corsican 2A/2B by layout). */
export function isFiness(value: string): boolean {
  return finessValid(value);
}

/**
 * A logical reference to a professional (PD1-4, ROL-4, PV1-7) by national identifier: the RPPS
 * (11 digits, Luhn) or the idNatPS (`8` + RPPS) when XCN-1 carries one; else by name only.
 * No Practitioner resource is written: a hospital message is not a directory entry.
 */
export function practitionerReference(person: Hl7Person, issues: string[], location: string): Reference<Practitioner> | undefined {
  const value = person.identifier?.value;
  const display = [person.prefix, person.given, person.family].filter((p) => p !== undefined).join(' ');
  let identifier: Identifier | undefined;
  if (value !== undefined) {
    if (/^[0-9]{11}$/.test(value) && rppsValid(value)) {
      identifier = { type: frIdentifierType('RPPS', 'N° RPPS'), system: FR_SYSTEM.rpps, value };
    } else if (/^8[0-9]{11}$/.test(value) && rppsValid(value.slice(1))) {
      identifier = { type: frIdentifierType('IDNPS', 'Identifiant National de Professionnel de Santé'), system: FR_SYSTEM.idNatPs, value };
    } else {
      issues.push(`${location}: identifier of type ${person.identifier?.typeCode ?? '(none)'} is not an RPPS; professional referenced by name only`);
    }
  }
  if (identifier === undefined && display === '') return undefined;
  return {
    type: 'Practitioner',
    ...(identifier !== undefined ? { identifier } : {}),
    ...(display !== '' ? { display } : {}),
  };
}
