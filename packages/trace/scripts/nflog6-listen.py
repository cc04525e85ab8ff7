#!/usr/bin/env python3
"""Reads NFLOG group 0 for SECONDS and prints one JSON object per logged packet, in global sequence order:
{"seq", "prefix", "in", "out", "physin", "physout", "mark", "src", "dst", "proto", "sport", "dport", "icmptype"}.
IPv4 and IPv6 payloads. Run inside a network namespace whose nf_log for the family is bound to nfnetlink_log
(legacy TRACE lines then arrive here with their prefix; docs/netfilter.md §legacy-trace, §lab-limits)."""
import json, select, socket, struct, sys, time

NETLINK_NETFILTER, SUBSYS_ULOG = 12, 4
MSG_PACKET, MSG_CONFIG = 0, 1
REQ, ACK = 1, 4
ATTR = {1: 'HDR', 2: 'MARK', 4: 'IN', 5: 'OUT', 6: 'PHYSIN', 7: 'PHYSOUT', 9: 'PAYLOAD', 10: 'PREFIX', 13: 'SEQG'}

def attr(t, data):
    n = 4 + len(data)
    return struct.pack('=HH', n, t) + data + b'\0' * ((4 - n % 4) % 4)

def config(sock, group, attrs, pf=0):
    body = struct.pack('=BBH', pf, 0, socket.htons(group)) + attrs
    sock.send(struct.pack('=IHHII', 16 + len(body), (SUBSYS_ULOG << 8) | MSG_CONFIG, REQ | ACK, 0, 0) + body)
    sock.recv(65536)

def ifname(i):
    try:
        return socket.if_indextoname(i)
    except OSError:
        return str(i)

def payload(p):
    out = {}
    if len(p) >= 20 and p[0] >> 4 == 4:
        ihl, proto = (p[0] & 15) * 4, p[9]
        out.update(src=socket.inet_ntop(socket.AF_INET, p[12:16]), dst=socket.inet_ntop(socket.AF_INET, p[16:20]))
        l4 = p[ihl:]
    elif len(p) >= 40 and p[0] >> 4 == 6:
        proto = p[6]
        out.update(src=socket.inet_ntop(socket.AF_INET6, p[8:24]), dst=socket.inet_ntop(socket.AF_INET6, p[24:40]))
        l4 = p[40:]
    else:
        return out
    out['proto'] = proto
    if proto in (6, 17) and len(l4) >= 4:
        out['sport'], out['dport'] = struct.unpack_from('>HH', l4)
    if proto in (1, 58) and len(l4) >= 1:
        out['icmptype'] = l4[0]
    return out

def main():
    secs = float(sys.argv[1])
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.bind((0, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    for pf in (2, 10):
        config(s, 0, attr(1, struct.pack('=B', 4)), pf)
        config(s, 0, attr(1, struct.pack('=B', 3)), pf)
    config(s, 0, attr(1, struct.pack('=B', 1)))
    config(s, 0, attr(2, struct.pack('>IBB', 0xffff, 2, 0)))
    config(s, 0, attr(5, struct.pack('>I', 1)))
    config(s, 0, attr(6, struct.pack('>H', 3)))
    print('# ready', flush=True)
    rows = []
    end = time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([s], [], [], max(0, end - time.time()))
        if not r:
            break
        buf = s.recv(1 << 20)
        off = 0
        while off + 16 <= len(buf):
            length, typ = struct.unpack_from('=IH', buf, off)
            if length < 16:
                break
            if typ == (SUBSYS_ULOG << 8) | MSG_PACKET:
                a, d = off + 20, {}
                while a + 4 <= off + length:
                    al, at = struct.unpack_from('=HH', buf, a)
                    if al < 4:
                        break
                    d[ATTR.get(at & 0x7fff, at)] = buf[a + 4:a + al]
                    a += (al + 3) & ~3
                row = {'seq': struct.unpack('>I', d['SEQG'])[0] if 'SEQG' in d else -1,
                       'prefix': d.get('PREFIX', b'').rstrip(b'\0').decode()}
                for k in ('IN', 'OUT', 'PHYSIN', 'PHYSOUT'):
                    row[k.lower()] = ifname(struct.unpack('>I', d[k])[0]) if k in d else ''
                row['mark'] = struct.unpack('>I', d['MARK'])[0] if 'MARK' in d else 0
                row.update(payload(d.get('PAYLOAD', b'')))
                rows.append(row)
            off += (length + 3) & ~3
    for row in sorted(rows, key=lambda x: x['seq']):
        print(json.dumps(row), flush=True)

if __name__ == '__main__':
    main()
