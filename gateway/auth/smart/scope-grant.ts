/**
 * Which of the scopes a SMART Backend Services client asks for it gets (SPEC §7): those its
 * clients-file entry holds, exactly or through a wider SMART scope (`system/*.rs` covers
 * `system/CarePlan.rs`; `system/CarePlan.read` covers `system/CarePlan.s`). Passerelle's own
 * scopes (`fhir.read`, `cases.write`, …) are granted only when held as written.
 */

const SMART_SCOPE = /^system\/(\*|[A-Z][A-Za-z]+)\.(\*|read|write|c?r?u?d?s?)$/;

/** SMART v1 permissions as v2 letters (create, read, update, delete, search). */
const V1_LETTERS: Record<string, string> = { '*': 'cruds', read: 'rs', write: 'cud' };

function parseSmart(scope: string): { type: string; letters: Set<string> } | undefined {
  const match = SMART_SCOPE.exec(scope);
  if (!match || match[2] === '') return undefined;
  const permission = match[2] ?? '';
  return { type: match[1] ?? '', letters: new Set(V1_LETTERS[permission] ?? permission) };
}

/** Whether holding `held` allows granting `requested`. */
export function covers(held: string, requested: string): boolean {
  if (held === requested) return true;
  const h = parseSmart(held);
  const r = parseSmart(requested);
  if (!h || !r) return false;
  if (h.type !== '*' && h.type !== r.type) return false;
  return [...r.letters].every((letter) => h.letters.has(letter));
}

/**
 * The granted subset of a space-separated `scope` request, in the order asked, without repeats.
 * @example grantScopes('system/CarePlan.rs system/Task.u', ['system/*.rs']) // → ['system/CarePlan.rs']
 */
export function grantScopes(requested: string, held: readonly string[]): string[] {
  const asked = [...new Set(requested.split(/\s+/).filter((s) => s !== ''))];
  return asked.filter((scope) => held.some((h) => covers(h, scope)));
}
