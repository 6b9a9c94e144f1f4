#!/usr/bin/env python3
"""Writes an N-node chain as .nnir and a 4-sample calibration .npy, for timing passes against graph size
(issue: a 100,000-node graph quantizes in under 10 s). Usage:
  scripts/relu_chain.py 100000 /tmp/chain.nnir /tmp/chain_calib.npy [--rewrites]
  /usr/bin/time -v ./nncc quantize /tmp/chain.nnir --calib /tmp/chain_calib.npy -o /tmp/chain_q.nnir
Plain: N Relu nodes. With --rewrites: N/4 blocks of 1x1 Conv, BatchNormalization, Relu and Identity, so that
preparation folds every BatchNormalization, fuses every Relu and removes every Identity (3N/4 node removals)
before calibrating and lowering the N/4 convolutions.
"""
import random
import struct
import sys

n, nnir, npy = int(sys.argv[1]), sys.argv[2], sys.argv[3]
rewrites = "--rewrites" in sys.argv[4:]
rng = random.Random(0)


def floats(k, lo, hi):
    return "[" + ", ".join(f"{rng.uniform(lo, hi):.4f}" for _ in range(k)) + "]"


with open(nnir, "w") as f:
    if not rewrites:
        f.write("graph @chain {\n  input %x : f32[1,8]\n")
        prev = "x"
        for i in range(n):
            f.write(f"  node @r{i} = Relu (%{prev}) -> (%v{i} : f32[1,8])\n")
            prev = f"v{i}"
    else:
        f.write("graph @chain {\n  input %x : f32[1,8,1,1]\n")
        for i in range(n // 4):
            f.write(f"  const %w{i} : f32[8,8,1,1] = {floats(64, -0.5, 0.5)}\n")
            f.write(f"  const %g{i} : f32[8] = {floats(8, 0.5, 1.5)}\n  const %b{i} : f32[8] = {floats(8, -0.1, 0.1)}\n")
            f.write(f"  const %m{i} : f32[8] = {floats(8, -0.1, 0.1)}\n  const %s{i} : f32[8] = {floats(8, 0.5, 1.5)}\n")
        prev = "x"
        conv = "Conv {strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1}"
        for i in range(n // 4):
            t = ": f32[1,8,1,1]"
            f.write(f"  node @c{i} = {conv} (%{prev}, %w{i}) -> (%c{i} {t})\n")
            f.write(f"  node @bn{i} = BatchNormalization {{epsilon = 1.0E-5}} (%c{i}, %g{i}, %b{i}, %m{i}, %s{i}) -> (%n{i} {t})\n")
            f.write(f"  node @r{i} = Relu (%n{i}) -> (%r{i} {t})\n")
            f.write(f"  node @i{i} = Identity (%r{i}) -> (%v{i} {t})\n")
            prev = f"v{i}"
    f.write(f"  output %{prev}\n}}\n")
values = [rng.gauss(0, 1) for _ in range(4 * 8)]
shape = "(4, 8, 1, 1)" if rewrites else "(4, 8)"
header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(npy, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
    f.write(struct.pack("<%df" % len(values), *values))
