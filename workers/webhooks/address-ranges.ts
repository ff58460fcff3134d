/**
 * Which IP addresses a webhook may never reach (SPEC §6): the machine itself, the private
 * networks behind it and the cloud metadata services. Pure: parses the address text to bytes and
 * matches it against CIDR ranges, so IPv4 addresses hidden inside IPv6 forms (`::ffff:127.0.0.1`,
 * `::ffff:7f00:1`, NAT64, 6to4) are judged by the IPv4 address they carry.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Why an address is refused; `public` is the one allowed class. */
export type AddressClass =
  | 'public'
  | 'cloud metadata'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared address space (CGNAT)'
  | 'link-local'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'tunnel (Teredo)'
  | 'not an IP address';

interface Range {
  bytes: number[];
  bits: number;
  class: Exclude<AddressClass, 'public' | 'not an IP address'>;
}

function v4(cidr: string, cls: Range['class']): Range {
  const [addr = '', bits = '32'] = cidr.split('/');
  return { bytes: addr.split('.').map(Number), bits: Number(bits), class: cls };
}

function v6(cidr: string, cls: Range['class']): Range {
  const [addr = '', bits = '128'] = cidr.split('/');
  return { bytes: parseIPv6(addr) ?? [], bits: Number(bits), class: cls };
}

/** First match wins: the narrow metadata ranges come before the ranges that contain them. */
const IPV4_RANGES: readonly Range[] = [
  v4('169.254.169.254/32', 'cloud metadata'), // AWS, GCP, Azure, OpenStack…
  v4('100.100.100.200/32', 'cloud metadata'), // Alibaba Cloud
  v4('192.0.0.192/32', 'cloud metadata'), // Oracle Cloud
  v4('0.0.0.0/8', 'unspecified'),
  v4('127.0.0.0/8', 'loopback'),
  v4('10.0.0.0/8', 'private'),
  v4('172.16.0.0/12', 'private'),
  v4('192.168.0.0/16', 'private'),
  v4('100.64.0.0/10', 'shared address space (CGNAT)'),
  v4('169.254.0.0/16', 'link-local'),
  v4('192.0.0.0/24', 'reserved'), // IETF protocol assignments
  v4('198.18.0.0/15', 'reserved'), // benchmarking
  v4('224.0.0.0/4', 'multicast'),
  v4('255.255.255.255/32', 'broadcast'),
  v4('240.0.0.0/4', 'reserved'),
];

const IPV6_RANGES: readonly Range[] = [
  v6('fd00:ec2::254/128', 'cloud metadata'), // AWS over IPv6
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('64:ff9b:1::/48', 'private'), // local-use NAT64
  v6('2001::/32', 'tunnel (Teredo)'), // the IPv4 inside is obfuscated: refuse the whole range
  v6('100::/64', 'reserved'), // discard-only
  v6('fc00::/7', 'private'), // unique local
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'private'), // deprecated site-local
  v6('ff00::/8', 'multicast'),
];

/** IPv6 forms that carry an IPv4 address, and where. */
const EMBEDDED_IPV4: readonly { prefix: Range; offset: number }[] = [
  { prefix: v6('::ffff:0:0/96', 'reserved'), offset: 12 }, // IPv4-mapped
  { prefix: v6('64:ff9b::/96', 'reserved'), offset: 12 }, // NAT64 well-known prefix
  { prefix: v6('::/96', 'reserved'), offset: 12 }, // IPv4-compatible (deprecated)
  { prefix: v6('2002::/16', 'reserved'), offset: 2 }, // 6to4
];

/** Classifies an IPv4 or IPv6 address (zone id allowed: `fe80::1%eth0`). */
export function classifyAddress(address: string): AddressClass {
  const text = address.replace(/%.*$/, '');
  if (isIPv4(text)) return classifyV4(text.split('.').map(Number));
  if (!isIPv6(text)) return 'not an IP address';
  const bytes = parseIPv6(text);
  if (!bytes) return 'not an IP address';
  // `::` and `::1` also fall in the IPv4-compatible range: judge them as IPv6 first.
  const direct = IPV6_RANGES.find((r) => matches(bytes, r));
  if (direct) return direct.class;
  const embedded = EMBEDDED_IPV4.find((e) => matches(bytes, e.prefix));
  if (embedded) return classifyV4(bytes.slice(embedded.offset, embedded.offset + 4));
  return 'public';
}

/** True for addresses a webhook may reach without `ALLOW_PRIVATE_WEBHOOKS`. */
export function isPublicAddress(address: string): boolean {
  return classifyAddress(address) === 'public';
}

function classifyV4(bytes: number[]): AddressClass {
  return IPV4_RANGES.find((r) => matches(bytes, r))?.class ?? 'public';
}

function matches(bytes: readonly number[], range: Range): boolean {
  if (bytes.length !== range.bytes.length) return false;
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((range.bytes[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** 16 bytes of an IPv6 address (with `::` and a trailing dotted quad), or undefined. */
function parseIPv6(text: string): number[] | undefined {
  let groups: string[];
  let tail: number[] = [];
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  let head = text;
  if (dotted?.[1]) {
    if (!isIPv4(dotted[1])) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split('.').map(Number);
    tail = [a, b, c, d];
    head = text.slice(0, -dotted[1].length);
    // `::ffff:1.2.3.4` leaves `::ffff:`; `::1.2.3.4` leaves `::`.
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): string[] => (part ? part.split(':') : []);
  const left = parse(halves[0]);
  const right = parse(halves[1]);
  const wanted = 8 - tail.length / 2;
  if (halves.length === 2) {
    const missing = wanted - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...Array<string>(missing).fill('0'), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== wanted) return undefined;
  const bytes: number[] = [];
  for (const group of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    const value = parseInt(group, 16);
    bytes.push(value >> 8, value & 0xff);
  }
  return [...bytes, ...tail];
}
