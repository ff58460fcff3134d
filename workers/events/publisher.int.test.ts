/**
 * What `publishEvent` costs in Redis round trips, and that the one-script path keeps the
 * publisher's properties: idempotent per (tenant, eventKey), no echo to the source client, a
 * crashed fan-out redone, tickets before jobs. Real Redis, a random prefix per test.
 * (Delivery itself is covered by `../webhooks/*.int.test.ts`.)
 */
import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createQueueTestEnv, type QueueTestEnv } from '../queue/test-env.js';
import { deliveryIdOf, webhookJobId } from '../webhooks/delivery-id.js';
import { WebhookKeys } from '../webhooks/keys.js';
import { SubscriptionStore } from '../webhooks/subscription-store.js';
import { eventIdOf, type PublishEventInput } from './event.js';
import { EventStore } from './event-store.js';
import { createEventPublisher, type EventPublisher } from './publisher.js';

const dac = { clientId: 'dac-doubs', tenant: 'doubs' };
const ehpad = { clientId: 'ehpad-tilleuls', tenant: 'doubs' };

/** The names of the commands sent on `redis` from now on (every command goes through `sendCommand`). */
function recordCommands(redis: Redis): string[] {
  const names: string[] = [];
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command, stream) => {
    names.push(command.name.toUpperCase());
    return send(command, stream);
  }) as Redis['sendCommand'];
  return names;
}

let n = 0;
function discharge(sourceClientId: string, patient = 'p1'): PublishEventInput {
  n++;
  return {
    type: 'patient.discharged',
    tenant: 'doubs',
    sourceClientId,
    patientRef: `Patient/${patient}`,
    resourceRef: `Encounter/e${n}`,
    data: { stay: { visitNumber: `V${n}` } },
    occurredAt: new Date().toISOString(),
    eventKey: `publisher-test-${n}-${Math.random().toString(36).slice(2)}`,
  };
}

