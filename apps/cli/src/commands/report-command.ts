// The command line an HTML report names under its title, quoted as a POSIX shell would need it.
const SAFE = /^[\w@%+=:,./-]+$/;

const quote = (arg: string) => (SAFE.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

export function commandLine(name: string, argv: readonly string[]): string {
  return ['chainsight', name, ...argv].map(quote).join(' ');
}
