#!/usr/bin/env python3
"""Answer one UDP datagram (part of @chainsight/kernel-lab): udp-echo.py PORT SECONDS

Prints "# ready" once bound, echoes the first datagram back to its sender, then exits (or exits after SECONDS).
Why: a UDP flow only has a reply direction if something answers; nc -u -l does not reply.
"""
import socket
import sys

port, seconds = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', port))
s.settimeout(seconds)
print('# ready', flush=True)
try:
    data, peer = s.recvfrom(65535)
    s.sendto(data, peer)
    print('echoed %d bytes to %s:%d' % (len(data), peer[0], peer[1]), flush=True)
except socket.timeout:
    pass
