/**
 * A FHIR notification message Bundle (Da Vinci Unsolicited Notifications style,
 * `notification-admit` / `notification-discharge`) → the `AdtEvent` HL7 would have carried
 * (A01 / A03), so the ADT mappers and the worker give both channels the same effects (SPEC §3).
 *
 * What is read (Da Vinci Notifications Bundle and MessageHeader profiles, FHIR R4 messaging):
 * - `Bundle.type` = `message`, `Bundle.id` (the message identity: resends are recognised by it),
 *   `Bundle.timestamp` (when sent: MSH-7, and EVN-2 as the fallback of a missing period);
 * - the first entry, the MessageHeader: `eventCoding` in the Da Vinci `notification-event` code
 *   system, `focus` → the Encounter of the stay, `source.name` (MSH-3);
 * - the Encounter (`readEncounter`) and its `subject`, the Patient (`readPatient`), both found in
 *   the Bundle by `fullUrl` or by `Type/id`.
 * The sending facility is not read from the message: it is the authenticated client's
 * (injected), as MSH-4 is checked against the client for HL7 (SPEC §7).
 *
 * Pure, total and deterministic: never throws (an unexpected failure becomes an error on
 * `Bundle`), and the same input gives the same output.
 */
import type { AdtEvent } from '../hl7/adt-types.js';
import type { HierarchicDesignator } from '../hl7/parse.js';
import { NOTIFICATION_EVENT_SYSTEM, NOTIFICATION_TRIGGERS, isKey, type NotificationEventCode } from './codes.js';
import { readEncounter } from './encounter.js';
import { FHIR_DATE_TIME, FHIR_ID, isObject, objectAt, objectsAt, stringAt, type JsonObject } from './json.js';
import { readPatient } from './patient.js';
import { newReading, type NotificationError, type Reading } from './reading.js';

export type { NotificationError };

/** Injected facts of one read. */
export interface NotificationContext {
  /** The sending facility: the authenticated client's declared HL7 facility (see {@link notificationFacility}). */
  facility: HierarchicDesignator;
}

/** Result of {@link readNotification}. */
export interface NotificationReading {
  /** The event to map, when there is no error. */
  event: AdtEvent | undefined;
  /** What was not mapped, or mapped with a caveat (non-personal). */
  issues: string[];
  /** Why the notification cannot be processed; empty when `event` is set. */
  errors: NotificationError[];
  /** `Bundle.id`, when valid: the message identity. */
  bundleId: string | undefined;
  /** `MessageHeader.eventCoding.code`, when readable. */
  eventCode: string | undefined;
  /** `MessageHeader.eventCoding` as sent (system and code), echoed in the response message. */
  eventCoding: { system?: string; code?: string } | undefined;
}

/**
 * The sending facility of a client's FHIR messages: its first declared HL7 facility (MSH-4),
 * so both channels of one hospital write one facility Organization and share the per-person
 * order; a client that declares none is its own namespace.
 * @example notificationFacility('chu-besancon', ['CHU_BESANCON']) // { namespaceId: 'CHU_BESANCON', universalId: '', universalIdType: '' }
 */
export function notificationFacility(clientId: string, declared: readonly string[] | undefined): HierarchicDesignator {
  return { namespaceId: declared?.[0] ?? clientId, universalId: '', universalIdType: '' };
}

/** The message Bundle of a request body: the body itself, or the `content` of a Parameters. */
function messageOf(input: unknown): unknown {
  if (isObject(input) && input['resourceType'] === 'Parameters') {
    const content = objectsAt(input, 'parameter').find(({ item }) => item['name'] === 'content')?.item;
    return content?.['resource'];
  }
  return input;
}

/**
 * Reads a notification message.
 * @example
 *   const { event, errors } = readNotification(JSON.parse(body), { facility: notificationFacility(client.id, client.hl7Facilities) });
 *   if (event !== undefined) adtToTransaction(event, ctx, options);
 */
