/**
 * The AuditEvent writer against a real HTTP double of the FHIR server: it batches, writes off
 * the request path, and never throws, whatever the server does.
 */
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CODE_SYSTEM } from '../../profiles/canonical.js';
import { FhirClient } from '../../workers/fhir-client/index.js';
import { startScriptedFhirServer, type ScriptedServer, type Step } from '../../workers/fhir-client/testing/scripted-fhir-server.js';
import type { AuditRecord } from './audit.js';
import { FhirAuditSink } from './fhir-audit-sink.js';

let server: ScriptedServer;
let fhir: FhirClient;
const warnings: { obj: object; msg: string }[] = [];
const logger = { warn: (obj: object, msg: string) => void warnings.push({ obj, msg }) };

const batchOk: Step = (req, res) => {
  const bundle = JSON.parse(req.body) as Bundle;
  res.writeHead(200, { 'content-type': 'application/fhir+json' });
  res.end(JSON.stringify({ resourceType: 'Bundle', type: 'batch-response', entry: (bundle.entry ?? []).map(() => ({ response: { status: '201 Created' } })) }));
};

function record(n: number): AuditRecord {
  return { action: 'R', interaction: 'read', type: 'CarePlan', ids: [`CarePlan/${n}`], clientId: 'dac-doubs', tenant: 'doubs', requestId: `req-${n}`, outcome: 'success' };
}

function sentEvents(): AuditEvent[][] {
  return server.requests.map((r) => ((JSON.parse(r.body) as Bundle).entry ?? []).map((e) => e.resource as AuditEvent));
}

beforeEach(async () => {
  warnings.length = 0;
  server = await startScriptedFhirServer(batchOk);
  fhir = new FhirClient({ baseUrl: server.baseUrl, retry: { attempts: 1 } });
});

afterEach(async () => {
  await fhir.close();
  await server.close();
});

describe('FhirAuditSink', () => {
  it('writes records as one batch of AuditEvents after the flush interval', async () => {
    const sink = new FhirAuditSink({ fhir, logger, flushIntervalMs: 20, now: () => new Date('2026-11-24T10:00:00Z') });
    for (let i = 0; i < 5; i++) sink.record(record(i));
    expect(server.requests).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(sentEvents().map((batch) => batch.length)).toEqual([5]);
    const event = sentEvents()[0]![0]!;
    expect(event).toMatchObject({ resourceType: 'AuditEvent', action: 'R', outcome: '0', recorded: '2026-11-24T10:00:00.000Z', entity: [{ what: { reference: 'CarePlan/0' } }] });
    expect(event.meta?.tag).toContainEqual({ system: CODE_SYSTEM.tenant, code: 'doubs' });
    expect((JSON.parse(server.requests[0]!.body) as Bundle).type).toBe('batch');
    await sink.close();
  });

  it('writes full batches at once, one at a time', async () => {
    const sink = new FhirAuditSink({ fhir, logger, batchSize: 2, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) sink.record(record(i));
    await sink.flush();
    expect(sentEvents().map((batch) => batch.length)).toEqual([2, 2, 1]);
    expect(sentEvents().flat().map((e) => e.entity?.[0]?.what?.reference)).toEqual(['CarePlan/0', 'CarePlan/1', 'CarePlan/2', 'CarePlan/3', 'CarePlan/4']);
    await sink.close();
  });

  it('logs and drops a batch the server refuses, without throwing', async () => {
    server.script({ status: 500 });
    const sink = new FhirAuditSink({ fhir, logger, flushIntervalMs: 60_000 });
    sink.record(record(1));
    await expect(sink.flush()).resolves.toBeUndefined();
    expect(warnings).toEqual([{ obj: { dropped: 1, status: 500 }, msg: 'could not write AuditEvents' }]);
    sink.record(record(2));
    await sink.flush();
    expect(sentEvents().at(-1)?.map((e) => e.entity?.[0]?.what?.reference)).toEqual(['CarePlan/2']);
    await sink.close();
  });

  it('counts refused entries of a batch', async () => {
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/fhir+json' });
      res.end(JSON.stringify({ resourceType: 'Bundle', type: 'batch-response', entry: [{ response: { status: '201' } }, { response: { status: '400' } }] }));
    });
    const sink = new FhirAuditSink({ fhir, logger, flushIntervalMs: 60_000 });
    sink.record(record(1));
    sink.record(record(2));
    await sink.flush();
    expect(warnings).toEqual([{ obj: { dropped: 1, status: 400 }, msg: 'FHIR server refused some AuditEvents' }]);
    await sink.close();
  });

  it('bounds its queue and says how many it dropped', async () => {
    const sink = new FhirAuditSink({ fhir, logger, maxQueued: 2, batchSize: 10, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5; i++) sink.record(record(i));
    await sink.flush();
    expect(sentEvents().map((batch) => batch.length)).toEqual([2]);
    expect(warnings).toContainEqual({ obj: { dropped: 3 }, msg: 'audit queue full: AuditEvents dropped' });
    await sink.close();
    sink.record(record(9));
    expect(warnings.at(-1)?.msg).toContain('closed');
  });
});
