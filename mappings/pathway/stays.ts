/**
 * Encounters → the hospital stays of the person, newest first: status, period, where, and how
 * the stay ended (mode de sortie, destination), as the HL7 worker records a discharge (SPEC §3).
 */
import type { Encounter, Reference } from '@medplum/fhirtypes';
import { FR_SYSTEM, HL7_SYSTEM } from '../../profiles/canonical.js';
import { compact } from '../case/from-fhir/common.js';
import type { Resolver } from '../case/from-fhir/resolver.js';
import { ENCOUNTER_STATUS_DISPLAY, codedFrom, codedFromCoding } from './labels.js';
import { resourceOwner, type ClientNameLookup } from './origin.js';
import { organizationDisplay, partyView } from './parties.js';
import type { Coded, StayView } from './view.js';

/** Encounter.class (v3 ActCode) in French; other systems keep the display they were sent with. */
export const ENCOUNTER_CLASS_DISPLAY = {
  IMP: 'Hospitalisation complète',
  ACUTE: 'Hospitalisation complète (aigu)',
  NONAC: 'Hospitalisation complète (non aigu)',
  SS: 'Hospitalisation de courte durée',
  AMB: 'Ambulatoire (hospitalisation de jour, séances)',
  EMER: 'Urgences',
  HH: 'Hospitalisation à domicile',
  PRENC: 'Préadmission',
  OBSENC: "Mise en observation",
  VR: 'Téléconsultation',
  FLD: 'Intervention à l’extérieur',
} as const satisfies Record<string, string>;

/** Stays that never happened (cancelled admission, error) are not part of the pathway. */
const NOT_A_STAY: ReadonlySet<string> = new Set(['cancelled', 'entered-in-error']);

function classOf(encounter: Encounter): Coded | undefined {
  const coding = encounter.class;
  if (coding?.system === HL7_SYSTEM.v3ActCode && coding.code !== undefined && Object.prototype.hasOwnProperty.call(ENCOUNTER_CLASS_DISPLAY, coding.code)) {
    return codedFrom(ENCOUNTER_CLASS_DISPLAY, coding.code);
  }
  return codedFromCoding(coding);
}

/** Where the person went: a resolved structure, else what the reference says (display, FINESS). */
function destinationOf(reference: Reference | undefined, resolver: Resolver): StayView['destination'] {
  if (!reference) return undefined;
  const organization = resolver.resolve(reference, 'Organization');
  if (organization) {
    return compact({ display: organizationDisplay({ name: organization.name, finess: organization.identifier?.find((i) => i.system === FR_SYSTEM.finess)?.value }), reference: reference.reference });
  }
  const location = resolver.resolve(reference, 'Location');
  const identifier = reference.identifier;
  const byIdentifier = identifier?.value !== undefined
    ? identifier.system === FR_SYSTEM.finess ? `FINESS ${identifier.value}` : identifier.value
    : undefined;
  const display = location?.name ?? reference.display ?? byIdentifier;
  return display !== undefined ? compact({ display, reference: reference.reference }) : undefined;
}

function stayView(encounter: Encounter & { id: string }, resolver: Resolver, clientName: ClientNameLookup | undefined, issues: string[]): StayView {
  const hospitalization = encounter.hospitalization;
  return compact({
    id: encounter.id,
    status: codedFrom(ENCOUNTER_STATUS_DISPLAY, encounter.status),
    class: classOf(encounter),
    period: encounter.period ? compact({ start: encounter.period.start, end: encounter.period.end }) : undefined,
    serviceProvider: partyView(encounter.serviceProvider, resolver, issues, `Encounter/${encounter.id}.serviceProvider`),
    dischargeDisposition: codedFromCoding(hospitalization?.dischargeDisposition?.coding?.[0])
      ?? (hospitalization?.dischargeDisposition?.text !== undefined ? { code: 'text', display: hospitalization.dischargeDisposition.text } : undefined),
    destination: destinationOf(hospitalization?.destination, resolver),
    owner: resourceOwner(encounter, clientName),
  });
}

/** The stays, the most recent (by start) first; a stay without dates comes last. */
export function staysView(
  encounters: (Encounter & { id: string })[], resolver: Resolver, clientName: ClientNameLookup | undefined, issues: string[],
): StayView[] {
  return encounters
    .filter((e) => !NOT_A_STAY.has(e.status))
    .map((e) => stayView(e, resolver, clientName, issues))
    .sort((a, b) => (b.period?.start ?? '').localeCompare(a.period?.start ?? ''));
}
