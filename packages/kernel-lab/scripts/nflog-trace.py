#!/usr/bin/env python3
"""Print nfnetlink_log messages of one NFLOG group as kernel-log-like lines (part of @chainsight/kernel-lab).

Usage (inside a network namespace): nflog-trace.py SECONDS [GROUP]   (GROUP defaults to 0)

Why: legacy x_tables TRACE logs through nf_log; the syslog logger drops messages from non-initial namespaces, so
the lab binds the namespace's IPv4 logger to nfnetlink_log (/proc/sys/net/netfilter/nf_log/2) and reads group 0
here (docs/netfilter.md §legacy-trace, §lab-limits). Each message becomes one line

    <prefix>IN=.. OUT=.. [PHYSIN=..] [PHYSOUT=..] [MAC=..] SRC=.. DST=.. LEN=.. ... [MARK=0x..] HOOK=<hook> NFSEQ=<n>

The prefix is the kernel's ("TRACE: table:chain:type:num "); the rest is rebuilt from the NFLOG attributes and the
packet copy in the order nf_log_syslog.c prints them (docs/netfilter.md §legacy-log-line), which is an approximation of the
syslog text, not the text itself. HOOK and NFSEQ (global sequence number) are added by this script.
A line "# ready" is printed once the socket is bound, so the caller knows when to start sending.
Protocol constants: include/uapi/linux/netfilter/nfnetlink_log.h, nfnetlink.h, netlink.h.
"""
import select
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_ULOG = 4
MSG_PACKET = (NFNL_SUBSYS_ULOG << 8) | 0
MSG_CONFIG = (NFNL_SUBSYS_ULOG << 8) | 1
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLMSG_ERROR = 2

CFG_CMD, CFG_MODE, CFG_QTHRESH, CFG_FLAGS = 1, 2, 5, 6
CMD_BIND, CMD_PF_BIND, CMD_PF_UNBIND = 1, 3, 4
COPY_PACKET = 2
FLAG_SEQ, FLAG_SEQ_GLOBAL = 1, 2

ATTR = {1: 'HDR', 2: 'MARK', 4: 'IN', 5: 'OUT', 6: 'PHYSIN', 7: 'PHYSOUT', 9: 'PAYLOAD', 10: 'PREFIX',
        12: 'SEQ', 13: 'SEQG', 16: 'HWHEADER'}
HOOKS = {2: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
         10: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
         7: ['BR_PREROUTING', 'BR_INPUT', 'BR_FORWARD', 'BR_OUTPUT', 'BR_POSTROUTING', 'BR_BROUTING']}


def attr(kind, data):
    length = 4 + len(data)
    return struct.pack('=HH', length, kind) + data + b'\0' * (-length % 4)


def config(sock, group, payload, family=0):
    body = struct.pack('=BBH', family, 0, socket.htons(group)) + payload
    sock.send(struct.pack('=IHHII', 16 + len(body), MSG_CONFIG, NLM_F_REQUEST | NLM_F_ACK, 0, 0) + body)
    reply = sock.recv(65536)
    if len(reply) >= 20:
        _, kind, _, _, _ = struct.unpack_from('=IHHII', reply)
        err = struct.unpack_from('=i', reply, 16)[0]
        if kind == NLMSG_ERROR and err != 0:
            raise OSError(-err, 'nfnetlink_log config failed')


def ifname(index):
    try:
        return socket.if_indextoname(index)
    except OSError:
        return str(index)


