/**
 * The signature of a delivery (SPEC §6): `X-Passerelle-Signature: t=<unix seconds>,v1=<hex>`,
 * where `v1` is the HMAC-SHA256, keyed with the subscription's secret, of `"<t>.<body>"`.
 * Receivers recompute it over the raw body, compare in constant time, and refuse a `t` too far
 * from their clock (replay protection; five minutes is usual).
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Passerelle-Signature';
export const EVENT_HEADER = 'X-Passerelle-Event';
export const DELIVERY_HEADER = 'X-Passerelle-Delivery';

/** The header value for `body` signed at `unixSeconds`. */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`, 'utf8').digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}
