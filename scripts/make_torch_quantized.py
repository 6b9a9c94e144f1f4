"""Quantize the Fashion-MNIST example CNN with PyTorch's own post-training quantization and export it to ONNX.

Makes two models quantized *outside* nncc in tests/src/test/resources/models/, for the test that nncc lowers
pre-quantized ONNX models (pass lower-qdq) and runs them within one LSB of ONNX Runtime:

    fashion_cnn_torch_ptq.onnx    the Fashion-MNIST example CNN, eager mode PTQ (below)
    fashion_cnn_torch_ptq_per_channel.onnx
                                  the same with per-channel weights: qconfig = QConfig(activation=
                                  HistogramObserver(reduce_range=False), weight=default_per_channel_weight_observer)
                                  (symmetric int8 per output channel, as fbgemm's default; biases then get
                                  per-channel scales s_x * s_w[c])
    mobilenet_v2_torch_ptq.onnx   the MobileNetV2-style example (examples/mobilenet_v2/mobilenet_v2_state.pt,
                                  scripts/train_mobilenet_v2.py), FX graph mode PTQ with PyTorch's defaults,
                                  as scripts/torch_ptq_baseline.py does it: residual adds, ReLU6 (exported as
                                  Clip between DequantizeLinear and QuantizeLinear), global average pooling

For the fashion CNN:

    model        FashionCNN (scripts/train_fashion_mnist.py) with the trained float weights of
                 examples/fashion_mnist/fashion_cnn_state.pt
    quantization eager mode PTQ with PyTorch's default qconfig for the engine:
                     torch.backends.quantized.engine = ENGINE
                     Conv+BatchNorm+ReLU fused (fuse_modules), QuantStub/DeQuantStub at the edges
                     model.qconfig = get_default_qconfig(ENGINE); prepare(model)
                     model(calib)             # the 256 images of examples/fashion_mnist/calib.npy
                     convert(model)
                 (not FX mode: FX fuses Linear+ReLU, and torch 1.13 cannot export quantized::linear_relu to ONNX;
                 here the classifier's ReLU stays a separate quantized op)
                 ENGINE is "fbgemm" (per-channel symmetric int8 weights, uint8 activations with reduce_range,
                 i.e. codes 0..127) when this torch build has it, else "qnnpack" (per-tensor weights)
    export       torch.onnx.export, opset 13; torch 1.13 writes QuantizeLinear / DequantizeLinear around
                 the float ops, int8 weights and int32 biases (scale s_x * s_w) behind DequantizeLinear

The script checks that the exported graph holds QuantizeLinear/DequantizeLinear nodes and prints the op
counts and the engine used. Run from the repository root with Debian's python3 (python3-torch, python3-onnx):

    /usr/bin/python3 scripts/make_torch_quantized.py

It takes a few seconds; the result is deterministic for a given torch build.
"""

import collections
import copy
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from torch.ao.quantization import DeQuantStub, QuantStub, convert, fuse_modules, get_default_qconfig, prepare
from torch.ao.quantization import HistogramObserver, QConfig, default_per_channel_weight_observer
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_fashion_mnist as tfm  # noqa: E402
import train_mobilenet_v2 as tmv  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATE = os.path.join(REPO, "examples", "fashion_mnist", "fashion_cnn_state.pt")
CALIB = os.path.join(REPO, "examples", "fashion_mnist", "calib.npy")
MODELS = os.path.join(REPO, "tests", "src", "test", "resources", "models")
MOBILENET_STATE = os.path.join(REPO, "examples", "mobilenet_v2", "mobilenet_v2_state.pt")


def engine():
    for e in ("fbgemm", "qnnpack"):
        if e in torch.backends.quantized.supported_engines:
            return e
    raise SystemExit("this torch build has no fbgemm or qnnpack quantized engine")


class Quantizable(nn.Module):
    """FashionCNN between a QuantStub and a DeQuantStub, with Conv+BatchNorm+ReLU fused."""

    def __init__(self, float_model):
        super().__init__()
        self.quant = QuantStub()
        self.features = float_model.features
        self.classifier = float_model.classifier
        self.dequant = DeQuantStub()

    def forward(self, x):
        return self.dequant(self.classifier(self.features(self.quant(x))))


def fashion_eager(eng, calib, per_channel=False):
    model = tfm.FashionCNN()
    model.load_state_dict(torch.load(STATE))
    model.eval()
    q = Quantizable(copy.deepcopy(model)).eval()
    fuse_modules(q, [["features.0", "features.1", "features.2"], ["features.4", "features.5", "features.6"],
                     ["features.8", "features.9", "features.10"]], inplace=True)
    q.qconfig = (QConfig(activation=HistogramObserver.with_args(reduce_range=False),
                         weight=default_per_channel_weight_observer) if per_channel else get_default_qconfig(eng))
    prepare(q, inplace=True)
    with torch.no_grad():
        q(calib)
    return convert(q)


def mobilenet_fx(eng, calib):
    model = tmv.MobileNetV2Fashion()
    model.load_state_dict(torch.load(MOBILENET_STATE))
    model.eval()
    prepared = prepare_fx(copy.deepcopy(model), get_default_qconfig_mapping(eng), example_inputs=(calib[:1],))
    with torch.no_grad():
        prepared(calib)
    return convert_fx(prepared)


def export(quantized, calib, name, eng):
    out = os.path.join(MODELS, name)
    with torch.no_grad():
        torch.onnx.export(quantized, calib[:1], out, opset_version=13, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
    m = onnx.load(out)
    onnx.checker.check_model(m)
    ops = collections.Counter(n.op_type for n in m.graph.node)
    assert ops["QuantizeLinear"] > 0 and ops["DequantizeLinear"] > 0, ops
    print("torch %s, engine %s: wrote %s (%d bytes)" % (torch.__version__, eng, os.path.relpath(out, REPO),
                                                         os.path.getsize(out)))
    print("  ops: " + ", ".join("%s %d" % kv for kv in sorted(ops.items())))


def main():
    torch.manual_seed(0)
    torch.set_num_threads(2)
    eng = engine()
    torch.backends.quantized.engine = eng
    calib = torch.from_numpy(np.load(CALIB))
    assert calib.shape == (256, 1, 28, 28), calib.shape
    export(fashion_eager(eng, calib), calib, "fashion_cnn_torch_ptq.onnx", eng)
    export(fashion_eager(eng, calib, per_channel=True), calib, "fashion_cnn_torch_ptq_per_channel.onnx", eng)
    export(mobilenet_fx(eng, calib), calib, "mobilenet_v2_torch_ptq.onnx", eng)


if __name__ == "__main__":
    main()
