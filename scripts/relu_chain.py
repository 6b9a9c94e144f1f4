#!/usr/bin/env python3
"""Writes an N-node Relu chain as .nnir and a 4-sample calibration .npy, for timing passes against graph size
(issue: a 100,000-node graph quantizes in under 10 s). Usage:
  scripts/relu_chain.py 100000 /tmp/chain.nnir /tmp/chain_calib.npy
  /usr/bin/time -v ./nncc quantize /tmp/chain.nnir --calib /tmp/chain_calib.npy -o /tmp/chain_q.nnir
"""
import random
import struct
import sys

n, nnir, npy = int(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(nnir, "w") as f:
    f.write("graph @chain {\n  input %x : f32[1,8]\n")
    prev = "x"
    for i in range(n):
        f.write(f"  node @r{i} = Relu (%{prev}) -> (%v{i} : f32[1,8])\n")
        prev = f"v{i}"
    f.write(f"  output %{prev}\n}}\n")
rng = random.Random(0)
values = [rng.gauss(0, 1) for _ in range(4 * 8)]
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 8), }"
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(npy, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
    f.write(struct.pack("<%df" % len(values), *values))
