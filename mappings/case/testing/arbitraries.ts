/**
 * fast-check arbitraries of valid case documents, for property tests of the schema and the
 * mappers. Generated documents are *consistent*: each practitioner and organization has one
 * identity and one description, used the same way everywhere (team members carry the
 * details, other places refer by identity) — the precondition of a lossless round trip.
 */
import fc from 'fast-check';
import { insKey } from '../../identifiers/ins.js';
import { luhnCheckDigit } from '../../identifiers/luhn.js';
import {
  ACTION_KINDS, ACTION_STATUSES, IDENTITY_STATUSES, PLAN_STATUSES, PRIORITIES, PROBLEM_DOMAINS, RELATIONSHIPS, SEXES,
  SUPPORT_REASONS, SUPPORT_REQUEST_STATUSES, TEAM_ROLES, codesOf,
} from '../code-lists.js';
import { memberElementId } from '../keys.js';
import type { CaseDocumentInput } from '../schema.js';

type Input = CaseDocumentInput;
type Member = NonNullable<Input['team']>['members'] extends (infer M)[] | undefined ? M : never;

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** A valid RPPS / FINESS / SIRET built from a number, so uniqueness follows from the input. */
export const rppsOf = (n: number) => { const p = `1${pad(n, 9)}`; return p + luhnCheckDigit(p); };
export const finessOf = (n: number) => { const p = `25${pad(n, 6)}`; return p + luhnCheckDigit(p); };
export const siretOf = (n: number) => { const p = `4${pad(n, 12)}`; return p + luhnCheckDigit(p); };

const code = <T extends Record<string, unknown>>(table: T) => fc.constantFrom(...codesOf(table));
const text = (max = 40) => fc.string({ minLength: 1, maxLength: max }).filter((s) => /\S/.test(s));
const nameArb = fc.oneof(text(20), fc.constantFrom('NOËL', 'Hélène', 'Œdipe', "D'ARTAGNAN", 'Jean-Éric'));
const dateArb = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));
const phoneArb = fc.tuple(fc.constantFrom('+33', '0'), fc.integer({ min: 100000000, max: 999999999 })).map(([a, b]) => `${a}${b}`);
const idArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,10}$/);
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const periodArb = fc.tuple(opt(dateArb), opt(dateArb))
  .filter(([a, b]) => a !== undefined || b !== undefined)
  .map(([a, b]) => (a !== undefined && b !== undefined && a > b ? { start: b, end: a } : { start: a, end: b }));
const insArb = fc.tuple(fc.constantFrom('1', '2', '7', '8'), fc.integer({ min: 0, max: 9999 }), fc.constantFrom('25', '2A', '2B', '99'), fc.integer({ min: 0, max: 999999 }))
  .map(([s, a, dep, rest]) => { const body = `${s}${pad(a, 4)}${dep}${pad(rest, 6)}`; return `${body}${pad(insKey(body), 2)}`; });

/** Drops undefined properties (the schema's output never has them). */
function clean<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clean) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, clean(v)])) as T;
  }
  return value;
}

interface PoolPractitioner { rpps?: string | undefined; id?: string | undefined; familyName?: string | undefined; givenName?: string | undefined }
interface PoolOrganization { finess?: string | undefined; siret?: string | undefined; id?: string | undefined; name?: string | undefined }

const practitionerPool = fc.array(
  fc.record({ kind: fc.constantFrom('rpps', 'id', 'both'), seed: fc.integer({ min: 0, max: 99999 }), familyName: opt(nameArb), givenName: opt(nameArb) }),
  { minLength: 1, maxLength: 5 },
).map((list) => list.map((p, i): PoolPractitioner => ({
  rpps: p.kind !== 'id' ? rppsOf(p.seed * 10 + i) : undefined,
  id: p.kind !== 'rpps' ? `PRO-${i}` : undefined,
  familyName: p.familyName,
  givenName: p.givenName,
})));

const organizationPool = fc.array(
  fc.record({ kind: fc.constantFrom('finess', 'siret', 'id', 'finess+siret'), seed: fc.integer({ min: 0, max: 9999 }), name: opt(text(30)) }),
  { minLength: 1, maxLength: 4 },
).map((list) => list.map((o, i): PoolOrganization => ({
  finess: o.kind.includes('finess') ? finessOf(o.seed * 10 + i) : undefined,
  siret: o.kind.includes('siret') ? siretOf(o.seed * 10 + i) : undefined,
  id: o.kind === 'id' ? `ORG-${i}` : undefined,
  name: o.name,
})));

const pIdentity = (p: PoolPractitioner) => ({ rpps: p.rpps, id: p.id });
const oIdentity = (o: PoolOrganization) => ({ finess: o.finess, siret: o.siret, id: o.id });

