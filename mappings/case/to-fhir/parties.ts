/**
 * The practitioners and organizations a case mentions, merged into one entry per real party.
 *
 * A case may name the same GP as `generalPractitioner`, as a team member and as the requester
 * of the support request, and may know a person by RPPS in one place and by the client's own
 * id in another. Mentions sharing any identity token (`rpps:…`, `id:…`, `finess:…`) are one
 * party: one directory resource, with the union of the identifiers, so a transaction never
 * creates the same person twice.
 */
import type { CaseDocument } from '../schema.js';
import { organizationTokens, practitionerTokens, type OrganizationIdentity, type PractitionerIdentity } from '../keys.js';
import { fullUrlFor, type MappingState } from './context.js';

/** One party (practitioner or organization) and what the case says about it. */
export interface PartyGroup<I, D> {
  /** Identity tokens, most authoritative first. */
  tokens: string[];
  /** Merged identity (union of the mentions' identifiers). */
  identity: I;
  /** Names, from the first mention that gives any. */
  details: D | undefined;
  /** Deterministic fullUrl of the directory resource. */
  fullUrl: string;
}

export type PractitionerGroup = PartyGroup<PractitionerIdentity, { familyName?: string | undefined; givenName?: string | undefined }>;
export type OrganizationGroup = PartyGroup<OrganizationIdentity, { name?: string | undefined }>;

/** A practitioner acting for an organization (a PractitionerRole). */
export interface RoleLink { practitioner: PractitionerGroup; organization: OrganizationGroup; key: string; fullUrl: string }

/** Every party of a case, and lookups from a mention to its resource. */
export interface PartyIndex {
  practitioners: PractitionerGroup[];
  organizations: OrganizationGroup[];
  roles: RoleLink[];
  practitioner(identity: PractitionerIdentity): PractitionerGroup;
  organization(identity: OrganizationIdentity): OrganizationGroup;
  role(p: PractitionerIdentity, o: OrganizationIdentity): RoleLink;
}

interface Mention<I, D> { path: string; identity: I; details?: D | undefined }

const PRACTITIONER_FIELDS = ['rpps', 'id'] as const;
const ORGANIZATION_FIELDS = ['finess', 'siret', 'id'] as const;

/** Collects and merges the parties of `doc`. Conflicts become issues, never errors. */
export function collectParties(doc: CaseDocument, state: MappingState): PartyIndex {
  const pMentions: Mention<PractitionerIdentity, NonNullable<PractitionerGroup['details']>>[] = [];
  const oMentions: Mention<OrganizationIdentity, NonNullable<OrganizationGroup['details']>>[] = [];
  const pairs: { p: PractitionerIdentity; o: OrganizationIdentity }[] = [];

  const pRef = (path: string, p: PractitionerIdentity | undefined) => {
    if (p && practitionerTokens(p).length > 0) pMentions.push({ path, identity: { rpps: p.rpps, id: p.id } });
  };
  pRef('patient.generalPractitioner', doc.patient.generalPractitioner);
  doc.team?.members.forEach((m, i) => {
    if (m.practitioner) {
      const { familyName, givenName } = m.practitioner;
      pMentions.push({
        path: `team.members.${i}.practitioner`,
        identity: { rpps: m.practitioner.rpps, id: m.practitioner.id },
        details: familyName !== undefined || givenName !== undefined ? { familyName, givenName } : undefined,
      });
    }
    if (m.organization) {
      const { finess, siret, id, name } = m.organization;
      oMentions.push({ path: `team.members.${i}.organization`, identity: { finess, siret, id }, details: name !== undefined ? { name } : undefined });
    }
    if (m.practitioner && m.organization) pairs.push({ p: m.practitioner, o: m.organization });
  });
  pRef('supportRequest.requester', doc.supportRequest?.requester);
  pRef('plan.author', doc.plan?.author);
  doc.plan?.actions.forEach((a, i) => {
    const r = a.responsible;
    if (!r) return;
    pRef(`plan.actions.${i}.responsible`, r);
    if (r.organization) oMentions.push({ path: `plan.actions.${i}.responsible.organization`, identity: { ...r.organization } });
    if (r.organization && practitionerTokens(r).length > 0) pairs.push({ p: r, o: r.organization });
  });

  const practitioners = mergeMentions(pMentions, practitionerTokens, PRACTITIONER_FIELDS, 'Practitioner', state);
  const organizations = mergeMentions(oMentions, organizationTokens, ORGANIZATION_FIELDS, 'Organization', state);

  const findP = (identity: PractitionerIdentity) => findGroup(practitioners, practitionerTokens(identity));
  const findO = (identity: OrganizationIdentity) => findGroup(organizations, organizationTokens(identity));
  const roles: RoleLink[] = [];
  const roleFor = (p: PractitionerIdentity, o: OrganizationIdentity): RoleLink => {
    const pg = findP(p);
    const og = findO(o);
    const key = `${pg.tokens[0]}@${og.tokens[0]}`;
    let link = roles.find((r) => r.key === key);
    if (!link) {
      link = { practitioner: pg, organization: og, key, fullUrl: fullUrlFor(state.ctx, 'PractitionerRole', key) };
      roles.push(link);
    }
    return link;
  };
  for (const { p, o } of pairs) roleFor(p, o);

  return { practitioners, organizations, roles, practitioner: findP, organization: findO, role: roleFor };
}

