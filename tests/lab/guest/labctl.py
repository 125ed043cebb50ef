#!/usr/bin/python3
"""labctl.py CMD... — one command to gadget-printer.py's control socket;
prints its answer, exits 1 unless it starts with "ok"."""
import socket
import sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect("/run/lab-printer.sock")
s.sendall((" ".join(sys.argv[1:]) + "\n").encode())
ans = s.makefile().readline().strip()
print(ans)
sys.exit(0 if ans.startswith("ok") else 1)
