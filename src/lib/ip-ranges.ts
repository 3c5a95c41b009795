/**
 * Classifies IP addresses for the guarded fetch (internal): which ones are not ordinary public internet
 * addresses (loopback, private, link-local, unique-local, multicast, reserved …). IPv4 addresses embedded in IPv6
 * (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by the embedded IPv4 address,
 * so `::ffff:127.0.0.1` counts as loopback.
 */
import { isIPv4, isIPv6 } from 'node:net';

const V4_RANGES: [string, number, string][] = [
  ['0.0.0.0', 8, 'a "this network" address (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'a private network address (10.0.0.0/8)'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'a loopback address (127.0.0.0/8)'],
  ['169.254.0.0', 16, 'a link-local address (169.254.0.0/16)'],
  ['172.16.0.0', 12, 'a private network address (172.16.0.0/12)'],
  ['192.0.0.0', 24, 'an IETF protocol address (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'a documentation address (192.0.2.0/24)'],
  ['192.88.99.0', 24, 'a 6to4 relay address (192.88.99.0/24)'],
  ['192.168.0.0', 16, 'a private network address (192.168.0.0/16)'],
  ['198.18.0.0', 15, 'a benchmarking address (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'a documentation address (198.51.100.0/24)'],
  ['203.0.113.0', 24, 'a documentation address (203.0.113.0/24)'],
  ['224.0.0.0', 4, 'a multicast address (224.0.0.0/4)'],
  ['240.0.0.0', 4, 'a reserved address (240.0.0.0/4)'],
];

const V6_RANGES: [string, number, string][] = [
  ['::', 128, 'the unspecified address (::)'],
  ['::1', 128, 'a loopback address (::1)'],
  ['::', 96, 'an IPv4-compatible address (::/96, deprecated)'],
  ['64:ff9b:1::', 48, 'a local NAT64 address (64:ff9b:1::/48)'],
  ['100::', 64, 'a discard-only address (100::/64)'],
  ['2001::', 23, 'an IETF protocol address (2001::/23)'],
  ['2001:db8::', 32, 'a documentation address (2001:db8::/32)'],
  ['fc00::', 7, 'a unique local address (fc00::/7)'],
  ['fe80::', 10, 'a link-local address (fe80::/10)'],
  ['fec0::', 10, 'a site-local address (fec0::/10, deprecated)'],
  ['ff00::', 8, 'a multicast address (ff00::/8)'],
];

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

/** 16 bytes of an IPv6 address (zone id ignored; embedded dotted IPv4 allowed). */
export function ipv6Bytes(ip: string): Uint8Array {
  let text = ip.split('%')[0] as string;
  const out = new Uint8Array(16);
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = v4ToInt(dotted[1] as string);
    text = text.slice(0, dotted.index) + ((v4 >>> 16) & 0xffff).toString(16) + ':' + (v4 & 0xffff).toString(16);
  }
  const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const groups = [...headParts, ...new Array(8 - headParts.length - tailParts.length).fill('0'), ...tailParts];
  groups.forEach((g, i) => {
    const n = parseInt(g, 16);
    out[i * 2] = (n >> 8) & 0xff;
    out[i * 2 + 1] = n & 0xff;
  });
  return out;
}

function inV6Range(bytes: Uint8Array, base: Uint8Array, bits: number): boolean {
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((bytes[i] as number) & mask) !== ((base[i] as number) & mask)) return false;
  }
  return true;
}

function classifyV4(ip: string): string | undefined {
  const n = v4ToInt(ip);
  if (ip === '255.255.255.255') return 'the broadcast address';
  for (const [base, bits, reason] of V4_RANGES) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (((n & mask) >>> 0) === ((v4ToInt(base) & mask) >>> 0)) return reason;
  }
  return undefined;
}

const MAPPED = ipv6Bytes('::ffff:0:0');
const NAT64 = ipv6Bytes('64:ff9b::');
const SIX_TO_FOUR = ipv6Bytes('2002::');

function embeddedV4(bytes: Uint8Array, offset: number): string {
  return [0, 1, 2, 3].map((i) => bytes[offset + i]).join('.');
}

/**
 * Why an address is not a public internet address (a short phrase), or `undefined` when it is public.
 * Throws a TypeError for text that is not an IP address.
 *
 * @example
 * ```ts
 * nonPublicReason('10.1.2.3');          // 'a private network address (10.0.0.0/8)'
 * nonPublicReason('::ffff:127.0.0.1');  // 'a loopback address (127.0.0.0/8) (IPv4-mapped)'
 * nonPublicReason('93.184.216.34');     // undefined
 * ```
 */
export function nonPublicReason(ip: string): string | undefined {
  if (isIPv4(ip)) return classifyV4(ip);
  if (!isIPv6(ip)) throw new TypeError(`${JSON.stringify(ip)} is not an IP address`);
  const bytes = ipv6Bytes(ip);
  if (inV6Range(bytes, MAPPED, 96)) {
    const r = classifyV4(embeddedV4(bytes, 12));
    return r === undefined ? undefined : `${r} (IPv4-mapped)`;
  }
  if (inV6Range(bytes, NAT64, 96)) {
    const r = classifyV4(embeddedV4(bytes, 12));
    return r === undefined ? undefined : `${r} (via NAT64)`;
  }
  if (inV6Range(bytes, SIX_TO_FOUR, 16)) {
    const r = classifyV4(embeddedV4(bytes, 2));
    return r === undefined ? undefined : `${r} (via 6to4)`;
  }
  for (const [base, bits, reason] of V6_RANGES) {
    if (inV6Range(bytes, ipv6Bytes(base), bits)) return reason;
  }
  // Global unicast is 2000::/3; anything else is unassigned or special.
  if (((bytes[0] as number) & 0xe0) !== 0x20) return 'a reserved IPv6 address (outside 2000::/3)';
  return undefined;
}