function findGroup<G extends { tokens: string[] }>(groups: G[], tokens: string[]): G {
  const group = groups.find((g) => tokens.some((t) => g.tokens.includes(t)));
  // Every mention was registered by collectParties, so a miss is a programming error.
  if (!group) throw new Error(`party not collected: ${tokens.join(',')}`);
  return group;
}

function mergeMentions<I extends object, D extends object>(
  mentions: Mention<I, D>[],
  tokensOf: (identity: I) => string[],
  fields: readonly string[],
  resourceType: string,
  state: MappingState,
): PartyGroup<I, D>[] {
  type Draft = { tokens: Set<string>; mentions: Mention<I, D>[] };
  let drafts: Draft[] = [];
  for (const mention of mentions) {
    const tokens = tokensOf(mention.identity);
    const hits = drafts.filter((d) => tokens.some((t) => d.tokens.has(t)));
    const merged: Draft = { tokens: new Set(tokens), mentions: [] };
    for (const hit of hits) {
      hit.tokens.forEach((t) => merged.tokens.add(t));
      merged.mentions.push(...hit.mentions);
    }
    merged.mentions.push(mention);
    // Keep groups in order of first mention so the output is deterministic.
    const firstIndex = hits.length > 0 ? drafts.indexOf(hits[0]!) : drafts.length;
    drafts = drafts.filter((d) => !hits.includes(d));
    drafts.splice(Math.min(firstIndex, drafts.length), 0, merged);
  }

  return drafts.map((draft) => {
    const ordered = [...draft.mentions].sort((a, b) => mentions.indexOf(a) - mentions.indexOf(b));
    const identity: Record<string, string | undefined> = {};
    let details: D | undefined;
    for (const m of ordered) {
      for (const field of fields) {
        const value = (m.identity as Record<string, string | undefined>)[field];
        if (value === undefined) continue;
        if (identity[field] === undefined) identity[field] = value;
        else if (identity[field] !== value) {
          state.issues.push(`${m.path}.${field}: ${resourceType} ${identity[field]} est aussi désigné par ${value} ; la première valeur est gardée`);
        }
      }
      if (m.details) {
        if (!details) details = m.details;
        else if (JSON.stringify(details) !== JSON.stringify(m.details)) {
          state.issues.push(`${m.path}: ${resourceType} décrit différemment ailleurs dans le dossier ; la première description est gardée`);
        }
      }
    }
    const tokens = tokensOf(identity as I);
    return { tokens, identity: identity as I, details, fullUrl: fullUrlFor(state.ctx, resourceType, tokens[0] ?? '') };
  });
}

/**
 * fullUrl of whoever a practitioner and/or organization mention designates: the
 * PractitionerRole when both are given, else the Practitioner or the Organization.
 */
export function partyUrl(parties: PartyIndex, practitioner: PractitionerIdentity | undefined, organization: OrganizationIdentity | undefined): string | undefined {
  const hasP = practitioner !== undefined && practitionerTokens(practitioner).length > 0;
  if (hasP && organization) return parties.role(practitioner, organization).fullUrl;
  if (hasP) return parties.practitioner(practitioner).fullUrl;
  if (organization) return parties.organization(organization).fullUrl;
  return undefined;
}
