/**
 * Reads a `Subscription` a FHIR client POSTs (R4 Subscriptions Backport, profile
 * `backport-subscription`) into what Passerelle stores, collecting every faulty field with its
 * FHIRPath expression, so the client gets one 400 naming all of them.
 *
 * What is supported, and why the rest is refused rather than silently ignored:
 * - `criteria`: one of the topic canonicals of `topics.ts`.
 * - `channel.type` `rest-hook` only (no websocket, email or message channel here).
 * - `channel.payload` `application/fhir+json`; content (`backport-payload-content`) `id-only`
 *   (the default when absent) or `empty`. `full-resource` is refused: notifications would carry
 *   personal health data to a URL, outside the facade's per-read audit and tenancy checks.
 * - `channel.header`: up to `MAX_HEADERS` `Name: value` lines, sent with each notification
 *   (typically `Authorization: Bearer …`); headers the transport owns are refused.
 * - `criteria` filter (`backport-filter-criteria`): at most one, `patient=Patient/<id>`
 *   (optionally prefixed `<focus type>?`): only that person's events are notified.
 * - `end`: an instant in the future; no notification after it.
 * The endpoint's address is checked by the caller (URL guard: DNS, private ranges), not here.
 *
 * Pure: the clock is passed in.
 */
import { SUBSCRIPTIONS_BACKPORT } from '../../profiles/canonical.js';
import { eventTypeOfTopic, TOPICS, type TopicEventType } from './topics.js';

export const MAX_HEADERS = 10;
export const MAX_HEADER_LENGTH = 4096;
export const MAX_ENDPOINT_LENGTH = 2048;
export const MAX_REASON_LENGTH = 1024;

/** Payload contents Passerelle sends; `full-resource` is refused (see above). */
export type PayloadContent = 'id-only' | 'empty';

/** A valid request, in the terms Passerelle stores. */
export interface FhirSubscriptionRequest {
  readonly eventType: TopicEventType;
  readonly topic: string;
  readonly endpoint: string;
  readonly content: PayloadContent;
  /** `Name: value` lines, as given (trimmed). */
  readonly headers: readonly string[];
  /** `Patient/<id>` when the client filtered on one person. */
  readonly patientFilter?: string;
  readonly end?: string;
  readonly reason?: string;
}

export interface RequestIssue {
  /** FHIRPath of the faulty element, e.g. `Subscription.channel.type`. */
  readonly expression: string;
  readonly message: string;
}

export type RequestReading =
  | { readonly ok: true; readonly value: FhirSubscriptionRequest }
  | { readonly ok: false; readonly issues: readonly RequestIssue[] };

/** Header names the HTTP client sets itself: a subscriber may not override them. */
const RESERVED_HEADERS = new Set([
  'host', 'content-type', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade',
  'te', 'trailer', 'expect', 'proxy-authorization', 'user-agent', 'x-passerelle-delivery',
]);
const HEADER_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([^\r\n\0]*)$/;
const PATIENT_FILTER = /^(?:([A-Z][A-Za-z]+)\?)?patient=(Patient\/[A-Za-z0-9.-]{1,64})$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const STATUSES_ACCEPTED = ['requested', 'active'];

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Values of the extensions with `url` on a primitive's `_element` (JSON: `"_criteria": { "extension": […] }`). */
function primitiveExtensions(owner: Json, element: string, url: string): unknown[] {
  const shadow = owner[`_${element}`];
  if (!isObject(shadow) || !Array.isArray(shadow['extension'])) return [];
  return shadow['extension'].filter((e): e is Json => isObject(e) && e['url'] === url);
}

