// explain on hostile logs: names that are Object.prototype members (a table, chain, protocol or ICMP type from
// the log must never find a prototype property), lines of tens of thousands of fields, and one line wrapped over
// thousands of physical lines. Each reads without an exception and says what it could not map; the long ones
// are read in linear time (measured in bench/growth.mjs, not here).
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { describePacket, explainTrace, packetFromNft, parseKeyValues, readTraceLog, renderExplanation } from '../src/explain/index';

const RULES = parseSnapshot('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n', { fileName: 'rules' }).snapshot;
const FIELDS = 'IN=eth0 OUT= SRC=192.0.2.7 DST=192.0.2.10 LEN=60 TTL=64 ID=1 PROTO=TCP SPT=40000 DPT=22 SYN';

describe('names from the log are never looked up on Object.prototype', () => {
  it.each([
    ['a table named __proto__', `TRACE: __proto__:INPUT:rule:1 ${FIELDS}`, 0],
    ['a table named constructor', `TRACE: constructor:INPUT:policy:2 ${FIELDS}`, 0],
    ['a chain named __proto__', `TRACE: filter:__proto__:rule:1 ${FIELDS}`, 0],
    ['a chain named toString', `TRACE: filter:toString:return:1 ${FIELDS}`, 0],
    ['a chain named hasOwnProperty in nat', `TRACE: nat:hasOwnProperty:rule:1 ${FIELDS}`, 0],
    ['a protocol named constructor (the policy line itself maps)', 'TRACE: filter:INPUT:policy:2 IN=eth0 OUT= SRC=192.0.2.7 DST=192.0.2.10 LEN=60 PROTO=constructor', 1],
    ['an nft table and chain named __proto__', 'trace id 0a1b2c3d ip __proto__ __proto__ packet: iif "eth0" ip saddr 192.0.2.7 ip daddr 192.0.2.10 icmp type constructor', 0],
    ['an xtables-monitor chain named valueOf', ' TRACE: 2 0a1b2c3d filter:valueOf:rule:0x5:ACCEPT  -A valueOf -j ACCEPT', 0],
  ])('%s', (_name, line, mapped) => {
    const e = explainTrace(`${line}\n`, [RULES]);
    expect(e.stats.traceLines).toBe(1);
    expect(e.packets).toHaveLength(1);
    // A name from the log is found in the snapshot or reported as not found, never taken from the prototype.
    expect(e.stats.mapped).toBe(mapped);
    expect(renderExplanation(e)).not.toMatch(/function|\[object Object\]|native code/);
  });

  it('an nft ICMP type or code named after a prototype member stays unknown', () => {
    expect(packetFromNft('ip saddr 192.0.2.7 icmp type constructor icmp code toString')).toEqual({ src: '192.0.2.7', proto: 'icmp' });
  });

  it('a protocol named after a prototype member is printed as itself', () => {
    expect(describePacket({ proto: 'constructor', src: '192.0.2.7', dst: '192.0.2.10' })).toBe('proto constructor 192.0.2.7 → 192.0.2.10');
  });
});

describe('repeated fields get numbered suffixes, in linear time', () => {
  it.each([
    [['A=1', 'A=2', 'A=3'], [['A', '1'], ['A_2', '2'], ['A_3', '3']]],
    // A suffix already taken by a field of that name is skipped.
    [['A=1', 'A_2=x', 'A=2', 'A=3'], [['A', '1'], ['A_2', 'x'], ['A_3', '2'], ['A_4', '3']]],
    [['A=1', 'A=2', 'A_2=x', 'A=3'], [['A', '1'], ['A_2', '2'], ['A_2_2', 'x'], ['A_3', '3']]],
    [['__proto__=1', 'constructor=2', '__proto__=3'], [['__proto__', '1'], ['constructor', '2'], ['__proto___2', '3']]],
  ])('%j', (words, expected) => {
    const { fields } = parseKeyValues(words);
    expect(Object.getPrototypeOf(fields)).toBeNull();
    expect(Object.entries(fields)).toEqual(expected);
  });

  it('20,000 fields of two repeated keys', () => {
    const words = Array.from({ length: 20_000 }, (_, i) => (i % 2 ? `ID=${i}` : `MARK=${i}`));
    const { fields } = parseKeyValues(words);
    expect(Object.keys(fields)).toHaveLength(20_000);
    expect([fields.MARK, fields.MARK_2, fields.ID, fields.ID_10000]).toEqual(['0', '2', '1', '19999']);
  });
});

describe('a line wrapped over many physical lines is joined whole', () => {
  it.each([[10], [4_000]])('%i continuation lines', (n) => {
    const lines = [`kernel: [1.0] TRACE: filter:INPUT:policy:2 ${FIELDS}`];
    for (let i = 0; i < n; i++) lines.push(` MARK=0x${i.toString(16)} TTL=64`);
    const log = readTraceLog(`${lines.join('\n')}\n`);
    expect(log.lines).toHaveLength(1);
    expect(log.joined).toBe(n);
    const l = log.lines[0]!;
    expect(l.kind === 'legacy' && l.fields[`MARK_${n}`]).toBe(`0x${(n - 1).toString(16)}`);
  });

  it('a word cut in two at the break is joined without a space; a whole field after the break with one', () => {
    const cut = readTraceLog(`TRACE: filter:INPUT:policy:2 IN=eth0 OUT= SRC=192.0.2.7 DST=192.0.2.1\n0 LEN=60 TTL=64\n`).lines[0]!;
    expect(cut.kind === 'legacy' && cut.fields.DST).toBe('192.0.2.10');
    const whole = readTraceLog(`TRACE: filter:INPUT:policy:2 IN=eth0 OUT= SRC=192.0.2.7 DST=192.0.2.10\nLEN=60 TTL=64\n`).lines[0]!;
    expect(whole.kind === 'legacy' && [whole.fields.DST, whole.fields.LEN]).toEqual(['192.0.2.10', '60']);
  });
});
