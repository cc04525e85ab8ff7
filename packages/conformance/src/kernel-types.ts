// The shapes of what the kernel lab returns, as far as the comparison reads them. They mirror kernel-lab's
// FlowSpec / PacketInfo / PacketTrace / FlowResult structurally, narrowed to what recordings keep: the package's
// published code (simulate, compare, recordings) runs without the lab, which is not one of its dependencies; only
// src/kernel/ and the tests use the lab itself. The tests pass the lab's real results through these types, which
// keeps the two in step.
import type { Step } from './steps.js';

export type FlowProto = 'icmp' | 'tcp' | 'udp';

/** A flow as the kernel lab sends it (kernel-lab FlowSpec). */
export interface LabFlow {
  name: string;
  /** A neighbour's name, 'host', or an address. */
  from: string;
  /** A neighbour's name or an address (unknown addresses become external hosts behind the default gateway). */
  to: string;
  proto: FlowProto;
  dport?: number;
  sport?: number;
  expectReply?: boolean;
  count?: number;
  /** One crafted TCP segment with these flags (scapy letters: S, A, F, R, P, U, E, C). */
  tcpFlags?: string;
  /** One crafted ICMP message of this type. */
  icmpType?: number;
}

/** The packet as the first traced hook saw it (kernel-lab PacketInfo). */
export interface LabPacketInfo {
  iif?: string;
  oif?: string;
  saddr?: string;
  daddr?: string;
  proto?: string;
  sport?: number;
  dport?: number;
  icmpType?: string;
  /** Lower-case, comma separated (`syn,ack`). */
  tcpFlags?: string;
  mark?: string;
  ipId?: number;
}

export interface LabPacket {
  direction: 'request' | 'reply';
  packet: LabPacketInfo;
  steps: Step[];
}

/** One flow's kernel trace (kernel-lab FlowResult). */
export interface LabFlowResult {
  name: string;
  flow: LabFlow;
  /** Source address of the request packets. */
  client: string;
  /** The address the client sent to. */
  server: string;
  replied: boolean;
  packets: LabPacket[];
  /** The monitor's raw output, when kept (for failure messages). */
  rawTrace?: string;
  /** The capture's REJECT events were already put back in the kernel's order (kernel/reject-order.ts), so the
   *  packets need no mending for it. */
  rejectOrdered?: boolean;
}
