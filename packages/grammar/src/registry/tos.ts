// TOS and DSCP names, and the `--tos` value as libxt_tos reads it: one table for the parser, the simulator
// and the packet-set engine (the `--tos` value itself is read by value-types.ts parseTos). Maps, not objects:
// the words come from input.

/** libxt_TOS.c / libxt_tos.c tos_value_names: the symbolic TOS values (matched and set with mask 0x3f). */
export const TOS_NAMES: ReadonlyMap<string, number> = new Map([
  ['minimize-delay', 0x10],
  ['maximize-throughput', 0x08],
  ['maximize-reliability', 0x04],
  ['minimize-cost', 0x02],
  ['normal-service', 0x00],
]);

/** libxt_dscp.c / dscp_helper.c class names → DSCP values. */
export const DSCP_CLASSES: ReadonlyMap<string, number> = new Map([
  ['CS0', 0], ['CS1', 8], ['CS2', 16], ['CS3', 24], ['CS4', 32], ['CS5', 40], ['CS6', 48], ['CS7', 56], ['BE', 0],
  ['AF11', 10], ['AF12', 12], ['AF13', 14], ['AF21', 18], ['AF22', 20], ['AF23', 22], ['AF31', 26], ['AF32', 28],
  ['AF33', 30], ['AF41', 34], ['AF42', 36], ['AF43', 38], ['EF', 46],
]);

/** A TOS name as iptables -L prints it (`Minimize-Delay`), case-insensitively. */
export function tosByName(name: string): number | undefined {
  return TOS_NAMES.get(name.toLowerCase());
}
