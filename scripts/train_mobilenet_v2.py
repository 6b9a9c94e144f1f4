"""Train a small MobileNetV2-style network on Fashion-MNIST and export it to ONNX.

Makes (in examples/mobilenet_v2/, relative to the repository root):
    mobilenet_v2.onnx        float model, opset 13, eval mode, BatchNorm folded
                             into Conv by the exporter; input "input"
                             [N,1,28,28], output "logits" [N,10] (raw logits),
                             N symbolic
    mobilenet_v2_state.pt    the trained float state_dict of MobileNetV2Fashion
                             (< 2 MB; used by scripts/torch_ptq_baseline.py)
    README.md                architecture, op list, measured float accuracy

Preprocessing is the nncc Fashion-MNIST convention (scripts/fashion_mnist.py,
``to_input``): x = pixel/255 as float32, NCHW [N,1,28,28], no mean/std
normalisation. Calibration data for quantizers is the shared
examples/fashion_mnist/calib.npy.

Rerun from the repository root (Debian's python3 with torch + onnx, data from
Debian's dataset-fashion-mnist package; no network access needed):

    /usr/bin/python3 scripts/train_mobilenet_v2.py [--out-dir DIR]

Training is seeded, deterministic and uses 2 threads, so reruns on the same
machine/torch build reproduce the same weights (the .onnx and .pt files were
checked to be byte-identical across reruns); it takes about 20 minutes on 2
CPU cores (~130-170 s per epoch with channels_last, plus a few minutes for the
numpy check of the export), much longer when the cores are busy.

The exported ONNX file is checked against the torch model with a small numpy
evaluator (the ops of this graph only), which also recomputes the test-set
accuracy of the ONNX file on all 10,000 t10k images.
"""

import argparse
import os
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fashion_mnist import load_split, to_input  # noqa: E402
from train_fashion_mnist import _conv2d, evaluate  # noqa: E402

SEED = 20240602
EPOCHS = 6
BATCH = 64
LR = 3e-3
WEIGHT_DECAY = 1e-4
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "examples", "mobilenet_v2")

EXPANSION = 4
# (output channels, number of blocks, stride of the first block)
# Wide late stages and a 512-channel last 1x1 conv, as in MobileNetV2 itself: most weights sit at 7x7, where they
# are cheap, and every per-channel quantization parameter (scale, int32 bias) is shared by ~80 weights on
# average. (An earlier 56k-parameter version had ~32 weights per channel, so per-channel metadata alone kept
# its int8 QDQ export at ~2x smaller than float, unlike real MobileNets.)
CHANNEL_PLAN = [(16, 2, 1), (24, 2, 2), (64, 3, 2), (128, 2, 1)]
STEM_CHANNELS = 16
LAST_CHANNELS = 512


def conv_bn_relu6(cin, cout, k, stride=1, groups=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU6(),
    )


class InvertedResidual(nn.Module):
    """1x1 expand + BN + ReLU6, 3x3 depthwise + BN + ReLU6, 1x1 project + BN,
    plus the input when stride is 1 and the channel count is unchanged."""

    def __init__(self, cin, cout, stride, expansion):
        super().__init__()
        hidden = cin * expansion
        self.use_residual = stride == 1 and cin == cout   # fixed at construction: FX-traceable
        self.expand = conv_bn_relu6(cin, hidden, 1)
        self.depthwise = conv_bn_relu6(hidden, hidden, 3, stride=stride, groups=hidden)
        self.project = nn.Sequential(
            nn.Conv2d(hidden, cout, 1, bias=False),
            nn.BatchNorm2d(cout),
        )

    def forward(self, x):
        y = self.project(self.depthwise(self.expand(x)))
        if self.use_residual:
            y = x + y
        return y


