"""PyTorch quantization-aware training of the MobileNetV2-style model at 4-bit weights: the baseline for `nncc qat`.

Issue 11's acceptance asks for float, post-training and QAT top-1 of the MobileNetV2-style Fashion-MNIST model with
4-bit weights after one QAT epoch over the 60,000 training images. This script measures the same three numbers with
PyTorch, so notes can put nncc's QAT beside PyTorch's:

    float  the trained float model (examples/mobilenet_v2/mobilenet_v2_state.pt, scripts/train_mobilenet_v2.py)
    ptq    the same model prepared for QAT (FX graph mode, prepare_qat_fx: Conv+BN fused into QAT ConvBn modules,
           fake-quant on the BatchNorm-scaled weights), observers calibrated on examples/fashion_mnist/calib.npy
           (256 training images, one batch, BatchNorm statistics not updated), then evaluated as is
    qat    the PTQ model after one epoch of training (60,000 images, batch 64, random order, seed SEED) with
           fake-quant on: SGD momentum 0.9, cosine learning rate from LR to 0, BatchNorm statistics frozen after
           FREEZE_BN of the epoch and observers after FREEZE_OBSERVERS (Krishnamoorthi 2018's recipe)

qconfig (scripts/torch_train_throughput.py's qat_qconfig): weights per-channel symmetric fake-quant in -8..7
(quant_min/quant_max, 4 bits; MovingAveragePerChannelMinMaxObserver), activations uint8 0..255
(MovingAverageMinMaxObserver). All three numbers are top-1 on the 10,000 t10k images of the fake-quant (simulated)
model in eval mode, i.e. what the integer model computes up to rounding; PyTorch's convert has no 4-bit kernels.

Writes examples/qat_baseline.json and prints one JSON line. Run from the repository root with Debian's python3
(python3-torch); one epoch takes about 10 minutes on 2 free cores (much longer on a loaded machine), so run it in
the background:

    nice /usr/bin/python3 scripts/torch_qat_baseline.py [--weight-bits 4] [--epochs 1] [--out FILE]
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch.ao.quantization import disable_observer, enable_observer
from torch.nn.intrinsic.qat import freeze_bn_stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_mobilenet_v2 as tmv  # noqa: E402
from fashion_mnist import load_split, to_input  # noqa: E402
from torch_train_throughput import prepare_qat_model  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATE = os.path.join(REPO, "examples", "mobilenet_v2", "mobilenet_v2_state.pt")
CALIB = os.path.join(REPO, "examples", "fashion_mnist", "calib.npy")
OUT = os.path.join(REPO, "examples", "qat_baseline.json")
SEED = 20261206
BATCH = 64
LR = 0.005
FREEZE_BN = 0.6
FREEZE_OBSERVERS = 0.8


def top1(model, x, y, batch=500):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += int((model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct / len(x)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weight-bits", type=int, default=4)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    t0 = time.time()
    tr_img, tr_lab = load_split("train")
    te_img, te_lab = load_split("t10k")
    x_train, y_train = torch.from_numpy(to_input(tr_img)), torch.from_numpy(tr_lab.astype(np.int64))
    x_test, y_test = torch.from_numpy(to_input(te_img)), torch.from_numpy(te_lab.astype(np.int64))
    calib = torch.from_numpy(np.load(CALIB))

    model = tmv.MobileNetV2Fashion()
    model.load_state_dict(torch.load(STATE))
    result = {"model": "mobilenet_v2", "weight_bits": args.weight_bits, "activation_bits": 8,
              "float": top1(model, x_test, y_test)}
    print("float top-1 %.4f (%.0fs)" % (result["float"], time.time() - t0), flush=True)

    qat = prepare_qat_model(model, calib[:1], args.weight_bits)
    qat.eval()                      # calibration: observers on, BatchNorm statistics untouched
    with torch.no_grad():
        qat(calib)
    qat.apply(disable_observer)
    result["ptq"] = top1(qat, x_test, y_test)
    print("post-training (fake-quant, calibrated on calib.npy) top-1 %.4f (%.0fs)" % (result["ptq"], time.time() - t0),
          flush=True)

    qat.apply(enable_observer)
    opt = torch.optim.SGD(qat.parameters(), lr=LR, momentum=0.9)
    steps = args.epochs * ((len(x_train) + BATCH - 1) // BATCH)
    gen = torch.Generator().manual_seed(SEED)
    step = 0
    for epoch in range(args.epochs):
        qat.train()
        perm = torch.randperm(len(x_train), generator=gen)
        total = 0.0
        for i in range(0, len(x_train), BATCH):
            if step == int(FREEZE_BN * steps):
                qat.apply(freeze_bn_stats)
            if step == int(FREEZE_OBSERVERS * steps):
                qat.apply(disable_observer)
            for group in opt.param_groups:
                group["lr"] = 0.5 * LR * (1 + math.cos(math.pi * step / steps))
            idx = perm[i:i + BATCH]
            opt.zero_grad()
            loss = F.cross_entropy(qat(x_train[idx]), y_train[idx])
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
            step += 1
            if step % 100 == 0:
                print("  step %d/%d  loss %.4f  (%.0fs)" % (step, steps, float(loss), time.time() - t0), flush=True)
        print("epoch %d: mean loss %.4f" % (epoch + 1, total / len(x_train)), flush=True)
    qat.apply(disable_observer)
    result["qat"] = top1(qat, x_test, y_test)
    result.update({"qat_epochs": args.epochs, "batch": BATCH, "lr": LR, "optimizer": "SGD momentum 0.9, cosine",
                   "freeze_bn_at": FREEZE_BN, "freeze_observers_at": FREEZE_OBSERVERS, "test_images": len(x_test),
                   "torch": torch.__version__, "seconds": round(time.time() - t0)})
    print("QAT top-1 %.4f (%.0fs)" % (result["qat"], time.time() - t0), flush=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
