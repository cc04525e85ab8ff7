// A set of packets shown as a few readable regions: the set's disjoint cubes (paths of its BDD), each read field by
// field as a value, a prefix, a port range, a list of names or a value/mask, largest first, with a count of the
// packets in it and one witness. The unknowns are projected away first: a region is the packets for which some
// outcome of the unknown matches puts them in the set.
import { FALSE, TRUE, cubes, fieldCube, satCount, type Field } from '@chainsight/bdd';
import { formatIp, PROTOCOLS } from '@chainsight/grammar';
import { witness, type ConcretePacket } from './packet';
import { CT_STATES, PKT_TYPES, type PacketSpace } from './space';

export interface RegionField {
  /** `src`, `dst`, `proto`, `sport`, `dport`, `in`, `out`, `state`, `mark`, … */
  field: string;
  /** Readable: `10.0.0.0/8`, `1024-65535`, `tcp`, `docker0|eth0`, `0x1/0x1`, `NEW|ESTABLISHED`. */
  text: string;
}

export interface Region {
  /** The fields the region constrains; every other field is any value. */
  fields: RegionField[];
  /** Distinct (protocol, addresses, ports, devices) of the region's well-formed packets, as a decimal string. */
  count: string;
  witness: ConcretePacket;
}

export interface Regions {
  regions: Region[];
  /** More regions exist than were shown (the set's cubes beyond the limit, or beyond the cubes read). */
  truncated: boolean;
  /** Distinct (protocol, addresses, ports, devices) in the whole set, as a decimal string. */
  total: string;
}

/** How many cubes to read before picking the largest: bounded work, whatever the set. */
const CUBES_READ = 2000;

interface FieldView {
  name: string;
  field: Field;
  show: (values: bigint[] | null, lo: bigint, hi: bigint, pattern: string) => string;
}

export interface RegionOptions {
  /** Sets a witness should meet where the region allows (unprivileged source ports, a first packet …). */
  prefer?: readonly number[];
  /**
   * What every packet asked about is known to be (the hooks' entries): fields it decides are left out of the
   * regions (no `out=(none)` on every INPUT region). Default: every well-formed packet.
   */
  care?: number;
}

export function regionsOf(space: PacketSpace, set: number, limit: number, options: RegionOptions = {}): Regions {
  const { bdd, f } = space;
  const prefer = options.prefer ?? [];
  const care = space.valid(options.care ?? TRUE);
  // Project the unknowns away: a region holds a packet when some outcome of them does.
  let s = bdd.and(set, care);
  if (f.oracles) s = bdd.exists(s, fieldCube(bdd, f.oracles));
  const upTo = f.oracles ? f.oracles.first : bdd.varCount;
  // Counted over what a reader thinks of as different packets: protocol, addresses, ports and devices (the
  // metadata fields — length, TTL, marks — would multiply every count by 2^90 and say nothing).
  const counted = [f.iif, f.oif, f.proto, f.src, f.dst, f.sport, f.dport];
  const countedVars = new Set(counted.flatMap((x) => Array.from({ length: x.width }, (_, i) => x.first + i)));
  const rest: number[] = [];
  for (let i = 0; i < upTo; i++) if (!countedVars.has(i)) rest.push(i);
  const restCube = bdd.cube(rest);
  const count = (x: number) => (satCount(bdd, bdd.exists(bdd.and(x, care), restCube), 0, upTo) >> BigInt(rest.length)).toString();
  if (s === FALSE) return { regions: [], truncated: false, total: '0' };
  // Read the cubes of the simplest set that agrees with the answer on the care set: the fields the care set
  // decides (ports are 0 for UDP's ICMP type, no output device at INPUT …) drop out of the paths.
  const read = cubes(bdd, simplify(space, s, care), CUBES_READ);
  // Largest first: a cube's size is 2^(free bits); ties keep the BDD's order (low values first).
  const ranked = read.cubes.map((c, i) => ({ c, i, free: freeBits(c, upTo) })).sort((a, b) => b.free - a.free || a.i - b.i);
  const views = fieldViews(space);
  const regions: Region[] = [];
  // Read a few more cubes than shown: cubes that differ in one field only are shown as one region.
  for (const { c } of ranked) {
    if (regions.length >= Math.max(limit * 8, 64)) break;
    const cubeSet = bdd.and(s, cubeOf(space, c, upTo));
    const w = witness(space, cubeSet, prefer);
    if (!w) continue;
    const fields: RegionField[] = [];
    const inCare = bdd.and(cubeSet, care);
    for (const v of views) {
      // A field the others already decide (a port implies a first fragment) says nothing new.
      if (bdd.and(bdd.exists(inCare, fieldCube(bdd, v.field)), care) === inCare) continue;
      const text = describeField(v, c, (x) => !space.isEmpty(bdd.and(inCare, space.eq(v.field, x))));
      if (text !== null) fields.push({ field: v.name, text });
    }
    regions.push({ fields, count: count(cubeSet), witness: w, set: inCare } as Region & { set: number });
  }
  const merged = mergeRegions(regions as (Region & { set: number })[], bdd).map((r) => negate(space, { ...r, count: count(r.set) }, views, care)).sort((a, b) => (BigInt(b.count) > BigInt(a.count) ? 1 : BigInt(b.count) < BigInt(a.count) ? -1 : 0));
  return { regions: merged.slice(0, limit), truncated: read.truncated || merged.length > limit || regions.length < ranked.length, total: count(s) };
}