class MobileNetV2Fashion(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        layers = [conv_bn_relu6(1, STEM_CHANNELS, 3)]                       # 28x28
        cin = STEM_CHANNELS
        for cout, n, stride in CHANNEL_PLAN:
            for i in range(n):
                layers.append(InvertedResidual(cin, cout, stride if i == 0 else 1, EXPANSION))
                cin = cout
        layers.append(conv_bn_relu6(cin, LAST_CHANNELS, 1))                 # 7x7
        self.features = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(LAST_CHANNELS, num_classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        x = torch.flatten(x, 1)
        return self.classifier(x)


def architecture_lines():
    lines = ["Conv3x3(1->%d, stride 1, pad 1) + BN + ReLU6  (28x28)" % STEM_CHANNELS]
    cin, size = STEM_CHANNELS, 28
    for cout, n, stride in CHANNEL_PLAN:
        for i in range(n):
            s = stride if i == 0 else 1
            size = (size - 1) // s + 1
            hidden = cin * EXPANSION
            lines.append("InvertedResidual %d->%d, stride %d: 1x1 %d->%d + BN + ReLU6, "
                         "3x3 depthwise %d (groups %d, stride %d) + BN + ReLU6, 1x1 %d->%d + BN%s  (%dx%d)"
                         % (cin, cout, s, cin, hidden, hidden, hidden, s, hidden, cout,
                            ", + residual Add" if s == 1 and cin == cout else "", size, size))
            cin = cout
    lines.append("Conv1x1(%d->%d) + BN + ReLU6  (%dx%d)" % (cin, LAST_CHANNELS, size, size))
    lines.append("AdaptiveAvgPool2d(1) (GlobalAveragePool), flatten, Linear(%d->10) -> logits" % LAST_CHANNELS)
    return lines


# ---------------------------------------------------------------- numpy ONNX
def _conv(x, w, b, strides, pads, dilations, group):
    m, cg = w.shape[:2]
    if group > 1 and cg == 1 and group == x.shape[1] == m and list(dilations) == [1, 1]:
        # depthwise: per-channel multiply-accumulate over the kernel window
        kh, kw = w.shape[2:]
        xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
        oh = (xp.shape[2] - kh) // strides[0] + 1
        ow = (xp.shape[3] - kw) // strides[1] + 1
        out = np.zeros((x.shape[0], m, oh, ow))
        for i in range(kh):
            for j in range(kw):
                patch = xp[:, :, i:i + strides[0] * (oh - 1) + 1:strides[0], j:j + strides[1] * (ow - 1) + 1:strides[1]]
                out += patch * w[:, 0, i, j].reshape(1, -1, 1, 1)
        if b is not None:
            out += b.reshape(1, -1, 1, 1)
        return out
    return _conv2d(x, w, b, strides, pads, dilations, group)


def run_onnx_numpy(model, x):
    """Evaluate the ops of mobilenet_v2.onnx (and BatchNormalization) in float64."""
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x.astype(np.float64)
    for node in model.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Conv":
            y = _conv(ins[0], ins[1], ins[2] if len(ins) > 2 else None, a.get("strides", [1, 1]),
                      a.get("pads", [0, 0, 0, 0]), a.get("dilations", [1, 1]), a.get("group", 1))
        elif op == "Clip":
            lo = ins[1] if len(ins) > 1 and ins[1] is not None else -np.inf
            hi = ins[2] if len(ins) > 2 and ins[2] is not None else np.inf
            y = np.clip(ins[0], lo, hi)
        elif op == "Relu":
            y = np.maximum(ins[0], 0)
        elif op == "BatchNormalization":   # inference form (mobilenet_v2_bn.onnx, scripts/export_mobilenet_v2_bn.py)
            c = (1, -1, 1, 1)
            y = ((ins[0] - ins[3].reshape(c)) / np.sqrt(ins[4].reshape(c) + a.get("epsilon", 1e-5))
                 * ins[1].reshape(c) + ins[2].reshape(c))
        elif op == "Add":
            y = ins[0] + ins[1]
        elif op == "GlobalAveragePool":
            y = ins[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = ins[0].reshape(int(np.prod(ins[0].shape[:ax])), -1)
        elif op == "Gemm":
            A, B = ins[0], ins[1]
            if a.get("transA", 0):
                A = A.T
            if a.get("transB", 0):
                B = B.T
            y = a.get("alpha", 1.0) * A @ B
            if len(ins) > 2 and ins[2] is not None:
                y = y + a.get("beta", 1.0) * ins[2]
        elif op == "Constant":
            y = numpy_helper.to_array(a["value"]).astype(np.float64)
        elif op == "Identity":
            y = ins[0]
        else:
            raise NotImplementedError("numpy evaluator does not support " + op)
        env[node.output[0]] = y
    return env[model.graph.output[0].name]


def onnx_accuracy(model_proto, x, y, batch=500):
    correct = 0
    for i in range(0, len(x), batch):
        correct += int((run_onnx_numpy(model_proto, x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct / len(x)


# ---------------------------------------------------------------- main
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=OUT, help="output directory (default: examples/mobilenet_v2)")
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    args = ap.parse_args(argv)
    out = os.path.abspath(args.out_dir)

    t0 = time.time()
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)
    os.makedirs(out, exist_ok=True)

    tr_img, tr_lab = load_split("train")
    te_img, te_lab = load_split("t10k")
    x_train = torch.from_numpy(to_input(tr_img))
    y_train = torch.from_numpy(tr_lab.astype(np.int64))
    x_test_np = to_input(te_img)
    y_test_np = te_lab.astype(np.int64)
    x_test = torch.from_numpy(x_test_np)
    y_test = torch.from_numpy(y_test_np)

    model = MobileNetV2Fashion()
    # channels_last roughly halves the CPU training time (depthwise/1x1 convs in oneDNN)
    model = model.to(memory_format=torch.channels_last)
    x_train = x_train.contiguous(memory_format=torch.channels_last)
    n_params = sum(p.numel() for p in model.parameters())
    print("MobileNetV2Fashion: %d parameters" % n_params)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    steps_per_epoch = (len(x_train) + BATCH - 1) // BATCH
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, epochs=args.epochs, steps_per_epoch=steps_per_epoch)
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(x_train), generator=gen)
        total_loss = 0.0
        for i in range(0, len(x_train), BATCH):
            idx = perm[i:i + BATCH]
            xb, yb = x_train[idx], y_train[idx]
            flip = torch.rand(len(xb), generator=gen) < 0.5          # random horizontal flips
            xb = torch.where(flip.view(-1, 1, 1, 1), xb.flip(3), xb).contiguous(memory_format=torch.channels_last)
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            total_loss += loss.item() * len(xb)
        acc = evaluate(model, x_test[:1000], y_test[:1000])   # progress only; full test set below
        print("epoch %d  loss %.4f  acc on first 1000 test images %.4f  (%.0fs)"
              % (epoch + 1, total_loss / len(x_train), acc, time.time() - t0), flush=True)

    model = model.to(memory_format=torch.contiguous_format)
    model.eval()
    float_acc = evaluate(model, x_test, y_test)
    print("float test accuracy (torch, 10000 t10k images): %.4f" % float_acc)

    state_path = os.path.join(out, "mobilenet_v2_state.pt")
    torch.save(model.state_dict(), state_path)
    state_size = os.path.getsize(state_path)
    if state_size >= 2 << 20:
        os.remove(state_path)
        raise SystemExit("state_dict is %d bytes (>= 2 MB); make the model smaller" % state_size)
    print("saved float state_dict to %s (%d bytes)" % (state_path, state_size))

    # ---- export
    path = os.path.join(out, "mobilenet_v2.onnx")
    torch.onnx.export(model, x_test[:1], path, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})

    # ---- verify the export
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = [n.op_type for n in m.graph.node]
    op_counts = {op: ops.count(op) for op in sorted(set(ops))}
    assert "BatchNormalization" not in op_counts, "BatchNorm was not folded"
    assert "Shape" not in op_counts and "Gather" not in op_counts, "flatten exported as a Shape chain"
    dim0 = m.graph.input[0].type.tensor_type.shape.dim[0]
    assert dim0.dim_param, "batch dimension is not symbolic"
    with torch.no_grad():
        ref = model(x_test[:8]).numpy()
    err = np.abs(run_onnx_numpy(m, x_test_np[:8]) - ref).max()
    assert err < 1e-4, "onnx differs from torch by %g" % err
    onnx_acc = onnx_accuracy(m, x_test_np, y_test_np)
    print("ONNX op types: %s" % ", ".join("%s x%d" % kv for kv in op_counts.items()))
    print("%s: %d nodes, batch dim '%s', max|onnx-torch| on 8 images %.2e, numpy-evaluated test acc %.4f, %d bytes"
          % (os.path.relpath(path, REPO), len(ops), dim0.dim_param, err, onnx_acc, os.path.getsize(path)))

    write_readme(out, float_acc, onnx_acc, op_counts, n_params, args.epochs, os.path.getsize(path), state_size)
    for f in sorted(os.listdir(out)):
        print("  %-24s %9d bytes" % (f, os.path.getsize(os.path.join(out, f))))
    print("done in %.0fs" % (time.time() - t0))


def write_readme(out, float_acc, onnx_acc, op_counts, n_params, epochs, onnx_size, state_size):
    arch = "\n".join("%2d. %s" % (i + 1, line) for i, line in enumerate(architecture_lines()))
    ops = "\n".join("| `%s` | %d |" % kv for kv in op_counts.items())
    text = """# MobileNetV2-style Fashion-MNIST model

A small MobileNetV2-style float32 network (inverted residual blocks with
depthwise convolutions, ReLU6, residual adds, global average pooling) trained
on Fashion-MNIST: a second nncc example with depthwise convs, Clip and Add.

All files here are generated by `scripts/train_mobilenet_v2.py`; regenerate
them from the repository root with

    /usr/bin/python3 scripts/train_mobilenet_v2.py

(Debian's python3 with torch and onnx, data from Debian's
`dataset-fashion-mnist` package in /usr/share/datasets/fashion-mnist; seeded
and deterministic: a rerun reproduces both files byte for byte. Training takes
about 20 minutes on 2 CPU cores, much longer on a busy machine.)

## Files

| file | content |
|------|---------|
| `mobilenet_v2.onnx` | the trained model ({onnx_size} bytes), opset 13, eval mode, BatchNorm folded into Conv by the exporter. Input `input` float32 [N,1,28,28] (N symbolic), output `logits` float32 [N,10] (raw logits, no softmax). |
| `mobilenet_v2_state.pt` | the trained float `state_dict` of `MobileNetV2Fashion` ({state_size} bytes), used by `scripts/torch_ptq_baseline.py`. |
| `mobilenet_v2_bn.onnx` | the same trained weights with every BatchNormalization kept as its own node after a bias-free Conv (training-form graph for quantization-aware training), made by `scripts/export_mobilenet_v2_bn.py` (eval-mode export with `TrainingMode.PRESERVE`, no constant folding). Same input and output; its logits equal `mobilenet_v2.onnx`'s within 1.8e-6 (float64 numpy evaluation, 256 test images, checked by that script; `nncc run` of both on `sample.npy`: max difference 9.5e-6, same class on all 500). |

Preprocessing is the same as for `examples/fashion_mnist`: `x = pixel / 255`
as float32 in [0,1], NCHW [N,1,28,28], no mean/std normalisation. Use
`examples/fashion_mnist/calib.npy` (256 train images) for calibration and
`examples/fashion_mnist/sample.npy` / `sample_labels.npy` as test samples.

## Architecture ({n_params} parameters, expansion factor {expansion})

{arch}

Every convolution has no bias in torch; the exporter folds each BatchNorm into
the preceding Conv (which then gets a bias). ReLU6 is exported as `Clip` whose
min 0 and max 6 are inputs (opset 13) produced by scalar float `Constant`
nodes (two per Clip). Trained {epochs} epochs with AdamW
(one-cycle LR, max {lr}, weight decay {wd}, batch {batch}, random horizontal
flips).

## ONNX operators

| op | count |
|----|-------|
{ops}

## Float accuracy (measured by the script)

- test accuracy on all 10,000 t10k images (torch, float32): **{acc:.2f}%**
- same, recomputed from `mobilenet_v2.onnx` with the script's numpy reference
  evaluator: {oacc:.2f}%

PyTorch's own post-training quantization of this model (and of
`examples/fashion_mnist`), calibrated on `examples/fashion_mnist/calib.npy`, is
measured by `scripts/torch_ptq_baseline.py` into `examples/ptq_baseline.json`.
""".format(onnx_size=onnx_size, state_size=state_size, n_params=n_params, expansion=EXPANSION,
           arch=arch, epochs=epochs, lr=LR, wd=WEIGHT_DECAY, batch=BATCH, ops=ops,
           acc=100 * float_acc, oacc=100 * onnx_acc)
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
