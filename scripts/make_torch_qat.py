"""Train small CNNs with PyTorch quantization-aware training and export them to ONNX *before* convert.

Makes two models in tests/src/test/resources/models/ (about 50 KB each), for the test that nncc lowers a PyTorch
QAT export exactly (passes fold-weight-quantize, fold-qat-batchnorm, quantize-passthrough-ops, then
lower-qdq) and runs it within one LSB of
ONNX Runtime (tests/.../QatImportTest.java):

    small_cnn_torch_qat.onnx              per-tensor symmetric int8 weights (qnnpack's QAT default, with plain
                                          FakeQuantize modules: see "qconfig" below)
    small_cnn_torch_qat_per_channel.onnx  per-channel symmetric int8 weights (fbgemm's QAT default weights)

The network (SmallCNN below, 28x28 Fashion-MNIST input) holds each form PyTorch's eager-mode QAT gives a conv:

    stem   Conv3x3 1->8 (no bias) + BN + ReLU     fused: ConvBnReLU2d          28x28
    dw     Conv3x3 depthwise 8, stride 2 + BN     fused: ConvBn2d; ReLU6 not fused (its own fake-quant)  14x14
    pw     Conv1x1 8->16 with bias + BN + ReLU    fused: ConvBn2d (bias Add); ReLU not fused (eager mode gives an
                                                  nn.ReLU no fake-quant: DequantizeLinear -> Relu -> Conv)
    conv3  Conv3x3 16->16 stride 2 with bias + BN + ReLU    fused: ConvBnReLU2d with a bias    7x7
    fc     flatten, Linear 784->10 (fake-quantized weights and output)

Training: the float network from scratch (FLOAT_STEPS Adam steps of 64 images, seed SEED), then fuse_modules_qat,
prepare_qat and QAT_STEPS more steps with fake-quant on: BatchNorm statistics and the observers' ranges come from real
data. Then eval(), observers disabled (their ranges are frozen, so the exported scales are those the model was
evaluated with) and torch.onnx.export at opset 13 of the model *before* convert. PyTorch's ConvBn training form then
exports as (see torch/nn/intrinsic/qat/modules/conv_fused.py, _forward_approximate):

    QuantizeLinear(W * gamma / sqrt(var + eps)) -> DequantizeLinear -> Conv(x, ., zero bias)
        -> Div(gamma / sqrt(var + eps)) [-> Add(conv bias)] -> BatchNormalization(running stats) [-> Relu]
        -> QuantizeLinear -> DequantizeLinear

with the scaled weight W * gamma / std folded to a float constant by the exporter; activation fake-quant modules
export as QuantizeLinear/DequantizeLinear pairs with uint8 codes.

qconfig: torch 1.13's get_default_qat_qconfig uses FusedMovingAvgObsFakeQuantize, which torch.onnx cannot export
(aten::fused_moving_avg_obs_fake_quant), so the script builds the same qconfig from plain FakeQuantize modules:
activations MovingAverageMinMaxObserver uint8 0..255 (reduce_range off: ONNX QuantizeLinear has no 0..127 range),
weights MovingAverageMinMaxObserver per-tensor symmetric int8 -128..127, or MovingAveragePerChannelMinMaxObserver
per-channel symmetric int8 (axis 0).

Measured by the run that made the committed files: float 0.8556, QAT per-tensor 0.8731, QAT per-channel 0.8720.
The script prints, per model, the op counts of the export and the test-set top-1 of the float network and of the QAT
model (torch, fake-quant on, all 10,000 test images). Run from the repository root with Debian's python3
(python3-torch, python3-onnx); it takes a few minutes (over 40 on a heavily loaded machine); seeded, 2 threads:

    /usr/bin/python3 scripts/make_torch_qat.py [--out-dir DIR]
"""

import argparse
import collections
import copy
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.ao.quantization import (DeQuantStub, FakeQuantize, MovingAverageMinMaxObserver,
                                   MovingAveragePerChannelMinMaxObserver, QConfig, QuantStub, disable_observer,
                                   fuse_modules_qat, prepare_qat)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fashion_mnist import load_split, to_input  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(REPO, "tests", "src", "test", "resources", "models")
