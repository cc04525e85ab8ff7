// `ipset save` text (ipset(8), ipset 7.x: `create NAME TYPE [options]`, `add NAME ELEMENT [options]`) into sets
// with typed members. Every line that cannot be read gives a located diagnostic and reading goes on.
import type { Diagnostic } from '../ir/diagnostic';
import { spanOf, type Span } from '../ir/span';
import { scanWords } from '../lex/scan';
import type { ArgWord } from '../lex/words';
import { DiagnosticSink, type TextOrigin } from '../parse/diagnostics';
import { LineReader } from '../parse/lines';
import { parseIpv4, parseIpv6, parseMac, prefixMask } from '../registry/address';
import { ICMP_TYPES, ICMPV6_TYPES, PROTOCOLS, SERVICES } from '../registry/names';
import type { IpSet, IpSetDimension, IpSetValue } from './types';

export interface IpsetParseResult {
  sets: IpSet[];
  diagnostics: Diagnostic[];
}

const DIMENSIONS: Record<string, IpSetDimension> = { ip: 'ip', net: 'net', port: 'port', mac: 'mac', iface: 'iface', mark: 'mark', set: 'set' };

/** Whether a text is `ipset save` output: its first meaningful line creates a set. */
export function looksLikeIpsetSave(text: string): boolean {
  return /^(?:\s*#.*\n|\s*\n)*\s*create\s+\S+\s+(?:hash|bitmap|list):/.test(text);
}

class BadValue extends Error {}

function addrRange(text: string, family: 4 | 6): IpSetValue {
  const dash = text.indexOf('-');
  const parse = family === 4 ? parseIpv4 : parseIpv6;
  if (dash > 0 && !text.includes('/')) {
    const from = parse(text.slice(0, dash));
    const to = parse(text.slice(dash + 1));
    if (from === null || to === null || from > to) throw new BadValue(`'${text}' is not an IPv${family} range`);
    return { kind: 'addr', version: family, from, to, prefix: -1 };
  }
  const slash = text.indexOf('/');
  const a = parse(slash < 0 ? text : text.slice(0, slash));
  const bits = family === 4 ? 32 : 128;
  const prefix = slash < 0 ? bits : Number(text.slice(slash + 1));
  if (a === null || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) throw new BadValue(`'${text}' is not an IPv${family} address or network`);
  const mask = prefixMask(family, prefix);
  const from = a & mask;
  return { kind: 'addr', version: family, from, to: from | (~mask & ((1n << BigInt(bits)) - 1n)), prefix };
}

/** An address value widened to its network of `prefix` bits (a set's netmask). */
function masked(v: Extract<IpSetValue, { kind: 'addr' }>, prefix: number): IpSetValue {
  const bits = v.version === 4 ? 32 : 128;
  const mask = prefixMask(v.version, prefix);
  const from = v.from & mask;
  return { kind: 'addr', version: v.version, from, to: (v.to & mask) | (~mask & ((1n << BigInt(bits)) - 1n)), prefix };
}

function portNumber(text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : SERVICES.get(text);
  if (n === undefined || n > 65535) throw new BadValue(`'${text}' is not a port`);
  return n;
}

/** `[proto:]port[-port]`; a bare port is TCP (ipset(8)); ICMP types as `icmp:TYPE` or `icmp:type/code`. */
function portValue(text: string, family: 4 | 6 | null): IpSetValue {
  const colon = text.indexOf(':');
  const protoName = colon < 0 ? 'tcp' : text.slice(0, colon);
  const rest = colon < 0 ? text : text.slice(colon + 1);
  const proto = /^\d+$/.test(protoName) ? Number(protoName) : PROTOCOLS.get(protoName === 'icmpv6' ? 'ipv6-icmp' : protoName);
  if (proto === undefined) throw new BadValue(`'${protoName}' is not a protocol`);
  if (proto === 1 || proto === 58) {
    const names = proto === 1 ? ICMP_TYPES : ICMPV6_TYPES;
    const named = names.get(rest);
    const m = /^(\d+)\/(\d+)$/.exec(rest);
    const [type, code] = named ? [named[0], named[1]] : m ? [Number(m[1]), Number(m[2])] : [NaN, null];
    if (!(type! >= 0) || (family === 6 && proto === 1)) throw new BadValue(`'${text}' is not an ICMP type`);
    return code === null ? { kind: 'port', proto, from: type! * 256, to: type! * 256 + 255 } : { kind: 'port', proto, from: type! * 256 + code, to: type! * 256 + code };
  }
  const dash = rest.indexOf('-');
  const from = portNumber(dash < 0 ? rest : rest.slice(0, dash));
  const to = dash < 0 ? from : portNumber(rest.slice(dash + 1));
  if (from > to) throw new BadValue(`'${text}' is a reversed port range`);
  return { kind: 'port', proto, from, to };
}

function valueOf(dim: IpSetDimension, text: string, family: 4 | 6 | null): IpSetValue {
  switch (dim) {
    case 'ip':
    case 'net':
      return addrRange(text, family ?? 4);
    case 'port':
      return portValue(text, family);
    case 'mac': {
      const mac = parseMac(text);
      if (mac === null) throw new BadValue(`'${text}' is not a MAC address`);
      return { kind: 'mac', address: mac };
    }
    case 'iface':
      return text.startsWith('physdev:') ? { kind: 'iface', name: text.slice(8), physdev: true } : { kind: 'iface', name: text, physdev: false };
    case 'mark': {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new BadValue(`'${text}' is not a mark`);
      return { kind: 'mark', value: n };
    }
    case 'set':
      return { kind: 'set', name: text };
  }
}

/** `origin`: where `text` starts in the file (a section of a host capture). */
export function parseIpsetSave(text: string, fileName = '<ipset>', origin?: TextOrigin): IpsetParseResult {
  const sink = new DiagnosticSink(fileName, origin);
  const sets = new Map<string, IpSet>();
  const reader = new LineReader(text, sink);
  const at = (w: ArgWord): Span => w.span;
  for (let line = reader.next(); line; line = reader.next()) {
    const trimmed = line.text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const words = scanWords(line);
    if (!words) { sink.error('ipset/unterminated-quote', 'quote is not closed on this line', spanOf(line.line, 1, line.offset, line.text.length)); continue; }
    const [cmd, nameWord, third] = words;
    if (cmd!.text === 'create' || cmd!.text === '-N') {
      if (!nameWord || !third) { sink.error('ipset/missing-value', 'create needs a set name and a type', at(cmd!)); continue; }
      const [kind, dims] = third.text.split(':') as [string, string | undefined];
      const dimensions = (dims ?? '').split(',').map((d) => (Object.hasOwn(DIMENSIONS, d) ? DIMENSIONS[d] : undefined));
      if (!['hash', 'bitmap', 'list'].includes(kind) || !dims || dimensions.some((d) => d === undefined)) {
        sink.error('ipset/unknown-type', `unknown set type '${third.text}'`, at(third));
        continue;
      }
      const opts = words.slice(3).map((w) => w.text);
      const familyWord = opts[opts.indexOf('family') + 1];
      const addressed = dimensions.some((d) => d === 'ip' || d === 'net');
      const family: 4 | 6 | null = !addressed ? null : familyWord === 'inet6' ? 6 : 4;
      let range: IpSetValue | null = null;
      const rangeText = opts[opts.indexOf('range') + 1];
      if (opts.includes('range') && rangeText) {
        try {
          range = kind === 'bitmap' && dimensions[0] === 'port' ? portValue(rangeText, null) : addrRange(rangeText, 4);
        } catch (e) {
          if (!(e instanceof BadValue)) throw e;
          sink.error('ipset/bad-value', e.message, at(words[3 + opts.indexOf('range') + 1]!));
        }
      }
      // hash:ip and bitmap:ip `netmask N`: every address is kept as its /N network (ipset(8)), and `ipset save`
      // prints the network address.
      let netmask: number | undefined;
      const netmaskAt = opts.indexOf('netmask');
      if (netmaskAt >= 0) {
        const n = Number(opts[netmaskAt + 1]);
        if (Number.isInteger(n) && n >= 1 && n <= (family === 6 ? 128 : 32)) netmask = n;
        else sink.error('ipset/bad-value', `netmask '${opts[netmaskAt + 1] ?? ''}' is not a prefix length`, at(words[3 + netmaskAt + 1] ?? words[3 + netmaskAt]!));
      }
      if (opts.includes('bitmask')) sink.warning('ipset/unmodelled', `set '${nameWord.text}': its bitmask is not modelled; addresses are compared whole`, at(words[3 + opts.indexOf('bitmask')]!));
      if (sets.has(nameWord.text)) sink.warning('ipset/duplicate-set', `set '${nameWord.text}' is created twice; the second replaces the first`, at(nameWord));
      sets.set(nameWord.text, {
        name: nameWord.text, type: third.text, dimensions: dimensions as IpSetDimension[], family, range, members: [],
        span: spanOf(line.line, 1, line.offset, line.text.length), ...(netmask !== undefined ? { netmask } : {}),
      });
      continue;
    }
    if (cmd!.text === 'add' || cmd!.text === '-A') {
      if (!nameWord || !third) { sink.error('ipset/missing-value', 'add needs a set name and an element', at(cmd!)); continue; }
      const set = sets.get(nameWord.text);
      if (!set) { sink.error('ipset/unknown-set', `set '${nameWord.text}' is not created before this line`, at(nameWord)); continue; }
      const parts = third.text.split(',');
      // bitmap:ip,mac takes a member without its MAC (ipset(8): "filled out when the first packet matching the
      // element is seen"); `ipset save` prints it as the bare address until then.
      const unfilled = set.type === 'bitmap:ip,mac' && parts.length === 1;
      if (parts.length !== set.dimensions.length && !unfilled) {
        sink.error('ipset/bad-value', `'${third.text}' has ${parts.length} part(s); a ${set.type} member has ${set.dimensions.length}`, at(third));
        continue;
      }
      try {
        const values = parts.map((p, k) => {
          const v = valueOf(set.dimensions[k]!, p, set.family);
          return set.netmask !== undefined && v.kind === 'addr' && set.dimensions[k] === 'ip' ? masked(v, set.netmask) : v;
        });
        if (unfilled) values.push({ kind: 'mac', address: null });
        // bitmap:port keeps port numbers only: a member matches TCP, UDP, SCTP and UDP-Lite alike.
        if (set.type === 'bitmap:port') for (const v of values) if (v.kind === 'port' && v.proto === 6) v.proto = -1;
        set.members.push({ values, nomatch: words.slice(3).some((w) => w.text === 'nomatch'), span: spanOf(line.line, 1, line.offset, line.text.length) });
      } catch (e) {
        if (!(e instanceof BadValue)) throw e;
        sink.error('ipset/bad-value', e.message, at(third));
      }
      continue;
    }
    sink.warning('ipset/unknown-command', `'${cmd!.text}' is not a line of ipset save output (create, add); skipped`, at(cmd!));
  }
  return { sets: [...sets.values()], diagnostics: sink.items };
}
