/**
 * Readers for the composite HL7 data types ADT messages use (CX, XPN, XAD, XTN, XCN, HD, EI).
 * Each takes one repetition of one field and returns decoded values, absent parts omitted.
 */
import type { Hl7Segment } from '@medplum/core';
import type { Hl7Address, Hl7Identifier, Hl7Name, Hl7Person, Hl7Telecom } from './adt-types.js';
import type { FieldReader } from './fields.js';
import type { HierarchicDesignator } from './parse.js';

/** Where a value sits: segment, field number and repetition (0-based). */
export interface At {
  segment: Hl7Segment | undefined;
  field: number;
  repetition: number;
}

/** Every repetition of a field, as {@link At} positions. */
export function repetitionsOf(r: FieldReader, segment: Hl7Segment | undefined, field: number): At[] {
  return Array.from({ length: r.repetitionCount(segment, field) }, (_, repetition) => ({ segment, field, repetition }));
}

/** Drops `undefined` and `''` members, so absent values do not appear at all. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== '')) as T;
}

function text(r: FieldReader, at: At, component: number, subcomponent?: number): string | undefined {
  const value = r.value(at.segment, at.field, component, subcomponent, at.repetition).trim();
  return value === '' ? undefined : value;
}

/** HD spread over the sub-components of one component (CX-4, XCN-9, PL-4). */
function hdInComponent(r: FieldReader, at: At, component: number): HierarchicDesignator | undefined {
  const namespaceId = text(r, at, component, 1) ?? '';
  const universalId = text(r, at, component, 2) ?? '';
  const universalIdType = text(r, at, component, 3) ?? '';
  if (namespaceId === '' && universalId === '') return undefined;
  return { namespaceId, universalId, universalIdType };
}

/** CX: `value ^ check digit ^ scheme ^ authority(HD) ^ type ^ facility(HD)`. */
export function readCx(r: FieldReader, at: At): Hl7Identifier | undefined {
  const value = text(r, at, 1);
  if (value === undefined) return undefined;
  return compact({
    value,
    assigningAuthority: hdInComponent(r, at, 4),
    typeCode: text(r, at, 5),
    assigningFacility: hdInComponent(r, at, 6),
  });
}

/** EI (ZBE-1): `entity id ^ namespace ^ universal id ^ universal id type`. */
export function readEi(r: FieldReader, at: At): Hl7Identifier | undefined {
  const value = text(r, at, 1);
  if (value === undefined) return undefined;
  const namespaceId = text(r, at, 2) ?? '';
  const universalId = text(r, at, 3) ?? '';
  const universalIdType = text(r, at, 4) ?? '';
  const assigningAuthority = namespaceId === '' && universalId === '' ? undefined : { namespaceId, universalId, universalIdType };
  return compact({ value, assigningAuthority });
}

/** XPN: `family(FN) ^ given ^ further given ^ suffix ^ prefix ^ degree ^ type`. */
export function readXpn(r: FieldReader, at: At): Hl7Name | undefined {
  const name = compact({
    family: text(r, at, 1, 1),
    given: text(r, at, 2),
    furtherGivenNames: text(r, at, 3),
    suffix: text(r, at, 4),
    prefix: text(r, at, 5),
    degree: text(r, at, 6),
    typeCode: text(r, at, 7),
  });
  return name.family === undefined && name.given === undefined ? undefined : name;
}

/** XAD: `street(SAD) ^ other ^ city ^ state ^ zip ^ country ^ type ^ other geo ^ county`. */
export function readXad(r: FieldReader, at: At): Hl7Address | undefined {
  const address = compact({
    street: text(r, at, 1, 1),
    otherDesignation: text(r, at, 2),
    city: text(r, at, 3),
    state: text(r, at, 4),
    postalCode: text(r, at, 5),
    country: text(r, at, 6),
    typeCode: text(r, at, 7),
    countyCode: text(r, at, 9),
  });
  // A type code alone (`^^^^^^H`) is not an address.
  return Object.keys(address).some((key) => key !== 'typeCode') ? address : undefined;
}

/** XTN, reduced to its one usable value (see {@link Hl7Telecom.value}). */
export function readXtn(r: FieldReader, at: At): Hl7Telecom | undefined {
  const composed = [text(r, at, 6), text(r, at, 7)].filter((v) => v !== undefined).join('');
  const value = text(r, at, 1) ?? text(r, at, 4) ?? text(r, at, 12) ?? (composed === '' ? undefined : composed);
  if (value === undefined) return undefined;
  return compact({ value, useCode: text(r, at, 2), equipmentType: text(r, at, 3) });
}

/** XCN: `id ^ family ^ given ^ … ^ prefix(6) ^ … ^ authority(9, HD) ^ … ^ id type(13)`. */
export function readXcn(r: FieldReader, at: At): Hl7Person | undefined {
  const id = text(r, at, 1);
  const identifier =
    id === undefined ? undefined : compact<Hl7Identifier>({ value: id, assigningAuthority: hdInComponent(r, at, 9), typeCode: text(r, at, 13) });
  const person = compact({ identifier, family: text(r, at, 2, 1), given: text(r, at, 3), prefix: text(r, at, 6) });
  return Object.keys(person).length === 0 ? undefined : person;
}

/** HD written across components (MSH-4 style, PL-4 is sub-components: see hdInComponent). */
export function readPlFacility(r: FieldReader, at: At): HierarchicDesignator | undefined {
  return hdInComponent(r, at, 4);
}
