import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { createStatusList, decodeStatusList, encodeStatusList, getBit, MIN_LIST_BITS, setBit } from '../src/status/bitstring.js';
import { MicrocredError } from '../src/errors.js';

describe('bitstring status lists', () => {
  it('round-trips a list with some bits set', async () => {
    const list = createStatusList();
    for (const i of [0, 7, 8, 23, 99_999, MIN_LIST_BITS - 1]) setBit(list, i, true);
    const encoded = await encodeStatusList(list);
    expect(encoded.startsWith('u')).toBe(true);
    expect(encoded).not.toContain('=');
    const decoded = await decodeStatusList(encoded);
    expect(decoded).toEqual(list);
    expect(getBit(decoded, 23)).toBe(true);
    expect(getBit(decoded, 24)).toBe(false);
    setBit(decoded, 23, false);
    expect(getBit(decoded, 23)).toBe(false);
  });

  it('puts bit 0 in the most significant bit of byte 0', () => {
    const list = createStatusList();
    setBit(list, 0, true);
    expect(list[0]).toBe(0x80);
    setBit(list, 7, true);
    expect(list[0]).toBe(0x81);
    setBit(list, 8, true);
    expect(list[1]).toBe(0x80);
  });

  it('reads a 1EdTech-style sample: 131,072 bits with only bit 23 set', async () => {
    const raw = new Uint8Array(MIN_LIST_BITS / 8);
    raw[2] = 0b0000_0001; // bit 23 = last bit of byte 2
    const encoded = 'u' + gzipSync(raw).toString('base64url');
    const list = await decodeStatusList(encoded);
    const set = [];
    for (let i = 0; i < MIN_LIST_BITS; i++) if (getBit(list, i)) set.push(i);
    expect(set).toEqual([23]);
  });

  it('reads legacy StatusList2021 values (no "u" prefix) only when asked', async () => {
    const raw = new Uint8Array(MIN_LIST_BITS / 8);
    raw[0] = 0x40;
    const legacy = gzipSync(raw).toString('base64');
    await expect(decodeStatusList(legacy)).rejects.toThrow(/must start with "u"/);
    const list = await decodeStatusList(legacy.replace(/\+/g, '-').replace(/\//g, '_'), { legacy: true });
    expect(getBit(list, 1)).toBe(true);
  });

  it('rejects short, malformed and non-GZIP lists with clear errors', async () => {
    const short = 'u' + gzipSync(new Uint8Array(1024)).toString('base64url');
    await expect(decodeStatusList(short)).rejects.toThrow(/8192 entries; at least 131072/);
    await expect(decodeStatusList('u!!!')).rejects.toThrow(/not base64url/);
    await expect(decodeStatusList('u' + Buffer.from('not gzip').toString('base64url'))).rejects.toThrow(/not GZIP/);
    await expect(encodeStatusList(new Uint8Array(16))).rejects.toBeInstanceOf(MicrocredError);
    expect(() => createStatusList(100)).toThrow(/at least 131072/);
    expect(() => getBit(createStatusList(), MIN_LIST_BITS)).toThrow(/outside the list/);
  });
});