def ipv4_fields(p):
    """Fields as nf_log_syslog.c dump_ipv4_packet() prints them (subset: no IP/TCP options)."""
    if len(p) < 20 or p[0] >> 4 != 4:
        return []
    ihl = (p[0] & 15) * 4
    tos, total, ident, frag, ttl, proto = p[1], *struct.unpack_from('>HHH', p, 2), p[8], p[9]
    out = ['SRC=%s' % socket.inet_ntoa(p[12:16]), 'DST=%s' % socket.inet_ntoa(p[16:20]),
           'LEN=%d' % total, 'TOS=0x%02X' % (tos & 0x1E), 'PREC=0x%02X' % (tos & 0xE0), 'TTL=%d' % ttl,
           'ID=%d' % ident]
    if frag & 0x8000:
        out.append('CE')
    if frag & 0x4000:
        out.append('DF')
    if frag & 0x2000:
        out.append('MF')
    if frag & 0x1FFF:
        out.append('FRAG:%d' % (frag & 0x1FFF))
        return out + ['PROTO=%d' % proto]
    l4 = p[ihl:]
    if proto == 6 and len(l4) >= 20:
        sport, dport, seq, ack, off, flags, window, _, urgp = struct.unpack_from('>HHIIBBHHH', l4)
        out += ['PROTO=TCP', 'SPT=%d' % sport, 'DPT=%d' % dport, 'SEQ=%d' % seq, 'ACK=%d' % ack,
                'WINDOW=%d' % window, 'RES=0x%02x' % (off & 0x0E)]
        for bit, name in ((0x80, 'CWR'), (0x40, 'ECE'), (0x20, 'URG'), (0x10, 'ACK'), (0x08, 'PSH'),
                          (0x04, 'RST'), (0x02, 'SYN'), (0x01, 'FIN')):
            if flags & bit:
                out.append(name)
        out.append('URGP=%d' % urgp)
    elif proto == 17 and len(l4) >= 8:
        sport, dport, length = struct.unpack_from('>HHH', l4)
        out += ['PROTO=UDP', 'SPT=%d' % sport, 'DPT=%d' % dport, 'LEN=%d' % length]
    elif proto == 1 and len(l4) >= 4:
        out += ['PROTO=ICMP', 'TYPE=%d' % l4[0], 'CODE=%d' % l4[1]]
        if l4[0] in (0, 8) and len(l4) >= 8:
            out += ['ID=%d' % struct.unpack_from('>H', l4, 4), 'SEQ=%d' % struct.unpack_from('>H', l4, 6)]
    else:
        out.append('PROTO=%d' % proto)
    return out


def render(family, attrs):
    hook = attrs['HDR'][2] if 'HDR' in attrs else -1
    names = HOOKS.get(family, [])
    hook_name = names[hook] if 0 <= hook < len(names) else str(hook)
    prefix = attrs.get('PREFIX', b'').rstrip(b'\0').decode(errors='replace')
    dev = {k: ifname(struct.unpack('>I', attrs[k])[0]) for k in ('IN', 'OUT', 'PHYSIN', 'PHYSOUT') if k in attrs}
    words = ['IN=%s' % dev.get('IN', ''), 'OUT=%s' % dev.get('OUT', '')]
    # nf_log_dump_packet_common(): PHYSIN/PHYSOUT only when they differ from IN/OUT.
    for k, base in (('PHYSIN', 'IN'), ('PHYSOUT', 'OUT')):
        if k in dev and dev[k] != dev.get(base):
            words.append('%s=%s' % (k, dev[k]))
    if 'IN' in dev and 'HWHEADER' in attrs:
        words.append('MAC=' + ':'.join('%02x' % b for b in attrs['HWHEADER']))
    words += ipv4_fields(attrs.get('PAYLOAD', b''))
    if 'MARK' in attrs:
        mark = struct.unpack('>I', attrs['MARK'])[0]
        if mark:
            words.append('MARK=0x%x' % mark)
    words.append('HOOK=%s' % hook_name)
    if 'SEQG' in attrs:
        words.append('NFSEQ=%d' % struct.unpack('>I', attrs['SEQG'])[0])
    return prefix + ' '.join(words)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    group = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    for family in (socket.AF_INET, socket.AF_BRIDGE):
        # Historical handshake; PF_UNBIND/PF_BIND are accepted and ignored by current kernels.
        config(sock, 0, attr(CFG_CMD, struct.pack('=B', CMD_PF_UNBIND)), family)
        config(sock, 0, attr(CFG_CMD, struct.pack('=B', CMD_PF_BIND)), family)
    config(sock, group, attr(CFG_CMD, struct.pack('=B', CMD_BIND)))
    config(sock, group, attr(CFG_MODE, struct.pack('>IBB', 0xFFFF, COPY_PACKET, 0)))
    config(sock, group, attr(CFG_QTHRESH, struct.pack('>I', 1)))
    config(sock, group, attr(CFG_FLAGS, struct.pack('>H', FLAG_SEQ | FLAG_SEQ_GLOBAL)))
    print('# ready', flush=True)
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([sock], [], [], left)
        if not ready:
            break
        buf = sock.recv(1 << 20)
        off = 0
        while off + 16 <= len(buf):
            length, kind = struct.unpack_from('=IH', buf, off)
            if length < 16:
                break
            if kind == MSG_PACKET:
                family = buf[off + 16]
                attrs = {}
                a = off + 20
                while a + 4 <= off + length:
                    alen, akind = struct.unpack_from('=HH', buf, a)
                    if alen < 4:
                        break
                    name = ATTR.get(akind & 0x7FFF)
                    if name:
                        attrs[name] = buf[a + 4:a + alen]
                    a += (alen + 3) & ~3
                print(render(family, attrs), flush=True)
            off += (length + 3) & ~3


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass
