"""PyTorch CPU training throughput (images/s) of the MobileNetV2-style model, float and with QAT, as one JSON line.

The PyTorch side of issue 11's "training throughput, nncc vs PyTorch on CPU, same model and batch size" ratio. Trains
MobileNetV2Fashion (scripts/train_mobilenet_v2.py) on Fashion-MNIST (/usr/share/datasets/fashion-mnist, the nncc
preprocessing x = pixel / 255) starting from the trained float weights (examples/mobilenet_v2/mobilenet_v2_state.pt),
with SGD (momentum 0.9, lr 0.01) and cross-entropy, for --warmup + --batches steps of --batch images each:

    float   the model as it is (model.train(), BatchNorm in training mode)
    qat     fuse_modules_qat (Conv+BN+ReLU6 cannot be fused in eager mode, so Conv+BN), then prepare_qat with
            FakeQuantize modules (per-channel symmetric int8 weights, uint8 activations, moving-average observers;
            the same qconfig as scripts/make_torch_qat.py and scripts/torch_qat_baseline.py) in FX graph mode, which
            handles the residual adds; --weight-bits sets the weight fake-quant range (default 8)

Only the --batches timed steps count (forward, backward, optimizer step; the batch is sliced from memory, no data
loader); the --warmup steps before them are not timed. Memory format is the default (contiguous NCHW).

Prints one JSON line, e.g.
    {"model": "mobilenet_v2", "batch": 32, "threads": 2, "batches": 20, "float_images_per_s": 310.2,
     "qat_images_per_s": 120.5, "torch": "1.13.0a0", ...}

Run from the repository root with Debian's python3 (python3-torch):
    /usr/bin/python3 scripts/torch_train_throughput.py --batch 32 --threads 2 [--batches 20] [--warmup 3]
        [--mode float|qat|both] [--flush-denormal]
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_mobilenet_v2 as tmv  # noqa: E402
from fashion_mnist import load_split, to_input  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATE = os.path.join(REPO, "examples", "mobilenet_v2", "mobilenet_v2_state.pt")


def qat_qconfig(weight_bits=8):
    """Per-channel symmetric weights in [-2^(b-1), 2^(b-1) - 1], uint8 activations; plain FakeQuantize modules."""
    from torch.ao.quantization import (FakeQuantize, MovingAverageMinMaxObserver,
                                       MovingAveragePerChannelMinMaxObserver, QConfig)
    lo, hi = -(1 << (weight_bits - 1)), (1 << (weight_bits - 1)) - 1
    act = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                 dtype=torch.quint8, reduce_range=False)
    weight = FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=lo, quant_max=hi,
                                    dtype=torch.qint8, qscheme=torch.per_channel_symmetric, ch_axis=0)
    return QConfig(activation=act, weight=weight)


def prepare_qat_model(model, example, weight_bits=8):
    """MobileNetV2Fashion prepared for QAT in FX graph mode (Conv+BN fused into QAT ConvBn modules)."""
    from torch.ao.quantization import QConfigMapping
    from torch.ao.quantization.quantize_fx import prepare_qat_fx
    torch.backends.quantized.engine = "qnnpack" if "fbgemm" not in torch.backends.quantized.supported_engines else "fbgemm"
    model.train()
    return prepare_qat_fx(model, QConfigMapping().set_global(qat_qconfig(weight_bits)), example_inputs=(example,))


def images_per_second(model, x, y, batch, batches, warmup):
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    t0 = None
    for step in range(warmup + batches):
        if step == warmup:
            t0 = time.perf_counter()
        i = (step * batch) % (len(x) - batch)
        opt.zero_grad()
        loss = F.cross_entropy(model(x[i:i + batch]), y[i:i + batch])
        loss.backward()
        opt.step()
    return batch * batches / (time.perf_counter() - t0)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batches", type=int, default=20, help="timed training steps")
    ap.add_argument("--warmup", type=int, default=3, help="untimed steps before them")
    ap.add_argument("--mode", choices=["float", "qat", "both"], default="both")
    ap.add_argument("--weight-bits", type=int, default=8)
    ap.add_argument("--flush-denormal", action="store_true",
                    help="torch.set_flush_denormal(True): subnormal floats become 0 (they can slow float training)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(args.flush_denormal)
    torch.manual_seed(0)
    images, labels = load_split("train")
    n = min(len(images), args.batch * (args.batches + args.warmup) + args.batch)
    x = torch.from_numpy(to_input(images[:n]))
    y = torch.from_numpy(labels[:n].astype(np.int64))
    result = {"model": "mobilenet_v2", "batch": args.batch, "threads": args.threads, "batches": args.batches,
              "warmup": args.warmup, "flush_denormal": args.flush_denormal}
    if args.mode in ("float", "both"):
        model = tmv.MobileNetV2Fashion()
        model.load_state_dict(torch.load(STATE))
        result["float_images_per_s"] = round(images_per_second(model, x, y, args.batch, args.batches, args.warmup), 1)
    if args.mode in ("qat", "both"):
        model = tmv.MobileNetV2Fashion()
        model.load_state_dict(torch.load(STATE))
        model = prepare_qat_model(model, x[:1], args.weight_bits)
        result["qat_images_per_s"] = round(images_per_second(model, x, y, args.batch, args.batches, args.warmup), 1)
        result["weight_bits"] = args.weight_bits
    result["torch"] = torch.__version__
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
