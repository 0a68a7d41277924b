import socket, struct, ipaddress, os
def opt(code, data): return struct.pack('!HH', code, len(data)) + data
cid = bytes.fromhex('00010001329 94f7f020000000200'.replace(' ',''))
sid = bytes.fromhex('0001000132994e4b723d32e05d54')
addr = ipaddress.IPv6Address('2001:db8:1::abcd').packed
iaaddr = opt(5, addr + struct.pack('!II', 3000, 4000))
ia = opt(3, struct.pack('!III', 1, 0, 0) + iaaddr)
msg = bytes([9]) + os.urandom(3) + opt(1, cid) + opt(2, sid) + opt(8, b'\x00\x00') + ia
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, b'lhCc0')
s.bind(('::', 546))
ifi = socket.if_nametoindex('lhCc0')
s.sendto(msg, ('ff02::1:2', 547, 0, ifi))
s.settimeout(2)
try:
    d, a = s.recvfrom(2000); print('reply type', d[0], d.hex())
except Exception as e: print('no reply', e)
