/**
 * The facade over a real FHIR store process, seeded for two tenants: reads, searches,
 * includes, paging, scopes and the audit trail, through `createApp` as a client sees them.
 */
import type { AuditEvent, Bundle, CarePlan, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import { validateResource } from '@medplum/core';
import { loadR4Definitions } from '../fhir-store/definitions.js';
import { createLogger } from '../log.js';
import { FhirAuditSink } from './fhir-audit-sink.js';
import { entriesOf, KEYS, refsOf, startFacadeFixture, type FacadeFixture } from './testing/fixture.js';
import { TENANT_A, TENANT_B } from './testing/seed.js';

let fx: FacadeFixture;
let fhirAudit: FhirAuditSink;

beforeAll(async () => {
  fx = await startFacadeFixture({
    extraSink: (fhir) => (fhirAudit = new FhirAuditSink({ fhir, logger: createLogger('silent'), flushIntervalMs: 50 })),
  });
});

afterAll(async () => {
  await fhirAudit?.close();
  await fx?.close();
});

beforeEach(() => fx.audit.clear());

function issuesOf(body: unknown): { text: string; expression: string[] }[] {
  return ((body as OperationOutcome).issue ?? []).map((i) => ({ text: i.details?.text ?? '', expression: i.expression ?? [] }));
}

describe('read', () => {
  it('reads a resource of the caller\'s tenant with its ETag', async () => {
    const { status, body, res } = await fx.getJson<CarePlan>(`/fhir/CarePlan/${fx.ids.a.plan}`);
    expect(status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/fhir+json');
    expect(body).toMatchObject({ resourceType: 'CarePlan', id: fx.ids.a.plan });
    expect(res.headers.get('etag')).toBe(`W/"${body.meta?.versionId}"`);
  });

  it('answers 404 for another tenant\'s resource, exactly as for an unknown id', async () => {
    const other = await fx.getJson(`/fhir/CarePlan/${fx.ids.b.plan}`);
    const unknown = await fx.getJson('/fhir/CarePlan/does-not-exist');
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(other.body).toEqual(unknown.body);
    expect(other.res.headers.get('content-type')).toContain('application/fhir+json');
  });

  it('answers 404 for a resource without a tenant tag', async () => {
    expect((await fx.getJson(`/fhir/Patient/${fx.ids.untaggedPatient}`)).status).toBe(404);
  });

  it('lets the other tenant read its own resource and the shared directory', async () => {
    expect((await fx.getJson(`/fhir/CarePlan/${fx.ids.b.plan}`, KEYS.jura)).status).toBe(200);
    expect((await fx.getJson(`/fhir/Practitioner/${fx.ids.a.practitioner}`, KEYS.jura)).status).toBe(200);
  });

  it('reads one version (vread) of the caller\'s resource only', async () => {
    const current = await fx.getJson<CarePlan>(`/fhir/CarePlan/${fx.ids.a.plan}`);
    const version = current.body.meta?.versionId;
    const own = await fx.getJson<CarePlan>(`/fhir/CarePlan/${fx.ids.a.plan}/_history/${version}`);
    expect(own.status).toBe(200);
    expect(own.body.id).toBe(fx.ids.a.plan);
    expect((await fx.getJson(`/fhir/CarePlan/${fx.ids.b.plan}/_history/1`)).status).toBe(404);
  });

  it('answers 404 naming a type the facade does not serve', async () => {
    const { status, body } = await fx.getJson('/fhir/Observation/1');
    expect(status).toBe(404);
    expect(issuesOf(body)[0]?.text).toContain('Observation');
  });
});

describe('scopes', () => {
  it('refuses a client without fhir.read with 403', async () => {
    const { status, body, res } = await fx.getJson(`/fhir/CarePlan/${fx.ids.a.plan}`, KEYS.noScope);
    expect(status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/fhir+json');
    expect(issuesOf(body)[0]?.text).toContain('fhir.read');
    expect((await fx.getJson('/fhir/CarePlan', KEYS.noScope)).status).toBe(403);
  });

  it('honours a SMART system scope for its type only', async () => {
    expect((await fx.getJson('/fhir/CarePlan?status=active', KEYS.smartCarePlan)).status).toBe(200);
    expect((await fx.getJson(`/fhir/Patient/${fx.ids.a.patient}`, KEYS.smartCarePlan)).status).toBe(403);
  });

  it('requires credentials except for metadata', async () => {
    expect((await fx.request('/fhir/CarePlan', { key: null })).status).toBe(401);
    expect((await fx.request('/fhir/metadata', { key: null })).status).toBe(200);
  });
});

describe('search', () => {
  it('returns only the caller\'s tenant, whatever _tag the client sends', async () => {
    const plain = await fx.getJson<Bundle>('/fhir/CarePlan?_count=100');
    const refs = refsOf(entriesOf(plain.body));
    expect(refs).toContain(`CarePlan/${fx.ids.a.plan}`);
    expect(refs).not.toContain(`CarePlan/${fx.ids.b.plan}`);
    for (const r of entriesOf(plain.body)) {
      expect(r.meta?.tag).toContainEqual({ system: CODE_SYSTEM.tenant, code: TENANT_A.tenant });
    }

    const forged = await fx.getJson<Bundle>(`/fhir/CarePlan?_tag=${encodeURIComponent(`${CODE_SYSTEM.tenant}|${TENANT_B.tenant}`)}`);
    expect(forged.status).toBe(200);
    expect(refsOf(entriesOf(forged.body))).not.toContain(`CarePlan/${fx.ids.b.plan}`);
    expect(entriesOf(forged.body)).toEqual([]);

    const jura = await fx.getJson<Bundle>('/fhir/CarePlan?_count=100', KEYS.jura);
    expect(refsOf(entriesOf(jura.body))).toEqual([`CarePlan/${fx.ids.b.plan}`]);
  });

  it('answers a valid searchset with total, fullUrls on the facade and the FHIR content type', async () => {
    const { body, res } = await fx.getJson<Bundle>(`/fhir/CarePlan?subject=Patient/${fx.ids.a.patient}&status=active`);
    expect(res.headers.get('content-type')).toContain('application/fhir+json');
    expect(body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 1 });
    expect(body.entry?.[0]).toMatchObject({
      fullUrl: `http://localhost/fhir/CarePlan/${fx.ids.a.plan}`,
      search: { mode: 'match' },
    });
    expect(JSON.stringify(body)).not.toContain(fx.store.baseUrl);
  });

  it('refuses an unknown parameter with 400 naming it', async () => {
    const { status, body } = await fx.getJson('/fhir/CarePlan?subject=Patient/1&colour=blue&author:exact=x');
    expect(status).toBe(400);
    const issues = issuesOf(body);
    expect(issues.map((i) => i.expression[0])).toEqual(['colour', 'author:exact']);
    expect(issues[0]?.text).toContain('colour');
  });

  it('refuses an unsupported modifier and an unsupported _include', async () => {
    const modifier = await fx.getJson('/fhir/CarePlan?status:text=active');
    expect(modifier.status).toBe(400);
    expect(issuesOf(modifier.body)[0]?.expression).toEqual(['status:text']);
    const include = await fx.getJson('/fhir/CarePlan?_include=CarePlan:instantiates-canonical');
    expect(include.status).toBe(400);
    expect(issuesOf(include.body)[0]?.expression).toEqual(['_include']);
  });

  it('takes the same parameters form-encoded on POST _search', async () => {
    const res = await fx.request('/fhir/CarePlan/_search', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ subject: `Patient/${fx.ids.a.patient}`, status: 'active', _include: 'CarePlan:care-team' }).toString(),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Bundle;
    expect(refsOf(entriesOf(body))).toEqual([`CarePlan/${fx.ids.a.plan}`]);
    expect(refsOf(entriesOf(body, 'include'))).toEqual([`CareTeam/${fx.ids.a.careTeam}`]);
  });

  it('turns an absolute reference on the facade into one the server knows', async () => {
    const { body } = await fx.getJson<Bundle>(`/fhir/CarePlan?subject=${encodeURIComponent(`http://localhost/fhir/Patient/${fx.ids.a.patient}`)}&status=active`);
    expect(refsOf(entriesOf(body))).toEqual([`CarePlan/${fx.ids.a.plan}`]);
  });
});

describe('_include and _revinclude', () => {
  it('includes the plan\'s team and revincludes its tasks, within the tenant', async () => {
    const { status, body } = await fx.getJson<Bundle>(
      `/fhir/CarePlan?subject=Patient/${fx.ids.a.patient}&status=active&_include=CarePlan:care-team&_revinclude=Task:focus`,
    );
    expect(status).toBe(200);
    expect(refsOf(entriesOf(body))).toEqual([`CarePlan/${fx.ids.a.plan}`]);
    const included = refsOf(entriesOf(body, 'include')).sort();
    expect(included).toEqual([`CareTeam/${fx.ids.a.careTeam}`, `Task/${fx.ids.a.task}`].sort());
    // jura's Task points at this plan: it must not show.
    expect(included).not.toContain(`Task/${fx.ids.b.taskOnAPlan}`);
  });

  it('never includes another tenant\'s resource a reference points at', async () => {
    const { body } = await fx.getJson<Bundle>(`/fhir/CarePlan?_id=${fx.ids.a.planCrossTenant}&_include=CarePlan:care-team`);
    expect(refsOf(entriesOf(body))).toEqual([`CarePlan/${fx.ids.a.planCrossTenant}`]);
    expect(entriesOf(body, 'include')).toEqual([]);
  });

  it('follows :iterate from included resources', async () => {
    const { body } = await fx.getJson<Bundle>(
      `/fhir/Task?_id=${fx.ids.a.task}&_include=Task:focus&_include:iterate=CarePlan:care-team&_include:iterate=CareTeam:participant`,
    );
    const included = refsOf(entriesOf(body, 'include')).sort();
    expect(included).toEqual([`CarePlan/${fx.ids.a.plan}`, `CareTeam/${fx.ids.a.careTeam}`, `Practitioner/${fx.ids.a.practitioner}`].sort());
  });

  it('includes shared directory entries for any tenant', async () => {
    const { body } = await fx.getJson<Bundle>(`/fhir/Patient?_id=${fx.ids.a.patient}&_include=Patient:general-practitioner`);
    expect(refsOf(entriesOf(body, 'include'))).toEqual([`Practitioner/${fx.ids.a.practitioner}`]);
  });
});

describe('paging', () => {
  it('points paging links at the facade and follows them to the last page', async () => {
    const first = await fx.getJson<Bundle>(`/fhir/CarePlan?patient=Patient/${fx.ids.a.patient}&_count=2&_sort=_id&_include=CarePlan:care-team`);
    expect(first.status).toBe(200);
    const total = first.body.total ?? 0;
    expect(total).toBe(6);
    const seen = refsOf(entriesOf(first.body));
    expect(first.body.link?.find((l) => l.relation === 'self')?.url).toContain('http://localhost/fhir/CarePlan?');
    let next = first.body.link?.find((l) => l.relation === 'next')?.url;
    let pages = 1;
    while (next) {
      expect(next.startsWith('http://localhost/fhir/CarePlan?_page=')).toBe(true);
      expect(next).not.toContain(fx.store.baseUrl);
      const page = await fx.getJson<Bundle>(next.replace('http://localhost', ''));
      expect(page.status).toBe(200);
      expect(JSON.stringify(page.body.link)).not.toContain(fx.store.baseUrl);
      seen.push(...refsOf(entriesOf(page.body)));
      // The includes travel with the page link.
      if (refsOf(entriesOf(page.body)).includes(`CarePlan/${fx.ids.a.plan}`)) {
        expect(refsOf(entriesOf(page.body, 'include'))).toContain(`CareTeam/${fx.ids.a.careTeam}`);
      }
      next = page.body.link?.find((l) => l.relation === 'next')?.url;
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(total);
    expect(seen).not.toContain(`CarePlan/${fx.ids.b.plan}`);
  });

  it('keeps a page link within the tenant of whoever follows it', async () => {
    const first = await fx.getJson<Bundle>(`/fhir/CarePlan?_count=1&_sort=_id`);
    const next = first.body.link?.find((l) => l.relation === 'next')?.url ?? '';
    const path = next.replace('http://localhost', '');
    const asDoubs = refsOf(entriesOf((await fx.getJson<Bundle>(path)).body));
    expect(asDoubs).toHaveLength(1);
    const asJura = await fx.getJson<Bundle>(path, KEYS.jura);
    expect(asJura.status).toBe(200);
    // jura has one plan, so its second page is empty: doubs' second plan must not leak into it.
    expect(refsOf(entriesOf(asJura.body))).toEqual([]);
  });

  it('refuses a forged page token that smuggles an unsupported parameter', async () => {
    const token = Buffer.from(JSON.stringify({ q: 'colour=blue&_offset=1', i: '' })).toString('base64url');
    const { status, body } = await fx.getJson(`/fhir/CarePlan?_page=${token}`);
    expect(status).toBe(400);
    expect(issuesOf(body)[0]?.expression).toEqual(['colour']);
    expect((await fx.getJson('/fhir/CarePlan?_page=not*a*token')).status).toBe(400);
  });
});

describe('audit', () => {
  it('records reads and searches of personal data, with every disclosed id', async () => {
    await fx.getJson(`/fhir/CarePlan/${fx.ids.a.plan}`);
    await fx.getJson(`/fhir/CarePlan?_id=${fx.ids.a.plan}&_include=CarePlan:care-team`);
    await fx.getJson(`/fhir/CarePlan/${fx.ids.b.plan}`);
    expect(fx.audit.records).toEqual([
      expect.objectContaining({ action: 'R', interaction: 'read', type: 'CarePlan', ids: [`CarePlan/${fx.ids.a.plan}`], clientId: TENANT_A.clientId, tenant: TENANT_A.tenant, outcome: 'success' }),
      expect.objectContaining({ action: 'R', interaction: 'search-type', ids: [`CarePlan/${fx.ids.a.plan}`, `CareTeam/${fx.ids.a.careTeam}`], outcome: 'success' }),
      expect.objectContaining({ action: 'R', interaction: 'read', ids: [`CarePlan/${fx.ids.b.plan}`], outcome: 'minor-failure' }),
    ]);
    expect(fx.audit.records[0]?.requestId).toMatch(/.+/);
  });

  it('does not audit reads of the shared directory', async () => {
    await fx.getJson(`/fhir/Practitioner/${fx.ids.a.practitioner}`);
    expect(fx.audit.records).toEqual([]);
  });

  it('writes AuditEvents to the FHIR server, tagged with the tenant', async () => {
    const res = await fx.request(`/fhir/Goal/${fx.ids.a.goal}`, { headers: { 'x-request-id': 'audit-check-1' } });
    expect(res.status).toBe(200);
    await fhirAudit.flush();
    const events = await fx.fhir.searchAll('AuditEvent', { entity: `Goal/${fx.ids.a.goal}` });
    const event = events.find((e: AuditEvent) => e.extension?.some((x) => x.valueString === 'audit-check-1'));
    expect(event).toMatchObject({
      action: 'R',
      outcome: '0',
      subtype: [{ code: 'read' }],
      entity: [{ what: { reference: `Goal/${fx.ids.a.goal}` } }],
      agent: [{ who: { identifier: { system: CODE_SYSTEM.owner, value: TENANT_A.clientId } }, requestor: true }],
    });
    expect(event?.meta?.tag).toContainEqual({ system: CODE_SYSTEM.tenant, code: TENANT_A.tenant });
  });
});

describe('every resource type answers JSON FHIR', () => {
  it('answers valid R4: a searchset with includes and paging links, and an error outcome', async () => {
    loadR4Definitions();
    const { body } = await fx.getJson<Bundle>(`/fhir/CarePlan?patient=Patient/${fx.ids.a.patient}&_count=2&_include=CarePlan:subject&_revinclude=Task:focus`);
    expect(entriesOf(body, 'include').length).toBeGreaterThan(0);
    expect(body.link?.map((l) => l.relation)).toEqual(expect.arrayContaining(['self', 'next']));
    expect(() => validateResource(body)).not.toThrow();
    const refused = await fx.getJson<OperationOutcome>('/fhir/CarePlan?colour=blue');
    expect(() => validateResource(refused.body)).not.toThrow();
  });

  it('reads one seeded resource of each type', async () => {
    const pairs: [string, string][] = [
      ['Patient', fx.ids.a.patient], ['CarePlan', fx.ids.a.plan], ['CareTeam', fx.ids.a.careTeam],
      ['ServiceRequest', fx.ids.a.serviceRequest], ['Organization', fx.ids.a.org], ['Practitioner', fx.ids.a.practitioner],
      ['PractitionerRole', fx.ids.a.role], ['Encounter', fx.ids.a.encounter], ['Task', fx.ids.a.task], ['Goal', fx.ids.a.goal],
      ['Condition', fx.ids.a.condition],
    ];
    for (const [type, id] of pairs) {
      const { status, body } = await fx.getJson<Resource>(`/fhir/${type}/${id}`);
      expect(status, type).toBe(200);
      expect(body.resourceType).toBe(type);
    }
  });
});
