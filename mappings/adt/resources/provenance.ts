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
import { conditionalCreate, fullUrlFor, ref, resourceMeta, tokenQuery, type AdtState } from '../context.js';

/** The Provenance entry of the write whose other entries are `targets`. */
export function provenanceEntry(event: AdtEvent, targets: readonly BundleEntry[], state: AdtState): BundleEntry {
  const { ctx } = state;
  const meta = resourceMeta(ctx);
  meta.tag = [...(meta.tag ?? []), { system: CODE_SYSTEM.hl7Message, code: ctx.messageId }];
  const resource: Provenance = {
    resourceType: 'Provenance',
    meta,
    target: targets.map((e) => ref(e.fullUrl ?? '')),
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
  return conditionalCreate(resource, fullUrlFor(ctx.clientId, 'Provenance', ctx.messageId), tokenQuery('_tag', CODE_SYSTEM.hl7Message, ctx.messageId));
}