SEED = 20261206
BATCH = 64
FLOAT_STEPS = 600
QAT_STEPS = 200


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = QuantStub()
        self.stem = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU())
        self.dw = nn.Sequential(nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=8, bias=False), nn.BatchNorm2d(8),
                                nn.ReLU6())
        self.pw = nn.Sequential(nn.Conv2d(8, 16, 1, bias=True), nn.BatchNorm2d(16), nn.ReLU())
        self.conv3 = nn.Sequential(nn.Conv2d(16, 16, 3, stride=2, padding=1, bias=True), nn.BatchNorm2d(16), nn.ReLU())
        self.fc = nn.Linear(16 * 7 * 7, 10)
        self.dequant = DeQuantStub()

    def forward(self, x):
        x = self.conv3(self.pw(self.dw(self.stem(self.quant(x)))))
        return self.dequant(self.fc(torch.flatten(x, 1)))


FUSE = [["stem.0", "stem.1", "stem.2"], ["dw.0", "dw.1"], ["pw.0", "pw.1"], ["conv3.0", "conv3.1", "conv3.2"]]


def qconfig(per_channel):
    act = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                                 dtype=torch.quint8, reduce_range=False)
    if per_channel:
        weight = FakeQuantize.with_args(observer=MovingAveragePerChannelMinMaxObserver, quant_min=-128, quant_max=127,
                                        dtype=torch.qint8, qscheme=torch.per_channel_symmetric, ch_axis=0)
    else:
        weight = FakeQuantize.with_args(observer=MovingAverageMinMaxObserver, quant_min=-128, quant_max=127,
                                        dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)
    return QConfig(activation=act, weight=weight)


def train(model, x, y, steps, lr, gen):
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        idx = torch.randint(0, len(x), (BATCH,), generator=gen)
        opt.zero_grad()
        loss = F.cross_entropy(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    return float(loss)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return float((torch.cat([model(x[i:i + 1000]) for i in range(0, len(x), 1000)]).argmax(1) == y).float().mean())


def export(model, name, out_dir, example):
    path = os.path.join(out_dir, name)
    torch.onnx.export(model, example, path, opset_version=13, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, do_constant_folding=True)
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = collections.Counter(n.op_type for n in m.graph.node)
    assert ops["BatchNormalization"] == 4 and ops["Div"] == 4 and ops["Conv"] == 4, ops
    print("wrote %s (%d bytes)\n  ops: %s" % (os.path.relpath(path, REPO), os.path.getsize(path),
                                             ", ".join("%s %d" % kv for kv in sorted(ops.items()))))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=MODELS)
    args = ap.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    torch.backends.quantized.engine = "qnnpack"
    tr_img, tr_lab = load_split("train")
    te_img, te_lab = load_split("t10k")
    x_train, y_train = torch.from_numpy(to_input(tr_img)), torch.from_numpy(tr_lab.astype(np.int64))
    x_test, y_test = torch.from_numpy(to_input(te_img)), torch.from_numpy(te_lab.astype(np.int64))
    gen = torch.Generator().manual_seed(SEED)

    float_model = SmallCNN()
    loss = train(float_model, x_train, y_train, FLOAT_STEPS, 2e-3, gen)
    print("float SmallCNN: %d steps, last loss %.3f, test top-1 %.4f"
          % (FLOAT_STEPS, loss, accuracy(float_model, x_test, y_test)))
    for per_channel, name in ((False, "small_cnn_torch_qat.onnx"), (True, "small_cnn_torch_qat_per_channel.onnx")):
        model = copy.deepcopy(float_model).train()
        fuse_modules_qat(model, FUSE, inplace=True)
        model.qconfig = qconfig(per_channel)
        prepare_qat(model, inplace=True)
        loss = train(model, x_train, y_train, QAT_STEPS, 2e-4, gen)
        model.eval()
        model.apply(disable_observer)
        print("QAT (%s weights): %d steps, last loss %.3f, test top-1 with fake-quant %.4f"
              % ("per-channel" if per_channel else "per-tensor", QAT_STEPS, loss, accuracy(model, x_test, y_test)))
        export(model, name, args.out_dir, x_test[:1])


if __name__ == "__main__":
    main()
