/**
 * Provenance — who wrote what, when (SPEC §7: Provenance on every write).
 *
 * It is the one resource that carries the clock (`recorded` = ctx.now). To keep a replay
 * idempotent it is keyed by a hash of the write (client, tenant, case, mode, validated
 * document) in a meta.tag, and written by conditional create: the same PUT again matches the
 * Provenance of the first one and creates nothing. (Provenance has no `identifier` element in
 * R4; `_tag` is the one token every server searches.)
 *
 * Known limit: A → B → A records no Provenance for the second A (the hash matches the first).
 */
import type { BundleEntry, Provenance } from '@medplum/fhirtypes';
import { CODE_SYSTEM, EXTENSION, HL7_SYSTEM } from '../../../profiles/canonical.js';
import { sha256Hex, stableStringify } from '../hash.js';
import type { CaseDocument } from '../schema.js';
import { conditionalCreate, fullUrlFor, ref, resourceMeta, tokenQuery, type MappingState } from './context.js';

/** Hash identifying one write (of a case or a directory entry): equal inputs give equal hashes. */
export function caseWriteHash(doc: CaseDocument | object, state: MappingState): string {
  const { clientId, tenant, caseId } = state.ctx;
  return sha256Hex(stableStringify({ clientId, tenant, caseId, mode: state.mode, doc }));
}

/** The Provenance entry of a write whose other entries are `targets`. */
export function provenanceEntry(doc: CaseDocument | object, targets: BundleEntry[], state: MappingState): BundleEntry {
  const { ctx } = state;
  const hash = caseWriteHash(doc, state);
  const meta = resourceMeta(ctx);
  meta.tag = [...(meta.tag ?? []), { system: CODE_SYSTEM.caseWrite, code: hash }];
  const resource: Provenance = {
    resourceType: 'Provenance',
    meta,
    ...(ctx.requestId !== undefined ? { extension: [{ url: EXTENSION.requestId, valueString: ctx.requestId }] } : {}),
    target: targets.map((e) => ref(e.fullUrl ?? '')),
    recorded: ctx.now,
    activity: {
      coding: [state.mode === 'revoke'
        ? { system: HL7_SYSTEM.v3DataOperation, code: 'DELETE', display: 'delete' }
        : { system: HL7_SYSTEM.v3DataOperation, code: 'UPDATE', display: 'revise' }],
    },
    agent: [{
      type: { coding: [{ system: HL7_SYSTEM.provenanceParticipantType, code: 'author', display: 'Author' }] },
      who: { identifier: { system: CODE_SYSTEM.owner, value: ctx.clientId }, display: ctx.clientId },
    }],
  };
  return conditionalCreate(resource, fullUrlFor(ctx, 'Provenance', hash), tokenQuery('_tag', CODE_SYSTEM.caseWrite, hash));
}
