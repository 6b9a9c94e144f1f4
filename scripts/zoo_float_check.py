"""How well-conditioned each zoo model is in float32: torch's float32 and float64 outputs and nncc's float output
(target/zoo/NAME.out/float.npy, written by scripts/zoo), each difference as max |a - b| over the largest |logit| of
the float64 result. A model whose own float32 torch run is far from float64 cannot be expected to agree across
float32 engines more closely than that.

    /usr/bin/python3 scripts/zoo_float_check.py [NAME ...]      (default: every model with a float.npy)
"""

import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo_export as z  # noqa: E402


def main():
    torch.set_num_threads(1)
    names = sys.argv[1:] or [n for n in z.ARCHITECTURES if os.path.exists(f"target/zoo/{n}.out/float.npy")]
    print("| model | torch f32 vs f64 | nncc f32 vs torch f64 | nncc vs torch f32 |")
    print("|---|---:|---:|---:|")
    for name in names:
        torch.manual_seed(z.SEED)
        gen = torch.Generator().manual_seed(z.SEED)
        model = z.ARCHITECTURES[name]()
        z.warm_batchnorm(model, 96, gen)
        x = torch.from_numpy(np.load(f"target/zoo/{name}.input.npy"))
        with torch.no_grad():
            y32 = model(x).numpy()
            y64 = model.double()(x.double()).numpy()
        ours = np.load(f"target/zoo/{name}.out/float.npy")
        big = np.abs(y64).max()
        rel = lambda a, b: np.abs(a - b).max() / big  # noqa: E731
        print(f"| {name} | {rel(y32, y64):.1e} | {rel(ours, y64):.1e} | {rel(ours, y32):.1e} |", flush=True)


if __name__ == "__main__":
    main()
