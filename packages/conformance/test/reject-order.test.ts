// The REJECT event of an nf_tables trace comes after the events of the answer the REJECT sent; the random lab
// puts it back before normalising. Checked on a capture of the kernel (random case 20 of seed 1: b1 sends UDP to
// the gateway, `-A FORWARD -j REJECT --reject-with icmp-host-prohibited`).
import { parseXtablesMonitorTrace, type TraceEvent } from '@chainsight/kernel-lab';
import { describe, expect, it } from 'vitest';
import { reorderRejectEvents } from '../src/kernel/reject-order';

const CAPTURE = `PACKET: 2 ee797069 IN=br0 MACSRC=2:0:a:0:0:2 MACDST=2:0:a:0:0:1 MACPROTO=0800 SRC=10.0.0.2 DST=198.51.100.254 LEN=38 TOS=0x0 TTL=64 ID=0 DF SPORT=41006 DPORT=80
 TRACE: 2 ee797069 raw:PREROUTING:rule:0x7:CONTINUE  -4 -t raw -A PREROUTING -p udp -j TRACE
 TRACE: 2 ee797069 raw:PREROUTING:policy:ACCEPT
PACKET: 2 ee797069 IN=br0 MACSRC=2:0:a:0:0:2 MACDST=2:0:a:0:0:1 MACPROTO=0800 SRC=10.0.0.2 DST=198.51.100.254 LEN=38 TOS=0x0 TTL=64 ID=0 DF SPORT=41006 DPORT=80
 TRACE: 2 ee797069 nat:PREROUTING:policy:ACCEPT
PACKET: 2 be36a94f OUT=br0 SRC=10.0.0.1 DST=10.0.0.2 LEN=66 TOS=0xc0 TTL=64 ID=26296
 TRACE: 2 be36a94f raw:OUTPUT:rule:0x4:CONTINUE  -4 -t raw -A OUTPUT -p icmp -j TRACE
 TRACE: 2 be36a94f raw:OUTPUT:policy:ACCEPT
PACKET: 2 be36a94f OUT=br0 SRC=10.0.0.1 DST=10.0.0.2 LEN=66 TOS=0xc0 TTL=64 ID=26296
 TRACE: 2 be36a94f filter:OUTPUT:policy:ACCEPT
PACKET: 2 a8be0894 IN=br0 OUT=eth0 MACSRC=2:0:a:0:0:2 MACDST=2:0:a:0:0:1 MACPROTO=0800 SRC=10.0.0.2 DST=198.51.100.254 LEN=38 TOS=0x0 TTL=63 ID=0 DF SPORT=41006 DPORT=80
 TRACE: 2 a8be0894 filter:FORWARD:rule:0x7:DROP  -4 -t filter -A FORWARD -j REJECT --reject-with icmp-host-prohibited
`;

/** `id table:chain` of each TRACE event, PACKET lines as `id PACKET`. */
const order = (events: TraceEvent[]) =>
  events.map((e) => (e.format === 'xtables-monitor' ? `${e.id} ${e.table}:${e.chain}` : e.format === 'xtables-monitor-packet' ? `${e.id} PACKET` : e.format));

describe('reorderRejectEvents', () => {
  it('moves the REJECT event (and its PACKET line) in front of the answer, even though its trace id changed on the way from the bridge', () => {
    expect(order(reorderRejectEvents(parseXtablesMonitorTrace(CAPTURE)))).toEqual([
      'ee797069 PACKET',
      'ee797069 raw:PREROUTING',
      'ee797069 raw:PREROUTING',
      'ee797069 PACKET',
      'ee797069 nat:PREROUTING',
      'a8be0894 PACKET',
      'a8be0894 filter:FORWARD',
      'be36a94f PACKET',
      'be36a94f raw:OUTPUT',
      'be36a94f raw:OUTPUT',
      'be36a94f PACKET',
      'be36a94f filter:OUTPUT',
    ]);
  });

  it('a REJECT in OUTPUT (locally sent packet, no input device): back to the events of its own trace id', () => {
    const text = [
      'PACKET: 2 0000000a OUT=eth0 SRC=192.0.2.10 DST=192.0.2.77 LEN=38 TOS=0x0 TTL=64 ID=1 SPORT=40000 DPORT=9999',
      ' TRACE: 2 0000000a raw:OUTPUT:policy:ACCEPT',
      'PACKET: 2 0000000b OUT=lo SRC=192.0.2.10 DST=192.0.2.10 LEN=66 TOS=0xc0 TTL=64 ID=2',
      ' TRACE: 2 0000000b raw:OUTPUT:policy:ACCEPT',
      'PACKET: 2 0000000c IN=lo SRC=192.0.2.10 DST=192.0.2.10 LEN=66 TOS=0xc0 TTL=64 ID=2',
      ' TRACE: 2 0000000c filter:INPUT:policy:ACCEPT',
      ' TRACE: 2 0000000a filter:OUTPUT:rule:0x9:DROP  -4 -t filter -A OUTPUT -p udp -j REJECT --reject-with icmp-port-unreachable',
      '',
    ].join('\n');
    expect(order(reorderRejectEvents(parseXtablesMonitorTrace(text)))).toEqual([
      '0000000a PACKET',
      '0000000a raw:OUTPUT',
      '0000000a filter:OUTPUT',
      '0000000b PACKET',
      '0000000b raw:OUTPUT',
      '0000000c PACKET',
      '0000000c filter:INPUT',
    ]);
  });

  it('leaves a trace alone when the REJECT event is already in place, and DROP rules that are not REJECT', () => {
    const text = [
      'PACKET: 2 0000000a IN=eth0 SRC=192.0.2.77 DST=192.0.2.10 LEN=40 TOS=0x0 TTL=64 ID=1 SPORT=40000 DPORT=25',
      ' TRACE: 2 0000000a filter:INPUT:rule:0x3:DROP  -4 -t filter -A INPUT -p tcp -j REJECT --reject-with tcp-reset',
      'PACKET: 2 0000000b IN=eth0 SRC=192.0.2.78 DST=192.0.2.10 LEN=40 TOS=0x0 TTL=64 ID=1 SPORT=40001 DPORT=25',
      ' TRACE: 2 0000000b filter:INPUT:rule:0x4:DROP  -4 -t filter -A INPUT -j DROP',
      '',
    ].join('\n');
    const events = parseXtablesMonitorTrace(text);
    expect(order(reorderRejectEvents(events))).toEqual(order(events));
  });
});
