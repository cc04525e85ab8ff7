// Canonical text of option values: equal text ⇔ equal value as the kernel stores it (display names, spelling
// and quoting dropped). The building block of condition keys and rule keys.
import type { OptionEntry, OptionValue } from '@chainsight/grammar';

export function valueKey(v: OptionValue): string {
  switch (v.type) {
    case 'address': return `${v.version}:${v.address.toString(16)}/${v.mask.toString(16)}`;
    case 'address-range': return `${v.version}:${v.from.toString(16)}-${v.to.toString(16)}`;
    case 'port-range': return `${v.from}:${v.to}`;
    case 'port-list': return v.ranges.map((r) => `${r.from}:${r.to}`).join(',');
    case 'mark': return `${v.value}/${v.mask}`;
    case 'interface': return v.wildcard ? `${v.name}+` : v.name;
    case 'mac': return `${v.address.toString(16)}/${v.mask.toString(16)}`;
    case 'protocol': return String(v.number);
    case 'ethertype': return v.number === null ? 'LENGTH' : String(v.number);
    case 'icmp-type': return `${v.icmpType ?? 'any'}:${v.icmpTypeMax ?? ''}:${v.codeMin ?? ''}-${v.codeMax ?? ''}`;
    case 'tcp-flags': return `${v.mask}/${v.compare}`;
    case 'rate': return `${v.count}/${v.unitSeconds}`;
    case 'number-range': return `${v.from}:${v.to}`;
    case 'number': return String(v.value);
    case 'string': return JSON.stringify(v.value);
    case 'list': {
      const withAddresses = v as typeof v & { addresses?: { address: bigint; mask: bigint }[] };
      if (withAddresses.addresses) return withAddresses.addresses.map((a) => `${a.address.toString(16)}/${a.mask.toString(16)}`).join(',');
      return v.items.join(',');
    }
    case 'flag': return '';
    case 'nat-range': return `${v.addressFrom ?? ''}-${v.addressTo ?? ''}/${v.prefix ?? ''}:${v.portFrom ?? ''}-${v.portTo ?? ''}`;
    case 'raw': return JSON.stringify(v.words);
  }
}

/** `! key=value`: an option as the kernel sees it. */
export function optionKey(o: OptionEntry): string {
  return `${o.negated ? '!' : ''}${o.key}=${valueKey(o.value)}`;
}

/** The option as written, for messages: `! --dport 22`, `-s 10.0.0.0/8`. */
export function optionText(o: OptionEntry): string {
  return [o.negated ? '!' : '', o.spelling, ...o.words.map((w) => (/[\s"]/.test(w) || w === '' ? JSON.stringify(w) : w))]
    .filter((x) => x !== '').join(' ');
}
