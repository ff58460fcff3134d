/**
 * Which `/fhir` interactions a client's scopes allow (SPEC §7). Passerelle's own scopes are
 * `fhir.read` (read and search every facade type) and `fhir.write` (the limited updates).
 * SMART Backend Services scopes are honoured too, per type: v1 `system/CarePlan.read`,
 * `system/*.write`, and v2 `system/CarePlan.rs` (`r` read, `s` search, `u` update).
 */
import { forbidden, OperationOutcomeError } from '@medplum/core';

export type Access = 'read' | 'search' | 'update';

const OWN_SCOPE: Record<Access, string> = { read: 'fhir.read', search: 'fhir.read', update: 'fhir.write' };
const V2_LETTER: Record<Access, string> = { read: 'r', search: 's', update: 'u' };
const SMART_SCOPE = /^system\/(\*|[A-Z][A-Za-z]+)\.(\*|read|write|c?r?u?d?s?)$/;

function smartGrants(scope: string, type: string, access: Access): boolean {
  const match = SMART_SCOPE.exec(scope);
  if (!match || (match[1] !== '*' && match[1] !== type)) return false;
  const permission = match[2] ?? '';
  if (permission === '*') return true;
  if (permission === 'read') return access !== 'update';
  if (permission === 'write') return access === 'update';
  return permission.includes(V2_LETTER[access]);
}

/** Whether `scopes` allow `access` on resources of `type`. */
export function allows(scopes: readonly string[], type: string, access: Access): boolean {
  return scopes.includes(OWN_SCOPE[access]) || scopes.some((s) => smartGrants(s, type, access));
}

/** Throws a 403 OperationOutcome naming the missing scope unless `scopes` allow `access` on `type`. */
export function requireAccess(scopes: readonly string[], type: string, access: Access): void {
  if (allows(scopes, type, access)) return;
  const smart = `system/${type}.${V2_LETTER[access]}`;
  throw new OperationOutcomeError({
    ...forbidden,
    issue: [{ severity: 'error', code: 'forbidden', details: { text: `this client lacks the "${OWN_SCOPE[access]}" scope (or "${smart}")` } }],
  });
}
