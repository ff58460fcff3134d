/**
 * The `Subscription` entry of the CapabilityStatement (R4 Subscriptions Backport): the
 * interactions `subscriptions.ts` serves, `$status`, and one
 * `capabilitystatement-subscriptiontopic-canonical` extension per topic. R4 has no
 * SubscriptionTopic resource and the backport does not require one for R4: the topics are
 * advertised here and nowhere else.
 */
import type { CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { TOPICS } from '../../mappings/subscriptions/index.js';
import { SUBSCRIPTIONS_BACKPORT } from '../../profiles/canonical.js';
import { NO_CONDITIONAL_INTERACTIONS } from './capability-flags.js';

export function subscriptionCapability(): CapabilityStatementRestResource {
  return {
    type: 'Subscription',
    extension: Object.values(TOPICS).map((topic) => ({ url: SUBSCRIPTIONS_BACKPORT.topicCanonical, valueCanonical: topic.url })),
    supportedProfile: [SUBSCRIPTIONS_BACKPORT.subscriptionProfile],
    documentation: [
      'Topic-based subscriptions (R4 Subscriptions Backport), one topic per outbound event type; scope subscriptions.manage;',
      'a client sees only its own. channel.type rest-hook, payload application/fhir+json, content id-only (default) or empty',
      '(full-resource is refused); channel.header lines are sent with each notification and never answered back;',
      'one filter criterion at most: patient=Patient/<id>. Created active (no handshake); changed by DELETE and POST, not PUT.',
    ].join(' '),
    interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }, { code: 'delete' }],
    versioning: 'no-version',
    ...NO_CONDITIONAL_INTERACTIONS,
    searchParam: [
      { name: '_id', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id', type: 'token' },
      { name: 'status', definition: 'http://hl7.org/fhir/SearchParameter/Subscription-status', type: 'token' },
      { name: 'url', definition: 'http://hl7.org/fhir/SearchParameter/Subscription-url', type: 'uri' },
    ],
    operation: [{ name: 'status', definition: SUBSCRIPTIONS_BACKPORT.statusOperation }],
  };
}
