/**
 * One line of a `POST /v1/import` upload: `{ "caseId": "...", "case": { …case document… } }`,
 * validated with the same zod schemas as `PUT /v1/cases/{caseId}`, so a line is accepted
 * exactly when the same PUT would be. Pure: no I/O.
 *
 * @example
 *   const line = parseImportLine('{"caseId":"CASE-1","case":{"patient":{…}}}');
 *   if (!line.ok) line.issues; // [{ path: 'case.patient.birthDate', message: '…' }]
 */
import { z } from 'zod';
import { CaseDocumentSchema, ClientIdSchema, fieldIssues, type CaseDocument, type FieldIssue } from '../../mappings/case/schema.js';
import type { UploadLine } from './import-lines.js';

/** The shape of one line (documented in the OpenAPI description of `POST /v1/import`). */
export const ImportLineSchema = z.strictObject({
  caseId: ClientIdSchema,
  case: CaseDocumentSchema,
});

export type ParsedImportLine =
  | { ok: true; caseId: string; document: CaseDocument }
  | { ok: false; caseId?: string; issues: FieldIssue[] };

/** Issues of lines the reader could not even hand over as text. */
export function unreadableLineIssues(problem: Extract<UploadLine, { problem: unknown }>['problem'], maxLineBytes: number): FieldIssue[] {
  switch (problem) {
    case 'too-long':
      return [{ path: '', message: `ligne trop longue : plus de ${maxLineBytes} octets` }];
    case 'not-utf8':
      return [{ path: '', message: 'ligne illisible : encodage UTF-8 invalide' }];
  }
}

/** Parses and validates one line of text; every faulty field is named by its path. */
export function parseImportLine(text: string): ParsedImportLine {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // V8's message quotes the input, which may hold personal data: say what, not where.
    return { ok: false, issues: [{ path: '', message: 'ligne illisible : JSON invalide' }] };
  }
  const parsed = ImportLineSchema.safeParse(json);
  if (parsed.success) return { ok: true, caseId: parsed.data.caseId, document: parsed.data.case };
  // The case id, when it is valid, helps the client find the line to fix.
  const caseId = ClientIdSchema.safeParse((json as { caseId?: unknown } | null)?.caseId);
  return { ok: false, ...(caseId.success ? { caseId: caseId.data } : {}), issues: fieldIssues(parsed.error) };
}
