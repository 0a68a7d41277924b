import socket, sys, json
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.argv[2].encode())
buf=b''
while True:
    d=s.recv(65536)
    if not d: break
    buf+=d
print(buf.decode())