export function readNotification(input: unknown, ctx: NotificationContext): NotificationReading {
  const r = newReading();
  const result = (event: AdtEvent | undefined, bundleId?: string, eventCoding?: { system?: string; code?: string }): NotificationReading => ({
    event: r.errors.length === 0 ? event : undefined,
    issues: r.issues,
    errors: r.errors,
    bundleId,
    eventCode: eventCoding?.code,
    eventCoding,
  });
  try {
    const bundle = messageOf(input);
    if (!isObject(bundle) || bundle['resourceType'] !== 'Bundle') {
      r.error('Bundle', 'the body must be a Bundle of type message (or a Parameters whose `content` is one)');
      return result(undefined);
    }
    if (bundle['type'] !== 'message') r.error('Bundle.type', 'must be `message`');
    const id = stringAt(bundle, 'id');
    const bundleId = id !== undefined && FHIR_ID.test(id) ? id : undefined;
    if (bundleId === undefined) r.error('Bundle.id', 'required, a FHIR id: it identifies the message, so that a resend is processed once');
    const timestamp = stringAt(bundle, 'timestamp');
    if (timestamp !== undefined && !FHIR_DATE_TIME.test(timestamp)) r.error('Bundle.timestamp', 'not a FHIR instant');

    const entries = objectsAt(bundle, 'entry');
    const header = objectAt(entries[0]?.item, 'resource');
    if (header === undefined || header['resourceType'] !== 'MessageHeader' || entries[0]?.index !== 0) {
      r.error('Bundle.entry[0].resource', 'the first entry must be the MessageHeader');
      return result(undefined, bundleId);
    }
    const headerPath = 'Bundle.entry[0].resource';
    const coding = objectAt(header, 'eventCoding');
    const system = stringAt(coding, 'system');
    const code = stringAt(coding, 'code');
    const eventCoding = { ...(system !== undefined ? { system } : {}), ...(code !== undefined ? { code } : {}) };
    const trigger = readTrigger(coding, headerPath, r);

    const encounterEntry = focusedEncounter(header, entries, headerPath, r);
    const patientEntry = encounterEntry === undefined ? undefined : subjectPatient(encounterEntry, entries, r);
    const used = new Set([0, encounterEntry?.index, patientEntry?.index]);
    for (const { item, index } of entries) {
      if (used.has(index)) continue;
      const type = stringAt(objectAt(item, 'resource'), 'resourceType') ?? 'entry';
      r.issue(`Bundle.entry[${index}]: ${type} not mapped`);
    }
    if (trigger === undefined || encounterEntry === undefined || patientEntry === undefined) return result(undefined, bundleId, eventCoding);

    const encounterPath = `Bundle.entry[${encounterEntry.index}].resource`;
    const visit = readEncounter(encounterEntry.resource, encounterPath, r);
    const { patient, generalPractitioners } = readPatient(patientEntry.resource, `Bundle.entry[${patientEntry.index}].resource`, r);
    checkStatus(encounterEntry.resource, trigger.code, encounterPath, r);
    if (trigger.code === 'notification-discharge' && visit.dischargeDateTime === undefined) {
      r.issue(`${encounterPath}.period.end: missing; the discharge time is the message timestamp`);
    }

    const sentAt = timestamp !== undefined && FHIR_DATE_TIME.test(timestamp) ? timestamp : undefined;
    const sourceName = stringAt(objectAt(header, 'source'), 'name');
    const event: AdtEvent = {
      trigger: trigger.trigger,
      supported: true,
      messageType: trigger.code,
      controlId: bundleId ?? '',
      sendingApplication: { namespaceId: sourceName ?? '', universalId: '', universalIdType: '' },
      sendingFacility: ctx.facility,
      ...(sentAt !== undefined ? { messageDateTime: sentAt, recordedDateTime: sentAt } : {}),
      patient,
      generalPractitioners,
      visit,
      merges: [],
    };
    return result(event, bundleId, eventCoding);
  } catch (err) {
    // Nothing above should throw; if it does, the notification is refused with a reason, never a crash.
    r.error('Bundle', `could not be read (${err instanceof Error ? err.name : 'error'})`);
    return result(undefined);
  }
}

