// What SET targets did to the host's ipsets while packets were traced (xt_set.c set_target_v3(): ip_set_add()
// and ip_set_del()). The sets read from `ipset save` are never modified: every traced path carries its own
// changes, the answer a REJECT sends sees those of the packet it answers, and the later packets of a
// conversation see what the earlier ones changed.
import type { IpSet, IpSetMember } from '@chainsight/grammar';

export class SetChanges {
  private readonly bySet: Map<string, IpSetMember[]>;

  constructor(from?: SetChanges) {
    this.bySet = new Map(from ? [...from.bySet].map(([k, v]) => [k, v.slice()]) : []);
  }

  /** The members of `set` as the changes so far left them. */
  members(set: IpSet): readonly IpSetMember[] {
    return this.bySet.get(set.name) ?? set.members;
  }

  replace(set: IpSet, members: IpSetMember[]): void {
    this.bySet.set(set.name, members);
  }
}
