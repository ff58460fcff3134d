/**
 * ADT event → one FHIR transaction Bundle, the effects the worker applies after the write, and
 * the issues (what was not mapped). One root per trigger event (`events/aNN.ts`); this module
 * only picks the root, IHE PAM France style: a ZBE-4 `CANCEL` movement is the cancel of the
 * event named by ZBE-6 (an admission → A11, a discharge → A13), whatever MSH-9.2 says.
 *
 * Properties (tested): pure and total (never throws: a failure becomes an issue), deterministic
 * (the same event and context give a byte-identical bundle; only the Provenance carries
 * ctx.now), and every entry is conditional (PUT `Type?…` or POST + ifNoneExist), so a replay
 * creates nothing new.
 */
import type { Bundle } from '@medplum/fhirtypes';
import type { AdtEvent } from '../hl7/adt-types.js';
import type { AdtMappingContext, AdtState } from './context.js';
import { mapA01 } from './events/a01.js';
import { mapA03 } from './events/a03.js';
import { mapA04 } from './events/a04.js';
import { mapA08, patientOnly } from './events/a08.js';
import { mapA11 } from './events/a11.js';
import { mapA13 } from './events/a13.js';
import { mapA40 } from './events/a40.js';
import type { AdtEffects, AdtMappingOptions, EventMapping } from './events/types.js';
import { provenanceEntry } from './resources/provenance.js';

/** The transaction of one ADT message. */
export interface AdtTransaction {
  bundle: Bundle;
  /** What could not be mapped, or was mapped with a caveat; each names its HL7 location. No personal data. */
  issues: string[];
  effects: AdtEffects;
}

type Root = (event: AdtEvent, state: AdtState, options: AdtMappingOptions) => EventMapping;

/** The root of each supported trigger event. */
const ROOTS: Readonly<Record<string, Root>> = { A01: mapA01, A03: mapA03, A04: mapA04, A08: mapA08, A11: mapA11, A13: mapA13, A40: mapA40 };
const ADMISSIONS = new Set(['A01', 'A04', 'A05']);

/** The root that applies, after reading ZBE-4 / ZBE-6 (IHE PAM France). */
function rootFor(event: AdtEvent, issues: string[]): Root | undefined {
  const trigger = event.trigger;
  const movement = event.movement;
  const original = movement?.originalTrigger;
  if (trigger === 'A11' && original !== undefined && !ADMISSIONS.has(original)) issues.push(`ZBE-6: A11 cancels ${original}, not an admission; read as the cancel of the admission`);
  if (trigger === 'A13' && original !== undefined && original !== 'A03') issues.push(`ZBE-6: A13 cancels ${original}, not a discharge; read as the cancel of the discharge`);
  if (movement?.action === 'CANCEL' && trigger !== 'A11' && trigger !== 'A13' && trigger !== 'A40') {
    const cancelled = original ?? trigger;
    if (ADMISSIONS.has(cancelled)) {
      issues.push(`ZBE-4: CANCEL of ${cancelled} in an ${trigger}; mapped as A11 (admission cancelled)`);
      return mapA11;
    }
    if (cancelled === 'A03') {
      issues.push(`ZBE-4: CANCEL of A03 in an ${trigger}; mapped as A13 (discharge cancelled)`);
      return mapA13;
    }
    issues.push(`ZBE-4: CANCEL of ${cancelled} not supported; Patient updated only`);
    return patientOnly;
  }
  return ROOTS[trigger];
}

/**
 * Maps an extracted ADT event.
 * @example
 *   const { event } = extractAdt(parsed);
 *   const { bundle, issues, effects } = adtToTransaction(event, {
 *     clientId: 'chu-besancon', tenant: 'doubs', facilityNamespace: facilityNamespaceFor('chu-besancon', event.sendingFacility),
 *     now: new Date().toISOString(), messageId: 'msg-123' });
 */
export function adtToTransaction(event: AdtEvent, ctx: AdtMappingContext, options: AdtMappingOptions = {}): AdtTransaction {
  const state: AdtState = { ctx, issues: [] };
  const empty = (): AdtTransaction => ({ bundle: { resourceType: 'Bundle', type: 'transaction', entry: [] }, issues: state.issues, effects: { kind: 'none' } });
  try {
    if (!event.supported) {
      state.issues.push(`${event.messageType}^${event.trigger}: event not supported; nothing written`);
      return empty();
    }
    const root = rootFor(event, state.issues);
    if (root === undefined) {
      state.issues.push(`${event.trigger}: no mapping; nothing written`);
      return empty();
    }
    const { entries, effects } = root(event, state, options);
    reportUnmapped(event, state.issues);
    if (entries.length === 0) return { ...empty(), effects };
    return {
      bundle: { resourceType: 'Bundle', type: 'transaction', entry: [...entries, provenanceEntry(event, entries, state)] },
      issues: state.issues,
      effects,
    };
  } catch (err) {
    // Nothing above should throw; if it does, the message is kept and replayable, with the reason.
    state.issues.push(`mapping stopped: ${err instanceof Error ? err.message : 'error'}`);
    return empty();
  }
}

/** Values the event carries that no root maps (FHIR-Converter: report what was not mapped). */
function reportUnmapped(event: AdtEvent, issues: string[]): void {
  const fields: [string, unknown][] = [
    ['EVN-3', event.plannedDateTime],
    ['EVN-4', event.eventReason],
    ['ZBE-5', event.movement?.historic === 'Y' ? 'Y' : undefined],
    ['ZBE-7', event.movement?.medicalUnit],
    ['ZBE-9', event.movement?.nature],
  ];
  for (const [label, value] of fields) if (value !== undefined) issues.push(`${label}: not mapped`);
}
