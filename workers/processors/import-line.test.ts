import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseImportLine, unreadableLineIssues } from './import-line.js';

const dupont = JSON.parse(readFileSync(new URL('../../mappings/case/__fixtures__/case-dupont.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('parseImportLine', () => {
  it('accepts a line holding a case id and a valid case document', () => {
    const parsed = parseImportLine(JSON.stringify({ caseId: 'CASE-DUPONT', case: dupont }));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.caseId).toBe('CASE-DUPONT');
      expect(parsed.document.patient.familyName).toBe('DUPONT');
    }
  });

  it('names each faulty field of the document under `case.`, and keeps the case id', () => {
    const patient = { ...(dupont.patient as object), birthDate: '12/05/1938', ins: { value: '279035121518988', kind: 'NIR', identityStatus: 'qualified' } };
    const parsed = parseImportLine(JSON.stringify({ caseId: 'CASE-1', case: { ...dupont, patient, colour: 'blue' } }));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.caseId).toBe('CASE-1');
      expect(parsed.issues.map((i) => i.path).sort()).toEqual(['case.colour', 'case.patient.birthDate', 'case.patient.ins.value']);
    }
  });

  it('rejects a bad case id and a missing case by path', () => {
    const parsed = parseImportLine(JSON.stringify({ caseId: 'no spaces allowed' }));
    expect(parsed).toMatchObject({ ok: false });
    if (!parsed.ok) {
      expect(parsed.caseId).toBeUndefined();
      expect(parsed.issues.map((i) => i.path).sort()).toEqual(['case', 'caseId']);
    }
  });

  it('says a line is not JSON without quoting it (it may hold personal data)', () => {
    const parsed = parseImportLine('{"caseId":"CASE-1","case":{"patient":{"familyName":"DUPONT"');
    expect(parsed).toEqual({ ok: false, issues: [{ path: '', message: 'ligne illisible : JSON invalide' }] });
  });

  it('rejects JSON that is not an object', () => {
    for (const text of ['[]', '42', 'null', '"case"']) {
      const parsed = parseImportLine(text);
      expect(parsed.ok).toBe(false);
    }
  });
});

describe('unreadableLineIssues', () => {
  it('explains a too-long line with the limit, and a line that is not UTF-8', () => {
    expect(unreadableLineIssues('too-long', 1024)[0]!.message).toContain('1024');
    expect(unreadableLineIssues('not-utf8', 1024)[0]!.message).toContain('UTF-8');
  });
});
