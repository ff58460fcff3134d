/**
 * ADT^A40 — merge patient, patient identifier list (IHE PAM France: *fusion de deux
 * identifiants*). Each PID/MRG pair: the survivor (PID) is written as any Patient; the Patient
 * known by MRG-1 is left to the worker, which reads both and applies `mergeUpdates` (prior
 * inactive + `replaced-by`, survivor `replaces`) then `repointSubject` on the prior's stays
 * and tasks (SPEC §3). MRG-1 identifiers are read with the same namespace rule as PID-3;
 * an INS in MRG-1 is not used (the prior is found by its IPP). Effect: `merged`.
 */
import type { BundleEntry, Identifier } from '@medplum/fhirtypes';
import type { AdtEvent } from '../../hl7/adt-types.js';
import { conditionalUpdate, fullUrlFor, identifierQuery, type AdtState } from '../context.js';
import { sortPatientIdentifiers } from '../resources/identifiers.js';
import { patientResource, preservePatientState } from '../resources/patient.js';
import type { AdtMappingOptions, EventMapping, MergePair } from './types.js';

/** Maps an A40. */
export function mapA40(event: AdtEvent, state: AdtState, options: AdtMappingOptions): EventMapping {
  const { ctx, issues } = state;
  if (options.match !== undefined) issues.push('A40: the identity decision does not apply to a merge; ignored');
  if (event.merges.length === 0) issues.push('MRG: no PID/MRG pair; nothing merged');
  const entries: BundleEntry[] = [];
  const pairs: MergePair[] = [];
  const written = new Set<string>();
  event.merges.forEach((merge, i) => {
    const label = i === 0 ? 'PID' : `PID #${i + 1}`;
    const mrg = i === 0 ? 'MRG' : `MRG #${i + 1}`;
    // The first PID's issues were already reported by extractAdt; mapping issues are ours.
    const mapped = patientResource(merge.survivor, i === 0 ? event.generalPractitioners : [], state, {}, label);
    const sorted = sortPatientIdentifiers(merge.priorIdentifiers, ctx, issues, `${mrg}-1`);
    if (sorted.ins !== undefined) issues.push(`${mrg}-1: INS not used to find the prior Patient (IPP only)`);
    if (merge.priorVisitNumber !== undefined) issues.push(`${mrg}-5: prior visit number not mapped (every stay of the prior Patient is re-pointed)`);
    const survivor: Identifier | undefined = mapped.key;
    if (survivor === undefined) {
      issues.push(`${label}-3: no usable survivor identifier; pair not merged`);
      return;
    }
    if (sorted.ipps.length === 0) {
      issues.push(`${mrg}-1: no prior IPP; pair not merged`);
      return;
    }
    if (sorted.ipps.some((p) => p.system === survivor.system && p.value === survivor.value)) {
      issues.push(`${mrg}-1: the prior identifier is the survivor's; pair not merged`);
      return;
    }
    const key = `${survivor.system ?? ''}|${survivor.value ?? ''}`;
    if (!written.has(key)) {
      written.add(key);
      const resource = i === 0 && options.currentPatient !== undefined ? preservePatientState(mapped.resource, options.currentPatient) : mapped.resource;
      entries.push(conditionalUpdate(resource, fullUrlFor(ctx.clientId, 'Patient', key), identifierQuery(survivor)));
    }
    pairs.push({ survivor, prior: sorted.ipps });
  });
  const first = pairs[0];
  return { entries, effects: first !== undefined ? { kind: 'merged', survivor: first.survivor, prior: first.prior, pairs } : { kind: 'none' } };
}