function readTrigger(coding: JsonObject | undefined, headerPath: string, r: Reading): { code: NotificationEventCode; trigger: 'A01' | 'A03' } | undefined {
  if (coding === undefined) {
    r.error(`${headerPath}.eventCoding`, `required: a Coding of ${NOTIFICATION_EVENT_SYSTEM}`);
    return undefined;
  }
  const system = stringAt(coding, 'system');
  const code = stringAt(coding, 'code');
  if (system !== NOTIFICATION_EVENT_SYSTEM) r.error(`${headerPath}.eventCoding.system`, `must be ${NOTIFICATION_EVENT_SYSTEM}`);
  if (!isKey(NOTIFICATION_TRIGGERS, code)) {
    r.error(`${headerPath}.eventCoding.code`, `event not supported: ${Object.keys(NOTIFICATION_TRIGGERS).join(' or ')}`);
    return undefined;
  }
  return system === NOTIFICATION_EVENT_SYSTEM ? { code, trigger: NOTIFICATION_TRIGGERS[code] } : undefined;
}

interface FoundEntry {
  index: number;
  resource: JsonObject;
}

/** The entry a reference points at: by `fullUrl`, else by `Type/id`. */
function resolve(reference: string | undefined, entries: readonly { item: JsonObject; index: number }[], type: string): FoundEntry | undefined {
  if (reference === undefined) return undefined;
  const relative = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  for (const { item, index } of entries) {
    const resource = objectAt(item, 'resource');
    if (resource === undefined || resource['resourceType'] !== type) continue;
    const fullUrl = stringAt(item, 'fullUrl');
    if (fullUrl === reference) return { index, resource };
    if (relative !== null && relative[1] === type && (resource['id'] === relative[2] || (fullUrl?.endsWith(`/${reference}`) ?? false))) return { index, resource };
  }
  return undefined;
}

/** The Encounter `MessageHeader.focus` points at (Da Vinci: the focus of an ADT notification is the Encounter). */
function focusedEncounter(header: JsonObject, entries: readonly { item: JsonObject; index: number }[], headerPath: string, r: Reading): FoundEntry | undefined {
  const foci = objectsAt(header, 'focus');
  for (const { item } of foci) {
    const found = resolve(stringAt(item, 'reference'), entries, 'Encounter');
    if (found !== undefined) return found;
  }
  r.error(`${headerPath}.focus`, 'must reference the Encounter of the stay, included in the Bundle');
  return undefined;
}

/** The Patient `Encounter.subject` points at. */
function subjectPatient(encounter: FoundEntry, entries: readonly { item: JsonObject; index: number }[], r: Reading): FoundEntry | undefined {
  const found = resolve(stringAt(objectAt(encounter.resource, 'subject'), 'reference'), entries, 'Patient');
  if (found === undefined) r.error(`Bundle.entry[${encounter.index}].resource.subject`, 'must reference the Patient, included in the Bundle');
  return found;
}

/** An Encounter.status that contradicts the event is noted, not refused: the event decides (as the HL7 trigger does). */
function checkStatus(encounter: JsonObject, code: NotificationEventCode, path: string, r: Reading): void {
  const status = stringAt(encounter, 'status');
  const expected = code === 'notification-discharge' ? 'finished' : 'in-progress';
  if (status !== undefined && status !== expected) r.issue(`${path}.status: ${status} for ${code}; written as ${expected}`);
}

/**
 * {@link readNotification} of a stored or received body: bytes that are not UTF-8 JSON are an
 * error on `Bundle`. The edge and the worker both read a message this way.
 */
export function readNotificationBytes(raw: Uint8Array, ctx: NotificationContext): NotificationReading {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch {
    return { event: undefined, issues: [], errors: [{ expression: 'Bundle', reason: 'the body is not JSON (UTF-8)' }], bundleId: undefined, eventCode: undefined, eventCoding: undefined };
  }
  return readNotification(json, ctx);
}
