import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FhirClient } from '../fhir-client/index.js';
import { eventually } from '../webhooks/testing/receiver.js';
import { feedDecision, startChangeFeedSwitch } from './feed-switch.js';

const OWN = 'Passerelle embedded FHIR store';

describe('feedDecision', () => {
  it('follows CHANGE_FEED=on and off whatever the server', () => {
    expect(feedDecision('on', false, undefined, OWN).run).toBe(true);
    expect(feedDecision('on', true, OWN, OWN).run).toBe(true);
    expect(feedDecision('off', true, 'HAPI FHIR Server', OWN).run).toBe(false);
  });

  it('in auto, runs for an external server only, not for the embedded store in or out of process', () => {
    expect(feedDecision('auto', true, 'HAPI FHIR Server', OWN)).toEqual({ run: true, reason: 'FHIR_BASE_URL is an external FHIR server' });
    expect(feedDecision('auto', true, undefined, OWN).run).toBe(true);
    expect(feedDecision('auto', true, OWN, OWN).run).toBe(false);
    expect(feedDecision('auto', false, undefined, OWN).run).toBe(false);
  });
});

/** A FHIR server's `metadata`, as another vendor answers it (a test double of an outside system). */
let server: Server | undefined;
async function metadataServer(answers: { status: number; name?: string }[]): Promise<{ client: FhirClient; asked: () => number }> {
  let asked = 0;
  server = createServer((_req, res) => {
    const answer = answers[Math.min(asked, answers.length - 1)] ?? { status: 500 };
    asked++;
    res.writeHead(answer.status, { 'content-type': 'application/fhir+json' });
    res.end(answer.status === 200
      ? JSON.stringify({ resourceType: 'CapabilityStatement', status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'], date: '2026-01-01', software: { name: answer.name } })
      : JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'transient' }] }));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { client: new FhirClient({ baseUrl: `http://127.0.0.1:${port}/fhir`, retry: { attempts: 1 } }), asked: () => asked };
}

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

describe('startChangeFeedSwitch', () => {
  it("asks the server once, starts the feed for another vendor's server and logs the decision once", async () => {
    const { client } = await metadataServer([{ status: 200, name: 'HAPI FHIR Server' }]);
    const lines: Record<string, unknown>[] = [];
    let started = 0;
    let closed = 0;
    const feed = startChangeFeedSwitch({
      mode: 'auto', externalServer: true, capabilities: () => client.capabilities(), ownStoreName: OWN, retryMs: 20,
      start: () => { started++; return { close: async () => void closed++ }; },
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
    await eventually('the decision', () => started === 1);
    await feed.close();
    await client.close();
    expect(closed).toBe(1);
    expect(lines.map((l) => [l['msg'], l['changeFeed']])).toEqual([['change feed on', 'on']]);
  });

  it('keeps asking while the server does not answer metadata, then stays off for our own store', async () => {
    const { client, asked } = await metadataServer([{ status: 503 }, { status: 503 }, { status: 200, name: OWN }]);
    const lines: Record<string, unknown>[] = [];
    let started = 0;
    const feed = startChangeFeedSwitch({
      mode: 'auto', externalServer: true, capabilities: () => client.capabilities(), ownStoreName: OWN, retryMs: 20,
      start: () => { started++; return { close: async () => undefined }; },
      logger: pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
    });
    await eventually('the decision', () => lines.some((l) => l['changeFeed'] !== undefined));
    await feed.close();
    await client.close();
    expect(asked()).toBe(3);
    expect(started).toBe(0);
    // One warning for the outage (not one per attempt), one line for the decision.
    expect(lines.map((l) => l['msg'])).toEqual(['change feed: FHIR server metadata unreadable, will ask again', 'change feed off']);
  });

  it('does not ask the server when CHANGE_FEED is on or off', async () => {
    let started = 0;
    const fail = async (): Promise<never> => { throw new Error('not to be asked'); };
    const on = startChangeFeedSwitch({ mode: 'on', externalServer: false, capabilities: fail, ownStoreName: OWN, retryMs: 20, start: () => { started++; return { close: async () => undefined }; } });
    const off = startChangeFeedSwitch({ mode: 'off', externalServer: true, capabilities: fail, ownStoreName: OWN, retryMs: 20, start: () => { started += 10; return { close: async () => undefined }; } });
    await on.close();
    await off.close();
    expect(started).toBe(1);
  });
});
