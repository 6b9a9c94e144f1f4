"""Scale check helper for nncc's `scripts/scale_check`: exports a torchvision architecture as ONNX (random weights,
BatchNorm statistics warmed as scripts/zoo_export.py does) with 32 calibration images, and times PyTorch's own FX
post-training quantization of the same architecture on the same inputs.

Usage (Debian python3-torchvision, python3-onnx; run with /usr/bin/python3):
    /usr/bin/python3 scripts/scale_torch.py export NAME OUT_DIR [--size 224] [--calib 32]
        writes OUT_DIR/NAME.onnx (input "input" [N,3,S,S], opset 13), OUT_DIR/NAME.calib.npy (float32 [32,3,S,S])
        and OUT_DIR/NAME.state.pt (the weights, so the PyTorch timing quantizes the very same network)
    /usr/bin/python3 scripts/scale_torch.py ptq NAME OUT_DIR [--threads 2] [--batch 8]
        FX PTQ (prepare_fx with the engine's default qconfig mapping, onednn by default: histogram observers on
        activations, per-channel min/max on weights; calibration over NAME.calib.npy in batches; convert_fx); prints one line
        "torch_fx_ptq NAME seconds=S" (model construction and file reading are not timed)
"""

import argparse
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoo_export import ARCHITECTURES, SEED, warm_batchnorm  # noqa: E402


def export(name, out_dir, size, calib_count):
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = ARCHITECTURES[name]()
    warm_batchnorm(model, size, gen)
    calib = torch.randn(calib_count, 3, size, size, generator=gen)
    path = os.path.join(out_dir, name + ".onnx")
    tmp = path + ".tmp"
    torch.onnx.export(model, calib[:1], tmp, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, do_constant_folding=True)
    np.save(os.path.join(out_dir, name + ".calib.npy"), calib.numpy())
    torch.save(model.state_dict(), os.path.join(out_dir, name + ".state.pt"))
    os.replace(tmp, path)
    print(f"{name}: wrote {path} ({os.path.getsize(path) // 1024} KB) and {calib_count} calibration images", flush=True)


def ptq(name, out_dir, threads, batch, engine):
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.set_num_threads(threads)
    torch.backends.quantized.engine = engine
    model = ARCHITECTURES[name]()
    model.load_state_dict(torch.load(os.path.join(out_dir, name + ".state.pt")))
    model.eval()
    calib = torch.from_numpy(np.load(os.path.join(out_dir, name + ".calib.npy")))
    start = time.perf_counter()
    prepared = prepare_fx(model, get_default_qconfig_mapping(engine), example_inputs=(calib[:1],))
    with torch.no_grad():
        for i in range(0, calib.shape[0], batch):
            prepared(calib[i:i + batch])
    quantized = convert_fx(prepared)
    seconds = time.perf_counter() - start
    with torch.no_grad():
        quantized(calib[:1])  # the converted model runs
    print(f"torch_fx_ptq {name} seconds={seconds:.2f} threads={threads} batch={batch} engine={engine}", flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", choices=["export", "ptq"])
    p.add_argument("name", choices=list(ARCHITECTURES))
    p.add_argument("out_dir")
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--calib", type=int, default=32)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--engine", default="onednn", help="quantized engine and its default qconfig mapping (Debian's torch has onednn, qnnpack)")
    a = p.parse_args()
    if a.action == "export":
        export(a.name, a.out_dir, a.size, a.calib)
    else:
        ptq(a.name, a.out_dir, a.threads, a.batch, a.engine)


if __name__ == "__main__":
    main()
