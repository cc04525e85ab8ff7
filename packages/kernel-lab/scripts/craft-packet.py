#!/usr/bin/env python3
"""Send one crafted IPv4 packet with scapy (part of @chainsight/kernel-lab; needs python3-scapy).

Usage (inside a network namespace; the kernel routes it, so no link-layer details are needed):
    craft-packet.py tcp  DST SPORT DPORT FLAGS      e.g. craft-packet.py tcp 10.0.0.2 40000 80 S
    craft-packet.py udp  DST SPORT DPORT
    craft-packet.py icmp DST TYPE [CODE]            e.g. craft-packet.py icmp 10.0.0.2 0   (unsolicited reply)
FLAGS uses scapy's letters: S SYN, A ACK, F FIN, R RST, P PSH, U URG (e.g. SA, FA, R).
Why: conntrack decides NEW/INVALID by TCP flags and ICMP types (docs/netfilter.md §ct-new); ping and nc only make
well-formed conversations.
"""
import sys

from scapy.all import ICMP, IP, TCP, UDP, Raw, conf, send  # noqa: E402

conf.verb = 0


def main(argv):
    if len(argv) < 3:
        raise SystemExit(__doc__)
    proto, dst = argv[1], argv[2]
    if proto == 'tcp':
        pkt = IP(dst=dst) / TCP(sport=int(argv[3]), dport=int(argv[4]), flags=argv[5], seq=1000)
    elif proto == 'udp':
        pkt = IP(dst=dst) / UDP(sport=int(argv[3]), dport=int(argv[4])) / Raw(b'chainsight')
    elif proto == 'icmp':
        code = int(argv[4]) if len(argv) > 4 else 0
        pkt = IP(dst=dst) / ICMP(type=int(argv[3]), code=code, id=0x1234, seq=1) / Raw(b'chainsight')
    else:
        raise SystemExit('unknown protocol %r' % proto)
    send(pkt)
    print(pkt.summary())


if __name__ == '__main__':
    main(sys.argv)
