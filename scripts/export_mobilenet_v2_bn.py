"""Export the trained MobileNetV2-style model with its BatchNormalization nodes kept (training-form graph for QAT).

Makes examples/mobilenet_v2/mobilenet_v2_bn.onnx from the trained weights in examples/mobilenet_v2/mobilenet_v2_state.pt
(scripts/train_mobilenet_v2.py): the same network as mobilenet_v2.onnx, but every Conv is followed by its own
BatchNormalization node (eval-mode statistics: running mean/var, epsilon 1e-5) instead of having the BatchNorm folded
into its weights and bias. The convolutions have no bias, as in torch. Quantization-aware training (nncc qat) needs
this form to fold BatchNorm into the weights itself during training (Krishnamoorthi 2018).

How the BatchNorm nodes are kept: torch.onnx.export of the model in eval mode with
training=TrainingMode.PRESERVE and do_constant_folding=False (TrainingMode.EVAL runs the exporter's Conv+BN fusion).
Opset 13, input "input" float32 [N,1,28,28], output "logits" float32 [N,10], N symbolic, as mobilenet_v2.onnx.

Checked by the script: the graph holds one BatchNormalization per Conv, every BatchNormalization is in inference form
(one output), and a float64 numpy evaluation of the new file gives the same logits as mobilenet_v2.onnx (BN folded)
on 256 test images, max |difference| printed and asserted below 1e-4 (both are float32 models of the same float
network; the folded one rounds W*gamma/sqrt(var+eps) to float32 once, which is the whole difference).

Run from the repository root with Debian's python3 (python3-torch, python3-onnx); it takes a few seconds:

    /usr/bin/python3 scripts/export_mobilenet_v2_bn.py
"""

import collections
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_mobilenet_v2 as tmv  # noqa: E402
from fashion_mnist import load_split, to_input  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLE = os.path.join(REPO, "examples", "mobilenet_v2")
STATE = os.path.join(EXAMPLE, "mobilenet_v2_state.pt")
FOLDED = os.path.join(EXAMPLE, "mobilenet_v2.onnx")
OUT = os.path.join(EXAMPLE, "mobilenet_v2_bn.onnx")


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = tmv.MobileNetV2Fashion()
    model.load_state_dict(torch.load(STATE))
    model.eval()
    images, _ = load_split("t10k")
    x = to_input(images[:256])
    with torch.no_grad():
        torch.onnx.export(model, torch.from_numpy(x[:1]), OUT, opset_version=13, input_names=["input"],
                          output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                          training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    m = onnx.load(OUT)
    onnx.checker.check_model(m)
    ops = collections.Counter(n.op_type for n in m.graph.node)
    assert ops["BatchNormalization"] == ops["Conv"], ops
    assert all(len(n.output) == 1 for n in m.graph.node if n.op_type == "BatchNormalization"), "training-mode BN"
    assert all(len(n.input) == 2 for n in m.graph.node if n.op_type == "Conv"), "conv with a bias"
    size = os.path.getsize(OUT)
    assert size < 2 << 20, size

    with torch.no_grad():
        torch_logits = model(torch.from_numpy(x)).numpy()
    bn_logits = tmv.run_onnx_numpy(m, x)
    folded_logits = tmv.run_onnx_numpy(onnx.load(FOLDED), x)
    diff_folded = np.abs(bn_logits - folded_logits).max()
    diff_torch = np.abs(bn_logits - torch_logits).max()
    same_class = float((bn_logits.argmax(1) == folded_logits.argmax(1)).mean())
    print("wrote %s (%d bytes); ops: %s" % (os.path.relpath(OUT, REPO), size,
                                            ", ".join("%s %d" % kv for kv in sorted(ops.items()))))
    print("256 test images, float64 numpy evaluation: max|bn - folded| = %.3g, max|bn - torch| = %.3g, "
          "same class %.4f" % (diff_folded, diff_torch, same_class))
    assert diff_folded < 1e-4 and diff_torch < 1e-4, (diff_folded, diff_torch)


if __name__ == "__main__":
    main()
