/**
 * A corpus of distinct, valid case documents for load tests and benchmarks, drawn from the
 * property-test arbitraries (so every shape the schema allows shows up: teams of every role,
 * plans with and without goals, Unicode names) and then made unique per case.
 *
 * Uniqueness matters: the arbitraries reuse small ids (`A`, `0`…) and INS numbers, so two raw
 * samples would often be *the same* patient or plan, and a load test would measure conflicts
 * instead of writes. Practitioners and organizations identified by RPPS / FINESS stay shared
 * between cases, as in real life (one GP follows many people), but their identities are made
 * consistent across the corpus: the arbitraries are consistent within one document only, so
 * `PRO-0` is a different person in every sample, and a FINESS may appear alone in one case and
 * with a SIRET of another structure in the next. A conditional write would then match two
 * resources and rightly answer 412.
 *
 * @example
 *   const lines = generateCases(10_000, { seed: 42, prefix: 'IMP' });
 *   const ndjson = toNdjson(lines); // one `{ "caseId", "case" }` per line
 */
import fc from 'fast-check';
import { insKey } from '../../mappings/identifiers/ins.js';
import type { CaseDocumentInput } from '../../mappings/case/schema.js';
import { caseDocumentArb, siretOf } from '../../mappings/case/testing/arbitraries.js';

/** One line of a `POST /v1/import` upload. */
export interface CaseLine {
  caseId: string;
  case: CaseDocumentInput;
}

export interface CorpusOptions {
  /** fast-check seed: the same seed gives the same corpus. Default 1. */
  seed?: number;
  /** Prefix of every client-side id, so two corpora never share a patient or a plan. Default `C`. */
  prefix?: string;
  /** 0–9999: goes into the INS numbers, so corpora with different `series` never share an INS. Default 0. */
  series?: number;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** A valid INS (NIR layout, department 99 = born abroad) that is unique per (series, n < 10^6). */
function uniqueIns(series: number, n: number): string {
  const body = `2${pad(series % 10_000, 4)}99${pad(n % 1_000_000, 6)}`;
  return `${body}${pad(insKey(body), 2)}`;
}

const LOCAL_PRACTITIONER = /^PRO-\d+$/;
const LOCAL_ORGANIZATION = /^ORG-\d+$/;
/** SIRETs of structures that also have a FINESS come from a range the arbitraries never draw. */
const PAIRED_SIRET_BASE = 500_000_000;

/**
 * Makes the practitioner and organization identities of one document consistent with every
 * other document: a local id names one party corpus-wide (derived from its RPPS, or unique to
 * the case), and a FINESS always comes with the same SIRET.
 */
function consistentParties<T>(value: T, caseKey: string): T {
  if (Array.isArray(value)) return value.map((v) => consistentParties(v, caseKey)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = consistentParties(v, caseKey);
  const id = out.id;
  if (typeof id === 'string' && LOCAL_PRACTITIONER.test(id)) {
    out.id = typeof out.rpps === 'string' ? `PRO-${out.rpps}` : `${caseKey}-${id}`;
  } else if (typeof id === 'string' && LOCAL_ORGANIZATION.test(id)) {
    out.id = `${caseKey}-${id}`;
  }
  if (typeof out.finess === 'string' && typeof out.siret === 'string') {
    out.siret = siretOf(PAIRED_SIRET_BASE + Number(out.finess.slice(2, 8)));
  }
  return out as T;
}

/** `count` distinct valid case lines. */
export function generateCases(count: number, options: CorpusOptions = {}): CaseLine[] {
  const { seed = 1, prefix = 'C', series = 0 } = options;
  const docs = fc.sample(caseDocumentArb, { seed, numRuns: count });
  return docs.map((sample, n) => {
    const doc = consistentParties(sample, `${prefix}-${n}`);
    const patient = { ...doc.patient, id: `${prefix}-P${n}` };
    if (patient.ins) patient.ins = { ...patient.ins, value: uniqueIns(series, n) };
    const unique: CaseDocumentInput = { ...doc, patient };
    if (doc.plan) unique.plan = { ...doc.plan, id: `${prefix}-PPS${n}` };
    if (doc.supportRequest) unique.supportRequest = { ...doc.supportRequest, id: `${prefix}-DEM${n}` };
    return { caseId: `${prefix}-${n}`, case: unique };
  });
}

/** The NDJSON upload of `lines`: one JSON object per line, `\n`-terminated. */
export function toNdjson(lines: readonly unknown[]): string {
  return lines.map((line) => `${JSON.stringify(line)}\n`).join('');
}
