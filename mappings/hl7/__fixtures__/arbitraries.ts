/**
 * Test-only: the sample messages, and fast-check generators of broken variants of them, shared by
 * the fuzz tests of parse / adt / ack / assess and the MLLP server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

const here = dirname(fileURLToPath(import.meta.url));

/** Every `*.hl7` fixture, as bytes, by file name. */
export const FIXTURES: ReadonlyMap<string, Buffer> = new Map(
  readdirSync(here)
    .filter((f) => f.endsWith('.hl7'))
    .sort()
    .map((f) => [f, readFileSync(join(here, f))]),
);

/** A fixture by name (throws if missing: a test typo should fail loudly). */
export function fixture(name: string): Buffer {
  const bytes = FIXTURES.get(name);
  if (bytes === undefined) throw new Error(`no fixture ${name}`);
  return bytes;
}

/** Fixtures decoded as Latin-1 (lossless), for text-level mutation. */
const TEXTS = [...FIXTURES.values()].map((b) => b.toString('latin1'));

/** Characters that matter to an HL7 parser, over-represented on purpose. */
const HL7ISH = fc.constantFrom('|', '^', '~', '\\', '&', '\r', '\n', 'MSH', 'PID', 'PV1', 'ZBE', 'MRG', 'A01', 'A40', '2.5', '\\X', '\\F\\', '\u000b', '\u001c', 'é', '');

/** Random text built mostly from HL7 delimiters and segment names. */
export const hl7ishText: fc.Arbitrary<string> = fc.array(fc.oneof(HL7ISH, fc.string({ maxLength: 6 })), { maxLength: 80 }).map((parts) => parts.join(''));

type Mutation = (text: string) => string;

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(([at, length]): Mutation => (t) => t.slice(0, at % (t.length + 1)) + t.slice((at % (t.length + 1)) + length)),
  fc.tuple(fc.nat(), fc.oneof(HL7ISH, fc.string({ maxLength: 8 }))).map(([at, insert]): Mutation => (t) => {
    const i = at % (t.length + 1);
    return t.slice(0, i) + insert + t.slice(i);
  }),
  fc.nat().map((at): Mutation => (t) => t.slice(0, at % (t.length + 1))),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Mutation => (t) => {
    const segments = t.split('\r');
    const i = a % segments.length;
    const j = b % segments.length;
    [segments[i], segments[j]] = [segments[j] ?? '', segments[i] ?? ''];
    return segments.join('\r');
  }),
  fc.tuple(fc.nat(), fc.nat({ max: 30 })).map(([field, repeat]): Mutation => (t) => {
    const fields = t.split('|');
    const i = field % fields.length;
    fields[i] = (fields[i] ?? '').repeat(repeat);
    return fields.join('|');
  }),
);

/** A fixture with 1–6 random mutations: deletions, insertions, truncation, swaps, repeats. */
export const mutatedMessage: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...TEXTS), fc.array(mutation, { minLength: 1, maxLength: 6 }))
  .map(([text, mutations]) => mutations.reduce((t, m) => m(t), text));

/** Anything a sender might put in a frame: mutated messages, HL7-ish noise, or raw text. */
export const anyMessageText: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: mutatedMessage },
  { weight: 2, arbitrary: hl7ishText },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 1, arbitrary: hl7ishText.map((t) => `MSH|^~\\&|${t}`) },
);
