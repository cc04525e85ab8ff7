// Quoting as iptables-save does it (libxtables xtables_save_string): a value made only of
// [A-Za-z0-9_-] is printed bare, anything else in double quotes with `"` and `\` escaped.
const PLAIN = /^[A-Za-z0-9_-]+$/;

export function saveString(value: string): string {
  if (PLAIN.test(value)) return value;
  return '"' + value.replace(/["\\']/g, (c) => '\\' + c) + '"';
}

/** A word printed as-is unless iptables-restore would split or misread it. */
export function word(value: string, forceQuote = false): string {
  if (forceQuote || value === '' || /[\s"]/.test(value)) return '"' + value.replace(/["\\']/g, (c) => '\\' + c) + '"';
  return value;
}
