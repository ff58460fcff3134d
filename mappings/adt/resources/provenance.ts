/**
 * Provenance of an ADT write (SPEC §7: Provenance on every write): targets every resource of
 * the transaction, the hospital client as author, the HL7 message as source entity. It is the
 * one resource carrying the clock (`recorded` = ctx.now). Keyed by the stored message id in a
 * meta.tag and written by conditional create, so a replay of the same message writes no second
 * Provenance (R4 Provenance has no `identifier`; `_tag` is searchable everywhere).
 */
import type { BundleEntry, Provenance } from '@medplum/fhirtypes';
import { CODE_SYSTEM, HL7_SYSTEM, sourceIdentifierSystem } from '../../../profiles/canonical.js';
import type { AdtEvent } from '../../hl7/adt-types.js';
import { conditionalCreate, fullUrlFor, ref, resourceMeta, tokenQuery, type AdtMappingContext, type AdtState } from '../context.js';

/** The Provenance entry of the write whose other entries are `targets`. */
export function provenanceEntry(event: AdtEvent, targets: readonly BundleEntry[], state: AdtState): BundleEntry {
  const { ctx } = state;
  const resource = provenanceOf(event, targets.map((e) => e.fullUrl ?? ''), ctx, ctx.messageId);
  return conditionalCreate(resource, fullUrlFor(ctx.clientId, 'Provenance', ctx.messageId), tokenQuery('_tag', CODE_SYSTEM.hl7Message, ctx.messageId));
}

/**
 * The Provenance of what a message's effects wrote after its transaction (the discharge Task
 * and plan activity, their undoing by an A13, a merge's re-pointed resources): the same author
 * and source, keyed `<message id>-effects`, so a job run again writes it once.
 * @example effectsProvenance(event, ['Task/t1', 'CarePlan/p1'], ctx) // → { resource, ifNoneExist: '_tag=…|msg-1-effects' }
 */
export function effectsProvenance(event: AdtEvent, targets: readonly string[], ctx: AdtMappingContext): { resource: Provenance; ifNoneExist: string } {
  const key = `${ctx.messageId}-effects`;
  return { resource: provenanceOf(event, targets, ctx, key), ifNoneExist: tokenQuery('_tag', CODE_SYSTEM.hl7Message, key) };
}

function provenanceOf(event: AdtEvent, targets: readonly string[], ctx: AdtMappingContext, key: string): Provenance {
  const meta = resourceMeta(ctx);
  meta.tag = [...(meta.tag ?? []), { system: CODE_SYSTEM.hl7Message, code: key }];
  return {
    resourceType: 'Provenance',
    meta,
    target: targets.map((target) => ref(target)),
    ...(event.recordedDateTime !== undefined ? { occurredDateTime: event.recordedDateTime } : {}),
    recorded: ctx.now,
    activity: { coding: [{ system: HL7_SYSTEM.v3DataOperation, code: 'UPDATE', display: 'revise' }] },
    agent: [{
      type: { coding: [{ system: HL7_SYSTEM.provenanceParticipantType, code: 'author', display: 'Author' }] },
      who: { identifier: { system: CODE_SYSTEM.owner, value: ctx.clientId }, display: ctx.clientId },
    }],
    entity: [{
      role: 'source',
      what: {
        identifier: { system: sourceIdentifierSystem(ctx.clientId, 'hl7-message'), value: ctx.messageId },
        display: `${event.messageType}^${event.trigger} ${event.controlId}`.trim(),
      },
    }],
  };
}
