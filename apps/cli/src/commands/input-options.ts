// Input options shared by every command that reads snapshots.
import type { Family, InputFormat } from '@chainsight/grammar';
import { choice, type OptionDef, type ParsedArgs } from '../args';
import type { LoadOptions } from '../load';

export const INPUT_OPTION_DEFS: Record<string, OptionDef> = {
  'input-format': { value: true },
  family: { value: true },
  table: { value: true },
  help: { short: 'h' },
};

const FORMATS: InputFormat[] = ['iptables-save', 'ebtables-save', 'iptables-S', 'iptables-L', 'ebtables-L', 'commands'];
const FAMILIES: Family[] = ['ipv4', 'ipv6', 'bridge'];

export function loadOptions(args: ParsedArgs): LoadOptions {
  const format = args.options.has('input-format') ? choice(args, 'input-format', FORMATS, 'iptables-save') : undefined;
  const family = args.options.has('family') ? choice(args, 'family', FAMILIES, 'ipv4') : undefined;
  return { format, family, table: args.options.get('table')?.[0] };
}