describe('publishEvent', () => {
  let env: QueueTestEnv;
  /** The publisher's own connection, so its commands can be counted apart from the test's. */
  let publisherRedis: Redis;
  let commands: string[];
  let publisher: EventPublisher;
  let subscriptions: SubscriptionStore;

  beforeEach(async () => {
    env = await createQueueTestEnv();
    publisherRedis = env.redis.duplicate();
    commands = recordCommands(publisherRedis);
    publisher = createEventPublisher({ redis: publisherRedis, queues: env.queues, prefix: env.prefix });
    subscriptions = new SubscriptionStore(env.redis, env.prefix);
    // Loads the script into Redis, so counts below are of the steady state (EVALSHA, no NOSCRIPT retry).
    await publisher.publishEvent(discharge('warm-up'));
    commands.length = 0;
  });
  afterEach(async () => {
    publisherRedis.disconnect();
    await env.cleanup();
  });

  it('costs one Redis round trip when nobody listens, for a new event and for its duplicate', async () => {
    const input = discharge('chu-besancon');
    const first = await publisher.publishEvent(input);
    expect(first).toEqual({ eventId: eventIdOf('doubs', input.eventKey), duplicate: false, deliveries: [] });
    expect(commands).toEqual(['EVALSHA']);

    const again = await publisher.publishEvent(input);
    expect(again).toEqual({ ...first, duplicate: true });
    expect(commands).toEqual(['EVALSHA', 'EVALSHA']);

    const stored = await new EventStore(env.redis, env.prefix).get(first.eventId);
    expect(stored).toMatchObject({ type: 'patient.discharged', sourceClientId: 'chu-besancon', resource: input.resourceRef });
    expect(await env.redis.exists(`${env.prefix}:ev:${first.eventId}:f`)).toBe(1);
  });

  it('costs one round trip when the only listener is the source client (no echo), and enqueues nothing', async () => {
    await subscriptions.create({ ...dac, url: 'https://dac.example/hook', events: ['patient.discharged'], secret: 'a-secret-of-sixteen-chars' });
    const result = await publisher.publishEvent(discharge(dac.clientId));
    expect(result.deliveries).toEqual([]);
    expect(commands).toEqual(['EVALSHA']);
    expect(await env.queues.queue('webhooks').getJobCounts('waiting', 'delayed')).toEqual({ waiting: 0, delayed: 0 });
  });

  it('fans out to the other listeners with a ticket before each job, then marks the event; a duplicate enqueues nothing', async () => {
    await subscriptions.create({ ...dac, url: 'https://dac.example/hook', events: ['patient.discharged'], secret: 'a-secret-of-sixteen-chars' });
    const toEhpad = await subscriptions.create({ ...ehpad, url: 'https://ehpad.example/hook', events: ['patient.discharged'], secret: 'a-secret-of-sixteen-chars' });
    const input = discharge(dac.clientId, 'p7');

    const result = await publisher.publishEvent(input);
    const deliveryId = deliveryIdOf(toEhpad.id, result.eventId);
    expect(result).toEqual({ eventId: result.eventId, duplicate: false, deliveries: [deliveryId] });
    const ticket = await env.redis.zscore(new WebhookKeys(env.prefix).order(toEhpad.id, 'Patient/p7'), result.eventId);
    expect(ticket).not.toBeNull();
    expect(await env.queues.queue('webhooks').getJob(webhookJobId(deliveryId))).toBeDefined();
    // On the publisher's connection: the script, the ticket (the job goes through the queue's
    // connection after it), then the marker, last.
    expect(commands).toEqual(['EVALSHA', 'EVALSHA', 'SET']);
    expect(await env.redis.exists(`${env.prefix}:ev:${result.eventId}:f`)).toBe(1);

    commands.length = 0;
    expect(await publisher.publishEvent(input)).toEqual({ eventId: result.eventId, duplicate: true, deliveries: [] });
    expect(commands).toEqual(['EVALSHA']);
  });

  it('redoes the fan-out of a publisher that died after storing the event, with the same delivery ids', async () => {
    const toEhpad = await subscriptions.create({ ...ehpad, url: 'https://ehpad.example/hook', events: ['patient.discharged'], secret: 'a-secret-of-sixteen-chars' });
    const input = discharge('chu-besancon', 'p9');
    const eventId = eventIdOf('doubs', input.eventKey);
    await new EventStore(env.redis, env.prefix).put({
      id: eventId, type: 'patient.discharged', tenant: 'doubs', sourceClientId: 'chu-besancon',
      patient: 'Patient/p9', resource: input.resourceRef, data: input.data, occurredAt: input.occurredAt,
    });

    const retried = await publisher.publishEvent(input);
    expect(retried).toEqual({ eventId, duplicate: true, deliveries: [deliveryIdOf(toEhpad.id, eventId)] });
    expect(await env.redis.exists(`${env.prefix}:ev:${eventId}:f`)).toBe(1);
    // Once finished, a further retry is a plain duplicate.
    expect((await publisher.publishEvent(input)).deliveries).toEqual([]);
  });

  it('does not fan out to a subscription of another tenant or past its end, and still marks the event', async () => {
    await subscriptions.create({
      ...ehpad, url: 'https://ehpad.example/fhir-hook', events: ['patient.discharged'], secret: 'a-secret-of-sixteen-chars',
      fhir: { baseUrl: 'https://passerelle.example/fhir', topic: 'https://fhir.passerelle.fr/SubscriptionTopic/patient-discharged', content: 'id-only', headers: [], end: '2020-01-01T00:00:00Z' },
    });
    // A forged index entry pointing at another tenant's subscription: the tenant check still holds.
    const jura = await subscriptions.create({ clientId: 'dac-jura', tenant: 'jura', url: 'https://jura.example/hook', events: ['patient.discharged'], secret: 'a-secret-of-sixteen-chars' });
    await env.redis.sadd(new WebhookKeys(env.prefix).listeners('doubs', 'patient.discharged'), jura.id);

    const result = await publisher.publishEvent(discharge('chu-besancon'));
    expect(result.deliveries).toEqual([]);
    expect(await env.redis.exists(`${env.prefix}:ev:${result.eventId}:f`)).toBe(1);
  });
});