/** Valid, consistent case documents (as sent by a client). */
export const caseDocumentArb: fc.Arbitrary<Input> = fc.tuple(practitionerPool, organizationPool).chain(([pool, orgs]) => {
  const pick = <T>(list: T[]) => fc.nat(list.length - 1).map((i) => list[i]!);
  const practitionerRef = pick(pool).map(pIdentity);
  const organizationRef = pick(orgs).map(oIdentity);

  const memberArb = fc.record({
    role: code(TEAM_ROLES),
    id: fc.boolean(),
    practitioner: opt(pick(pool)),
    organization: opt(pick(orgs)),
    person: fc.record({ familyName: nameArb, givenName: opt(nameArb), relationship: opt(code(RELATIONSHIPS)), phone: opt(phoneArb) }),
    period: opt(periodArb),
  });
  const membersArb = fc.array(memberArb, { maxLength: 6 }).map((list) => {
    const seen = new Set<string>();
    return list.map((m, i): Member => {
      const base = TEAM_ROLES[m.role].party === 'person'
        ? { role: m.role, relatedPerson: { ...m.person, familyName: `${m.person.familyName}${i}` } }
        : {
          role: m.role,
          practitioner: m.practitioner ?? (m.organization ? undefined : pool[0]),
          organization: m.organization,
        };
      const member: Member = { ...base, id: m.id ? `M${i}` : undefined, period: m.period };
      // Two members with the same role and identity would have the same derived key: name one.
      const key = memberElementId(member);
      if (seen.has(key)) member.id = `M${i}`;
      seen.add(memberElementId(member));
      return member;
    });
  });

  const patientArb = fc.record({
    id: idArb,
    ins: opt(fc.record({ value: insArb, kind: fc.constantFrom('NIR' as const, 'NIA' as const), identityStatus: code(IDENTITY_STATUSES) })),
    familyName: nameArb,
    birthFamilyName: opt(nameArb),
    givenNames: opt(fc.array(nameArb, { minLength: 1, maxLength: 3 })),
    birthDate: opt(dateArb),
    sex: opt(code(SEXES)),
    address: opt(fc.record({
      lines: opt(fc.array(text(), { minLength: 1, maxLength: 2 })),
      postalCode: opt(fc.integer({ min: 1000, max: 99999 }).map((n) => pad(n, 5))),
      city: opt(text(20)),
      country: opt(fc.constantFrom('FR', 'France')),
    })),
    phone: opt(phoneArb),
    generalPractitioner: opt(practitionerRef),
  });

  const supportArb = fc.record({
    id: idArb,
    requestedOn: dateArb,
    requester: opt(practitionerRef),
    reasons: fc.uniqueArray(code(SUPPORT_REASONS), { minLength: 1, maxLength: 3 }),
    status: code(SUPPORT_REQUEST_STATUSES),
    priority: opt(code(PRIORITIES)),
    consent: opt(fc.record({ given: fc.boolean(), date: opt(dateArb) })),
    note: opt(text(80)),
  });

  const planArb = fc.record({
    id: idArb,
    status: code(PLAN_STATUSES),
    title: opt(text()),
    description: opt(text(80)),
    period: opt(periodArb),
    reviewOn: opt(dateArb),
    author: opt(practitionerRef),
    nProblems: fc.nat(3),
    nGoals: fc.nat(3),
  }).chain((p) => {
    const problemIds = Array.from({ length: p.nProblems }, (_, i) => `P${i + 1}`);
    const goalIds = Array.from({ length: p.nGoals }, (_, i) => `G${i + 1}`);
    const subset = (ids: string[]) => (ids.length === 0 ? fc.constant(undefined) : opt(fc.subarray(ids, { minLength: 1 })));
    const problems = fc.tuple(...problemIds.map((id) => fc.record({ id: fc.constant(id), label: text(), domain: code(PROBLEM_DOMAINS) })));
    const goals = fc.tuple(...goalIds.map((id) => fc.record({ id: fc.constant(id), label: text(), problemIds: subset(problemIds), dueOn: opt(dateArb) })));
    const responsible = fc.oneof(
      practitionerRef,
      organizationRef.map((organization) => ({ organization })),
      fc.tuple(practitionerRef, organizationRef).map(([pr, organization]) => ({ ...pr, organization })),
    );
    const actions = fc.array(fc.record({
      label: text(), kind: code(ACTION_KINDS), status: code(ACTION_STATUSES),
      responsible: opt(responsible), goalIds: subset(goalIds), schedule: opt(text(20)),
    }), { maxLength: 4 }).map((list) => list.map((a, i) => ({ id: `A${i + 1}`, ...a })));
    const { id, status, title, description, period, reviewOn, author } = p;
    return fc.tuple(problems, goals, actions).map(([pr, go, ac]) => ({
      id, status, title, description, period, reviewOn, author, problems: pr, goals: go, actions: ac,
    }));
  });

  return fc.record({
    patient: patientArb,
    // Team members carry the pool entries whole (identity and names): the team is where details live.
    team: opt(membersArb.map((members) => ({ members }))),
    supportRequest: opt(supportArb),
    plan: opt(planArb),
  }).map(clean);
});