/** Reads and checks a Subscription body; `now` decides whether `end` is in the past. */
export function readSubscriptionRequest(body: unknown, now: Date): RequestReading {
  const issues: RequestIssue[] = [];
  const fail = (expression: string, message: string): void => void issues.push({ expression, message });
  if (!isObject(body) || body['resourceType'] !== 'Subscription') {
    return { ok: false, issues: [{ expression: 'Subscription', message: 'the body must be a Subscription resource' }] };
  }

  const status = body['status'];
  if (status !== undefined && !STATUSES_ACCEPTED.includes(status as string)) {
    fail('Subscription.status', `a new subscription is "requested" (or "active"), not ${JSON.stringify(status)}`);
  }

  const reason = body['reason'];
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON_LENGTH)) {
    fail('Subscription.reason', `a string of at most ${MAX_REASON_LENGTH} characters`);
  }

  const criteria = body['criteria'];
  const eventType = typeof criteria === 'string' ? eventTypeOfTopic(criteria) : undefined;
  if (!eventType) {
    fail('Subscription.criteria', `a SubscriptionTopic canonical this server offers (see /fhir/metadata): ${Object.values(TOPICS).map((t) => t.url).join(', ')}`);
  }

  let patientFilter: string | undefined;
  const filters = primitiveExtensions(body, 'criteria', SUBSCRIPTIONS_BACKPORT.filterCriteria);
  if (filters.length > 1) fail('Subscription.criteria.extension', 'at most one filter criterion is supported');
  const filter = filters[0] as Json | undefined;
  if (filter) {
    const match = typeof filter['valueString'] === 'string' ? PATIENT_FILTER.exec(filter['valueString']) : null;
    if (!match || (match[1] !== undefined && eventType !== undefined && match[1] !== TOPICS[eventType].focusType)) {
      const focus = eventType ? TOPICS[eventType].focusType : '<focus type>';
      fail('Subscription.criteria.extension', `the only supported filter is "patient=Patient/<id>" (or "${focus}?patient=Patient/<id>")`);
    } else {
      patientFilter = match[2];
    }
  }

  const end = body['end'];
  if (end !== undefined) {
    if (typeof end !== 'string' || !INSTANT.test(end) || Number.isNaN(Date.parse(end))) {
      fail('Subscription.end', 'an instant with seconds and a time zone, e.g. 2027-01-01T00:00:00Z');
    } else if (Date.parse(end) <= now.getTime()) {
      fail('Subscription.end', 'is in the past');
    }
  }

  const channel = body['channel'];
  let endpoint = '';
  let content: PayloadContent = 'id-only';
  const headers: string[] = [];
  if (!isObject(channel)) {
    fail('Subscription.channel', 'required: { type: "rest-hook", endpoint, payload: "application/fhir+json" }');
  } else {
    if (channel['type'] !== 'rest-hook') fail('Subscription.channel.type', 'only "rest-hook" is supported');

    const url = channel['endpoint'];
    if (typeof url !== 'string' || url.length === 0 || url.length > MAX_ENDPOINT_LENGTH) {
      fail('Subscription.channel.endpoint', `required: the URL notifications are POSTed to (at most ${MAX_ENDPOINT_LENGTH} characters)`);
    } else {
      endpoint = url;
    }

    if (channel['payload'] !== 'application/fhir+json') {
      fail('Subscription.channel.payload', 'required: "application/fhir+json" (notifications are FHIR JSON Bundles)');
    }
    const contents = primitiveExtensions(channel, 'payload', SUBSCRIPTIONS_BACKPORT.payloadContent);
    const code = (contents[0] as Json | undefined)?.['valueCode'];
    if (contents.length > 1) {
      fail('Subscription.channel.payload.extension', 'one payload content only');
    } else if (code === 'full-resource') {
      fail('Subscription.channel.payload.extension', '"full-resource" is not offered: notifications carry no health data; use "id-only" and read the focus through /fhir');
    } else if (code === 'id-only' || code === 'empty') {
      content = code;
    } else if (code !== undefined) {
      fail('Subscription.channel.payload.extension', 'payload content is "id-only" or "empty"');
    }

    const given = channel['header'];
    if (given !== undefined) {
      if (!Array.isArray(given) || given.length > MAX_HEADERS) {
        fail('Subscription.channel.header', `a list of at most ${MAX_HEADERS} "Name: value" strings`);
      } else {
        given.forEach((line, i) => {
          const match = typeof line === 'string' && line.length <= MAX_HEADER_LENGTH ? HEADER_LINE.exec(line.trim()) : null;
          if (!match?.[1]) {
            fail(`Subscription.channel.header[${i}]`, `a "Name: value" HTTP header line of at most ${MAX_HEADER_LENGTH} characters`);
          } else if (RESERVED_HEADERS.has(match[1].toLowerCase())) {
            fail(`Subscription.channel.header[${i}]`, `the header ${match[1]} is set by Passerelle`);
          } else {
            headers.push(`${match[1]}: ${(match[2] ?? '').trim()}`);
          }
        });
      }
    }
  }

  if (issues.length > 0 || !eventType) return { ok: false, issues };
  return {
    ok: true,
    value: {
      eventType,
      topic: TOPICS[eventType].url,
      endpoint,
      content,
      headers,
      ...(patientFilter ? { patientFilter } : {}),
      ...(typeof end === 'string' ? { end } : {}),
      ...(typeof reason === 'string' ? { reason } : {}),
    },
  };
}
