#!/usr/bin/env python3
"""Send one IPv4 packet through a raw socket (part of @chainsight/conformance; needs only python3).

Usage (inside a network namespace; the kernel routes the packet, IP_HDRINCL keeps the header as given):
    send-raw.py SRC DST tcp  SPORT DPORT FLAGS   e.g. send-raw.py 10.0.0.2 198.51.100.7 tcp 40001 80 S
    send-raw.py SRC DST udp  SPORT DPORT
    send-raw.py SRC DST icmp TYPE CODE ID
    send-raw.py SPEC -- SPEC -- ...               several packets, in order, from one process
FLAGS are letters: F FIN, S SYN, R RST, P PSH, A ACK, U URG, E ECE, C CWR.
Why not scapy (the kernel lab's craft-packet.py): importing scapy takes about half a second, and the random
differential tests send hundreds of packets; this script starts in a few milliseconds.
"""
import socket
import struct
import sys

FLAG_BITS = {'F': 0x01, 'S': 0x02, 'R': 0x04, 'P': 0x08, 'A': 0x10, 'U': 0x20, 'E': 0x40, 'C': 0x80}
PAYLOAD = b'chainsight'


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def l4(src, dst, proto, argv):
    if proto == 'icmp':
        icmp_type, code, ident = int(argv[0]), int(argv[1]), int(argv[2])
        head = struct.pack('!BBHHH', icmp_type, code, 0, ident, 1)
        return 1, head[:2] + struct.pack('!H', checksum(head + PAYLOAD)) + head[4:] + PAYLOAD
    sport, dport = int(argv[0]), int(argv[1])
    pseudo = lambda number, length: socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack('!BBH', 0, number, length)
    if proto == 'tcp':
        flags = 0
        for letter in argv[2]:
            flags |= FLAG_BITS[letter]
        ack = 1 if flags & 0x10 else 0
        # 20-byte header, no options; window 64240 as Linux would advertise.
        head = struct.pack('!HHIIBBHHH', sport, dport, 1000, ack, 5 << 4, flags, 64240, 0, 0)
        c = checksum(pseudo(6, len(head)) + head)
        return 6, head[:16] + struct.pack('!H', c) + head[18:]
    if proto == 'udp':
        length = 8 + len(PAYLOAD)
        head = struct.pack('!HHHH', sport, dport, length, 0)
        c = checksum(pseudo(17, length) + head + PAYLOAD) or 0xFFFF
        return 17, head[:6] + struct.pack('!H', c) + PAYLOAD
    raise SystemExit('unknown protocol %r' % proto)


def main(argv):
    spec = []
    for word in argv[1:] + ['--']:
        if word != '--':
            spec.append(word)
            continue
        send_one([argv[0]] + spec)
        spec = []


def send_one(argv):
    if len(argv) < 6:
        raise SystemExit(__doc__)
    src, dst, proto = argv[1], argv[2], argv[3]
    number, body = l4(src, dst, proto, argv[4:])
    total = 20 + len(body)
    # DF set, TTL 64, id 0 (the kernel fills in id and checksum for IP_HDRINCL when they are 0).
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total, 0, 0x4000, 64, number, 0, socket.inet_aton(src), socket.inet_aton(dst))
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    try:
        s.sendto(ip + body, (dst, 0))
    except PermissionError:
        # A locally sent packet that the OUTPUT path dropped: the kernel returns EPERM to the sender. It was
        # sent (and traced); that it was dropped is what the trace shows.
        print('sent %s %s > %s (dropped locally: EPERM)' % (proto, src, dst))
        return
    print('sent %s %s > %s' % (proto, src, dst))


if __name__ == '__main__':
    main(sys.argv)
