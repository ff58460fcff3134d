import { CODE_LISTS } from '../../mappings/case/code-lists.js';
import type { CodeListName } from '../../mappings/case/code-lists.js';
import { PPS_CATEGORY } from '../../mappings/case/to-fhir/care-plan.js';
import { SUPPORT_REQUEST_CODE } from '../../mappings/case/to-fhir/service-request.js';
import { CODE_SYSTEM, valueSetOf } from '../canonical.js';
import type { CodeListSource } from '../generator/terminology.js';

/*
 * The closed code lists come from the mappings' tables (`mappings/case/code-lists.ts`), the
 * single place a code is spelled; this adapter only adds what publication needs (ids, names).
 * It is read at build time: the committed CodeSystems change only when someone regenerates.
 */

/** `teamRole` → `PasserelleTeamRole`. */
function computableName(key: string): string {
  return `Passerelle${key.charAt(0).toUpperCase()}${key.slice(1)}`;
}

/** The last path segment of a canonical URL (`…/CodeSystem/team-role` → `team-role`). */
function idOf(url: string): string {
  const id = url.slice(url.lastIndexOf('/') + 1);
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) {
    throw new Error(`Canonical ${url} does not end with a valid FHIR id`);
  }
  return id;
}

/**
 * The one-code systems the mappers use for what has no national code (SPEC §4): the PPS
 * category of a CarePlan and the type of a support request. Their single code lives in the
 * mapper that writes it; we publish it.
 */
function singleCodeSources(): CodeListSource[] {
  const single = [
    { key: 'carePlanCategory', url: CODE_SYSTEM.carePlanCategory, title: 'Catégories de plan Passerelle', coding: PPS_CATEGORY },
    { key: 'requestType', url: CODE_SYSTEM.requestType, title: 'Types de demande Passerelle', coding: SUPPORT_REQUEST_CODE },
  ];
  return single.map(({ key, url, title, coding }) => {
    if (coding.system !== url) {
      throw new Error(`Mapper code ${coding.code} is not in ${url}`);
    }
    return {
      id: idOf(url),
      url,
      valueSetUrl: valueSetOf(url),
      name: computableName(key),
      title,
      description: `${title} : code publié par Passerelle faute de code national (SPEC §4).`,
      concepts: [{ code: coding.code, display: coding.display }],
    };
  });
}

/** Every code list Passerelle publishes, as publication sources: the case document's lists in table order, then the single-code systems. */
export function codeListSources(): CodeListSource[] {
  return [...caseDocumentSources(), ...singleCodeSources()];
}

/** The closed code lists of the case document (`CODE_LISTS`). */
function caseDocumentSources(): CodeListSource[] {
  return (Object.keys(CODE_LISTS) as CodeListName[]).map((key) => {
    const list = CODE_LISTS[key];
    const codes = list.codes as Record<string, { display: string }>;
    return {
      id: idOf(list.system),
      url: list.system,
      valueSetUrl: valueSetOf(list.system),
      name: computableName(key),
      title: list.title,
      description: `${list.title} : liste fermée du dossier de coordination Passerelle (codes et libellés de GET /v1/code-lists).`,
      concepts: Object.entries(codes).map(([code, entry]) => ({ code, display: entry.display })),
    };
  });
}

/** The codes of one list, for invariants that enforce it offline. */
export function codesOf(key: CodeListName): string[] {
  return Object.keys(CODE_LISTS[key].codes);
}
