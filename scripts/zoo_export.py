"""Export torchvision architectures as ONNX models for nncc's model-zoo run (scripts/zoo).

For each architecture NAME (random weights, BatchNorm running statistics warmed on random images, so
BatchNorm is not an identity), writes into OUT_DIR:
    NAME.onnx        float32, input "input" [N,3,S,S] with a symbolic batch N, output "output", opset 13
    NAME.input.npy   float32 [4,3,S,S] evaluation input (for float vs ONNX Runtime and int8 vs float)
    NAME.calib.npy   float32 [16,3,S,S] calibration input
    NAME.f64.npy     torch's output in float64 on the evaluation input (the float reference), and
    NAME.torch32.npy torch's own float32 output on it (how far a float32 engine lands from float64)
Existing files are kept unless --force is given, so reruns only export what is missing.

Usage (Debian python3-torchvision, python3-onnx; run with /usr/bin/python3):
    /usr/bin/python3 scripts/zoo_export.py OUT_DIR [--size 96] [--only a,b] [--force] [--list]
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torchvision.models as tvm

SEED = 2024

# name -> constructor (random weights; torchvision's own initialization)
ARCHITECTURES = {
    "resnet18": lambda: tvm.resnet18(),
    "resnet50": lambda: tvm.resnet50(),
    "resnext50_32x4d": lambda: tvm.resnext50_32x4d(),
    "mobilenet_v2": lambda: tvm.mobilenet_v2(),
    "mobilenet_v3_large": lambda: tvm.mobilenet_v3_large(),
    "efficientnet_b0": lambda: tvm.efficientnet_b0(),
    "efficientnet_v2_s": lambda: tvm.efficientnet_v2_s(),
    "mnasnet1_0": lambda: tvm.mnasnet1_0(),
    "regnet_x_400mf": lambda: tvm.regnet_x_400mf(),
    "regnet_y_400mf": lambda: tvm.regnet_y_400mf(),
    "googlenet": lambda: tvm.googlenet(aux_logits=False, init_weights=True),
    "densenet121": lambda: tvm.densenet121(),
    "squeezenet1_1": lambda: tvm.squeezenet1_1(),
    "shufflenet_v2_x0_5": lambda: tvm.shufflenet_v2_x0_5(),
    "shufflenet_v2_x1_0": lambda: tvm.shufflenet_v2_x1_0(),
    "convnext_tiny": lambda: tvm.convnext_tiny(),
}


def warm_batchnorm(model, size, gen):
    """Run random batches in training mode so every BatchNorm's running mean and variance are real statistics."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the warm-up batches
    model.train()
    with torch.no_grad():
        for _ in range(4):
            model(torch.randn(8, 3, size, size, generator=gen))
    model.eval()


def model_of(name, size):
    """The architecture with the zoo's seeded random weights and warmed BatchNorm statistics."""
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = ARCHITECTURES[name]()
    warm_batchnorm(model, size, gen)
    return model


def references(model, x, out_dir, name):
    """torch's float64 and float32 outputs on x (the float criterion's reference and torch's own float32 error)."""
    with torch.no_grad():
        y32 = model.float()(x).numpy()
        y64 = model.double()(x.double()).numpy()
    model.float()
    np.save(os.path.join(out_dir, name + ".torch32.npy"), y32)
    np.save(os.path.join(out_dir, name + ".f64.npy"), y64)


def export(name, out_dir, size, force):
    path = os.path.join(out_dir, name + ".onnx")
    if os.path.exists(path) and not force:
        if not os.path.exists(os.path.join(out_dir, name + ".f64.npy")):  # an export from before the references
            references(model_of(name, size), torch.from_numpy(np.load(os.path.join(out_dir, name + ".input.npy"))), out_dir, name)
        print(f"{name}: kept {path}", flush=True)
        return
    model = model_of(name, size)
    gen = torch.Generator().manual_seed(SEED)
    for _ in range(4):  # the generator's state after warm_batchnorm's four batches
        torch.randn(8, 3, size, size, generator=gen)
    x = torch.randn(4, 3, size, size, generator=gen)
    calib = torch.randn(16, 3, size, size, generator=gen)
    tmp = path + ".tmp"
    torch.onnx.export(model, x[:1], tmp, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, do_constant_folding=True)
    np.save(os.path.join(out_dir, name + ".input.npy"), x.numpy())
    np.save(os.path.join(out_dir, name + ".calib.npy"), calib.numpy())
    references(model, x, out_dir, name)
    os.replace(tmp, path)
    print(f"{name}: wrote {path} ({os.path.getsize(path) // 1024} KB)", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir", nargs="?")
    p.add_argument("--size", type=int, default=96)
    p.add_argument("--only", default="")
    p.add_argument("--force", action="store_true")
    p.add_argument("--list", action="store_true", help="print the architecture names and exit")
    a = p.parse_args()
    if a.list:
        print("\n".join(ARCHITECTURES))
        return
    if not a.out_dir:
        p.error("OUT_DIR is required")
    names = [n for n in a.only.split(",") if n] or list(ARCHITECTURES)
    unknown = [n for n in names if n not in ARCHITECTURES]
    if unknown:
        sys.exit(f"zoo_export.py: unknown architecture(s) {', '.join(unknown)}; known: {', '.join(ARCHITECTURES)}")
    os.makedirs(a.out_dir, exist_ok=True)
    torch.set_num_threads(1)
    for n in names:
        export(n, a.out_dir, a.size, a.force)


if __name__ == "__main__":
    main()