/**
 * Coudert and Madre's restrict: a set that equals f on every packet of the care set, usually smaller, found by
 * dropping the branches the care set excludes (a variable whose other branch is outside the care set is not
 * tested). Outside the care set the result is arbitrary, so it is only read together with the care set.
 */
function simplify(space: PacketSpace, f: number, care: number): number {
  const { bdd } = space;
  const memo = new Map<string, number>();
  const go = (f: number, c: number): number => {
    if (c === FALSE) return FALSE;
    if (c === TRUE || f === FALSE || f === TRUE) return f;
    const key = `${f},${c}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const vf = bdd.varOf(f);
    const vc = bdd.varOf(c);
    let r: number;
    if (vc < vf) r = go(f, bdd.or(bdd.low(c), bdd.high(c)));
    else {
      const [f0, f1] = [bdd.low(f), bdd.high(f)];
      const [c0, c1] = vc === vf ? [bdd.low(c), bdd.high(c)] : [c, c];
      if (c0 === FALSE) r = go(f1, c1);
      else if (c1 === FALSE) r = go(f0, c0);
      else r = bdd.mk(vf, go(f0, c0), go(f1, c1));
    }
    memo.set(key, r);
    return r;
  };
  return go(f, care);
}

/** Regions equal in every field but one become one region listing that field's texts (`state=NEW|INVALID`). */
function mergeRegions(regions: (Region & { set: number })[], bdd: PacketSpace['bdd']): (Region & { set: number })[] {
  let list = regions;
  for (let changed = true; changed; ) {
    changed = false;
    const out: (Region & { set: number })[] = [];
    for (const r of list) {
      const into = out.find((o) => differsInOne(o, r));
      if (!into) { out.push(r); continue; }
      const i = differsInOne(into, r)!;
      into.fields = into.fields.map((f) => (f.field === i ? { field: i, text: `${f.text}|${r.fields.find((x) => x.field === i)!.text}` } : f));
      into.set = bdd.or(into.set, r.set);
      changed = true;
    }
    list = out;
  }
  return list;
}

/**
 * A field listed as many values is shown as the few it excludes when that is shorter: `proto=not tcp` rather
 * than the 255 others. The excluded values are those of the field's well-formed values that no packet of the
 * region has.
 */
function negate(space: PacketSpace, r: Region & { set: number }, views: FieldView[], care: number): Region {
  const { bdd } = space;
  const fields = r.fields.map((f) => {
    if (!f.text.includes('|')) return f;
    const view = views.find((v) => v.name === f.field)!;
    const others = otherVars(space, view.field);
    const has = bdd.exists(r.set, others);
    const possible = bdd.exists(care, others);
    const missing = bdd.diff(possible, has);
    const read = cubes(bdd, missing, 5);
    if (read.truncated || !read.cubes.length) return f;
    const patterns = read.cubes.map((c) => patternOf(view.field, c));
    if (patterns.reduce((n, p) => n + 2 ** [...p].filter((x) => x === '*').length, 0) > 4) {
      // A few excluded ranges (an address prefix, a port range) read as well as a few values.
      if (patterns.length > 2) return f;
      const lo = (p: string) => BigInt('0b' + p.replaceAll('*', '0'));
      const hi = (p: string) => BigInt('0b' + p.replaceAll('*', '1'));
      return { field: f.field, text: `not ${patterns.map((p) => view.show(null, lo(p), hi(p), p)).join('|')}` };
    }
    const values = patterns.flatMap(expand);
    if (values.length >= f.text.split('|').length) return f; // the list itself is as short
    return { field: f.field, text: `not ${values.map((v) => view.show([v], v, v, v.toString(2).padStart(view.field.width, '0'))).join('|')}` };
  });
  const { set: _set, ...rest } = r;
  return { ...rest, fields };
}

function otherVars(space: PacketSpace, field: Field): number {
  const vars: number[] = [];
  for (let i = 0; i < space.bdd.varCount; i++) if (i < field.first || i >= field.first + field.width) vars.push(i);
  return space.bdd.cube(vars);
}

function patternOf(field: Field, c: Int8Array): string {
  let p = '';
  for (let i = 0; i < field.width; i++) p += c[field.first + i] === -1 ? '*' : String(c[field.first + i]);
  return p;
}

/** The one field two regions differ in (both constrain it), or null. */
function differsInOne(a: Region, b: Region): string | null {
  if (a.fields.length !== b.fields.length) return null;
  let diff: string | null = null;
  for (let i = 0; i < a.fields.length; i++) {
    const x = a.fields[i]!;
    const y = b.fields[i]!;
    if (x.field !== y.field) return null;
    if (x.text === y.text) continue;
    if (diff !== null) return null;
    diff = x.field;
  }
  return diff;
}

function freeBits(c: Int8Array, upTo: number): number {
  let n = 0;
  for (let i = 0; i < upTo; i++) if (c[i] === -1) n++;
  return n;
}

function cubeOf(space: PacketSpace, c: Int8Array, upTo: number): number {
  const lits: [number, 0 | 1][] = [];
  for (let i = 0; i < upTo; i++) if (c[i] !== -1) lits.push([i, c[i] as 0 | 1]);
  return space.bdd.literals(lits);
}

/** One field of a cube: null when every bit is free (any value). */
function describeField(v: FieldView, c: Int8Array, present: (value: bigint) => boolean): string | null {
  const { first, width } = v.field;
  let pattern = '';
  for (let i = 0; i < width; i++) pattern += c[first + i] === -1 ? '*' : String(c[first + i]);
  if (!pattern.includes('0') && !pattern.includes('1')) return null;
  const lo = BigInt('0b' + pattern.replaceAll('*', '0'));
  const hi = BigInt('0b' + pattern.replaceAll('*', '1'));
  const free = [...pattern].filter((x) => x === '*').length;
  // Small enumerations are listed; wide ones are ranges (a prefix pattern) or value/mask.
  // (Listed values are those the region really holds: the cube may span encodings outside the care set.)
  const values: bigint[] | null = free <= 4 ? expand(pattern).filter(present) : null;
  return v.show(values, lo, hi, pattern);
}

function expand(pattern: string): bigint[] {
  let out = [''];
  for (const ch of pattern) out = ch === '*' ? out.flatMap((p) => [p + '0', p + '1']) : out.map((p) => p + ch);
  return out.map((p) => BigInt('0b' + p));
}

const isPrefixPattern = (p: string) => /^[01]*\**$/.test(p);

function valueMask(pattern: string, hex = true): string {
  const value = BigInt('0b' + pattern.replaceAll('*', '0'));
  const mask = BigInt('0b' + pattern.replace(/[01]/g, '1').replaceAll('*', '0'));
  return hex ? `0x${value.toString(16)}/0x${mask.toString(16)}` : `${value}/${mask}`;
}

function fieldViews(space: PacketSpace): FieldView[] {
  const { f, devices } = space;
  const version = space.family === 'ipv4' ? 4 : 6;
  const names = (label: (i: number) => string) => (values: bigint[] | null, _lo: bigint, _hi: bigint, pattern: string) =>
    values ? values.map((v) => label(Number(v))).filter((x) => x !== null).join('|') : valueMask(pattern);
  const numbers = (values: bigint[] | null, lo: bigint, hi: bigint, pattern: string) =>
    values && values.length <= 2 ? values.join('|') : isPrefixPattern(pattern) ? `${lo}-${hi}` : valueMask(pattern, false);
  const hexes = (values: bigint[] | null, lo: bigint, hi: bigint, pattern: string) =>
    lo === hi ? `0x${lo.toString(16)}` : valueMask(pattern);
  const address = (_v: bigint[] | null, lo: bigint, _hi: bigint, pattern: string) => {
    if (isPrefixPattern(pattern)) return `${formatIp(version, lo)}/${pattern.indexOf('*') === -1 ? pattern.length : pattern.indexOf('*')}`;
    const mask = BigInt('0b' + pattern.replace(/[01]/g, '1').replaceAll('*', '0'));
    return `${formatIp(version, lo)}/${formatIp(version, mask)}`;
  };
  const device = (i: number) => {
    const c = devices.classes[i];
    if (!c) return `class ${i}`;
    return c.kind === 'none' ? '(none)' : c.kind === 'other' ? '(any other name)' : c.label;
  };
  const protoName = (n: number) => {
    for (const [name, num] of PROTOCOLS) if (num === n && name !== 'all' && name !== 'ip') return name;
    return String(n);
  };
  return [
    { name: 'in', field: f.iif, show: names(device) },
    { name: 'out', field: f.oif, show: names(device) },
    { name: 'proto', field: f.proto, show: names(protoName) },
    { name: 'fragment', field: f.frag, show: (v) => (v && v[0] === 1n ? 'later fragment' : 'first fragment') },
    { name: 'src', field: f.src, show: address },
    { name: 'sport', field: f.sport, show: numbers },
    { name: 'dst', field: f.dst, show: address },
    { name: 'dport', field: f.dport, show: numbers },
    { name: 'icmp-type', field: f.icmpType, show: numbers },
    { name: 'icmp-code', field: f.icmpCode, show: numbers },
    { name: 'tcp-flags', field: f.tcpFlags, show: hexes },
    { name: 'state', field: f.ctState, show: names((i) => CT_STATES[i] ?? `state ${i}`) },
    { name: 'direction', field: f.ctReply, show: (v) => (v && v[0] === 1n ? 'REPLY' : 'ORIGINAL') },
    { name: 'snat', field: f.ctSnat, show: (v) => (v && v[0] === 1n ? 'yes' : 'no') },
    { name: 'dnat', field: f.ctDnat, show: (v) => (v && v[0] === 1n ? 'yes' : 'no') },
    { name: 'mark', field: f.mark, show: hexes },
    { name: 'ctmark', field: f.ctMark, show: hexes },
    { name: 'pkttype', field: f.pktType, show: names((i) => PKT_TYPES[i] ?? String(i)) },
    { name: 'length', field: f.length, show: numbers },
    { name: 'ttl', field: f.ttl, show: numbers },
    { name: 'tos', field: f.tos, show: hexes },
  ];
}
