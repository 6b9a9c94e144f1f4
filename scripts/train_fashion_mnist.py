"""Train the nncc Fashion-MNIST example CNN and export it to ONNX.

Makes (in examples/fashion_mnist/, relative to the repository root):
    fashion_cnn.onnx      float model, opset 13, BatchNorm folded into Conv by
                          the exporter; input "input" [N,1,28,28], output
                          "logits" [N,10] (raw logits, no softmax), N symbolic
    fashion_cnn_bn.onnx   the same trained weights, exported with the
                          BatchNormalization nodes kept in the graph
    calib.npy             256 float32 images [256,1,28,28] from the TRAIN set
                          (fixed seed), for quantization calibration
    sample.npy            first 500 t10k images, float32 [500,1,28,28]
    sample_labels.npy     their labels, int64 [500]
    README.md             description + the float test accuracy measured here

Preprocessing (see scripts/fashion_mnist.py): x = pixel/255 as float32, NCHW,
no mean/std normalisation.

Rerun from the repository root (needs Debian's python3 with torch + onnx and
the dataset-fashion-mnist package; no network access needed):

    /usr/bin/python3 scripts/train_fashion_mnist.py

Training is seeded and single-process (2 threads) so reruns are reproducible on
the same machine/torch build; it takes a few minutes on 2 CPU cores.

Options (they do not change the training or the trained weights):

    --save-state      also write fashion_cnn_state.pt (the trained float
                      state_dict of FashionCNN, ~460 KB), used by
                      scripts/torch_ptq_baseline.py
    --out-dir DIR     write every output to DIR instead of
                      examples/fashion_mnist (e.g. to check that a rerun
                      reproduces the committed files byte for byte)

Because onnxruntime is not available in Python here, both ONNX files are
checked with a tiny numpy evaluator (defined below, supporting only the ops
these two graphs use) against the torch model, and the test-set accuracy of
each ONNX file is recomputed with it on all 10,000 t10k images.
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
from fashion_mnist import CLASS_NAMES, load_split, to_input  # noqa: E402

SEED = 20240601
EPOCHS = 4
BATCH = 128
LR = 2e-3
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "examples", "fashion_mnist")


class FashionCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2),                                   # 28 -> 14
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),                                   # 14 -> 7
            nn.Conv2d(32, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32 * 7 * 7, 64), nn.ReLU(),
            nn.Dropout(0.3),
            nn.Linear(64, 10),                                 # logits
        )

    def forward(self, x):
        return self.classifier(self.features(x))


# ---------------------------------------------------------------- numpy ONNX
def _conv2d(x, w, b, strides, pads, dilations, group):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (x.shape[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (x.shape[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((n, m, oh, ow), dtype=np.float64)
    mg = m // group
    for g in range(group):
        xg = x[:, g * cg:(g + 1) * cg]
        for i in range(kh):
            for j in range(kw):
                patch = xg[:, :, i * dilations[0]: i * dilations[0] + strides[0] * (oh - 1) + 1: strides[0],
                                 j * dilations[1]: j * dilations[1] + strides[1] * (ow - 1) + 1: strides[1]]
                out[:, g * mg:(g + 1) * mg] += np.einsum("nchw,mc->nmhw", patch, w[g * mg:(g + 1) * mg, :, i, j])
    if b is not None:
        out += b.reshape(1, -1, 1, 1)
    return out


def _maxpool(x, k, s, pads):
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])), constant_values=-np.inf)
    oh = (x.shape[2] - k[0]) // s[0] + 1
    ow = (x.shape[3] - k[1]) // s[1] + 1
    out = np.full(x.shape[:2] + (oh, ow), -np.inf)
    for i in range(k[0]):
        for j in range(k[1]):
            out = np.maximum(out, x[:, :, i:i + s[0] * (oh - 1) + 1:s[0], j:j + s[1] * (ow - 1) + 1:s[1]])
    return out


def run_onnx_numpy(model, x):
    """Evaluate the small op subset used by the example graphs in float64."""
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    env[model.graph.input[0].name] = x.astype(np.float64)
    for node in model.graph.node:
        a = {at.name: onnx.helper.get_attribute_value(at) for at in node.attribute}
        ins = [env[i] if i else None for i in node.input]
        op = node.op_type
        if op == "Conv":
            w = ins[1]
            k = w.shape[2:]
            y = _conv2d(ins[0], w, ins[2] if len(ins) > 2 else None, a.get("strides", [1, 1]),
                        a.get("pads", [0, 0, 0, 0]), a.get("dilations", [1, 1]), a.get("group", 1))
            assert list(a.get("kernel_shape", k)) == list(k)
        elif op == "BatchNormalization":
            xx, sc, bi, mean, var = ins
            sh = (1, -1, 1, 1)
            y = (xx - mean.reshape(sh)) / np.sqrt(var.reshape(sh) + a.get("epsilon", 1e-5)) * sc.reshape(sh) + bi.reshape(sh)
        elif op == "Relu":
            y = np.maximum(ins[0], 0)
        elif op == "MaxPool":
            y = _maxpool(ins[0], a["kernel_shape"], a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0]))
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
        elif op in ("Dropout", "Identity"):
            y = ins[0]
        else:
            raise NotImplementedError("numpy evaluator does not support " + op)
        env[node.output[0]] = y
    return env[model.graph.output[0].name]


# ---------------------------------------------------------------- main
def evaluate(model, x, y, batch=1000):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    return correct / len(x)


def onnx_accuracy(model_proto, x, y, batch=500):
    correct = 0
    for i in range(0, len(x), batch):
        correct += int((run_onnx_numpy(model_proto, x[i:i + batch]).argmax(1) == y[i:i + batch]).sum())
    return correct / len(x)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="Train the Fashion-MNIST example CNN and export it to ONNX.")
    ap.add_argument("--save-state", action="store_true",
                    help="also save the trained float state_dict as fashion_cnn_state.pt")
    ap.add_argument("--out-dir", default=None,
                    help="output directory (default: examples/fashion_mnist in the repository)")
    return ap.parse_args(argv)


def main(argv=None):
    global OUT
    args = parse_args(argv)
    if args.out_dir:
        OUT = os.path.abspath(args.out_dir)
    t0 = time.time()
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)
    os.makedirs(OUT, exist_ok=True)

    tr_img, tr_lab = load_split("train")
    te_img, te_lab = load_split("t10k")
    x_train = torch.from_numpy(to_input(tr_img))
    y_train = torch.from_numpy(tr_lab.astype(np.int64))
    x_test_np = to_input(te_img)
    y_test_np = te_lab.astype(np.int64)
    x_test = torch.from_numpy(x_test_np)
    y_test = torch.from_numpy(y_test_np)

    model = FashionCNN()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    steps_per_epoch = (len(x_train) + BATCH - 1) // BATCH
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=LR, epochs=EPOCHS, steps_per_epoch=steps_per_epoch)
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(EPOCHS):
        model.train()
        perm = torch.randperm(len(x_train), generator=gen)
        total_loss = 0.0
        for i in range(0, len(x_train), BATCH):
            idx = perm[i:i + BATCH]
            xb, yb = x_train[idx], y_train[idx]
            # light augmentation: random horizontal flip of half the batch
            flip = torch.rand(len(xb), generator=gen) < 0.5
            xb = torch.where(flip.view(-1, 1, 1, 1), xb.flip(3), xb)
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            sched.step()
            total_loss += loss.item() * len(xb)
        acc = evaluate(model, x_test, y_test)
        print("epoch %d  loss %.4f  test acc %.4f  (%.0fs)" % (epoch + 1, total_loss / len(x_train), acc, time.time() - t0))

    model.eval()
    float_acc = evaluate(model, x_test, y_test)
    print("float test accuracy (torch, 10000 t10k images): %.4f" % float_acc)
    if args.save_state:
        state_path = os.path.join(OUT, "fashion_cnn_state.pt")
        torch.save(model.state_dict(), state_path)
        print("saved float state_dict to %s (%d bytes)" % (state_path, os.path.getsize(state_path)))

    # ---- export
    dummy = x_test[:1]
    common = dict(opset_version=13, input_names=["input"], output_names=["logits"],
                  dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}})
    path_fold = os.path.join(OUT, "fashion_cnn.onnx")
    path_bn = os.path.join(OUT, "fashion_cnn_bn.onnx")
    torch.onnx.export(model, dummy, path_fold, **common)
    torch.onnx.export(model, dummy, path_bn, training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False, **common)
    model.eval()  # export with PRESERVE must not have changed the mode

    # ---- verify exports
    with torch.no_grad():
        ref = model(x_test[:8]).numpy()
    accs = {}
    for path in (path_fold, path_bn):
        m = onnx.load(path)
        onnx.checker.check_model(m)
        ops = [n.op_type for n in m.graph.node]
        n_bn = ops.count("BatchNormalization")
        dim0 = m.graph.input[0].type.tensor_type.shape.dim[0]
        assert dim0.dim_param, "batch dimension is not symbolic in " + path
        if path == path_bn:
            assert n_bn == 3, "expected 3 BatchNormalization nodes, found %d" % n_bn
        else:
            assert n_bn == 0, "expected BN folded, found %d BatchNormalization nodes" % n_bn
        out = run_onnx_numpy(m, x_test_np[:8])
        err = np.abs(out - ref).max()
        assert err < 1e-4, "%s differs from torch by %g" % (path, err)
        accs[path] = onnx_accuracy(m, x_test_np, y_test_np)
        print("%s: ops %s, BN nodes %d, batch dim '%s', max|onnx-torch| on 8 images %.2e, "
              "numpy-evaluated test acc %.4f, %d bytes"
              % (os.path.relpath(path, REPO), sorted(set(ops)), n_bn, dim0.dim_param, err,
                 accs[path], os.path.getsize(path)))
    f_out = run_onnx_numpy(onnx.load(path_fold), x_test_np[:8])
    b_out = run_onnx_numpy(onnx.load(path_bn), x_test_np[:8])
    print("max |fashion_cnn - fashion_cnn_bn| on 8 images: %.2e" % np.abs(f_out - b_out).max())

    # ---- data files
    rng = np.random.default_rng(SEED)
    calib_idx = np.sort(rng.choice(len(tr_img), 256, replace=False))
    np.save(os.path.join(OUT, "calib.npy"), to_input(tr_img[calib_idx]))
    np.save(os.path.join(OUT, "sample.npy"), to_input(te_img[:500]))
    np.save(os.path.join(OUT, "sample_labels.npy"), te_lab[:500].astype(np.int64))
    sample_acc = evaluate(model, x_test[:500], y_test[:500])

    write_readme(float_acc, accs[path_fold], accs[path_bn], sample_acc, args.save_state)
    total = 0
    for f in sorted(os.listdir(OUT)):
        sz = os.path.getsize(os.path.join(OUT, f))
        total += sz
        print("  %-22s %9d bytes" % (f, sz))
    print("  total %d bytes; done in %.0fs" % (total, time.time() - t0))


def write_readme(float_acc, acc_fold, acc_bn, sample_acc, save_state=False):
    text = """# Fashion-MNIST example model

A small float32 CNN trained on Fashion-MNIST, used as the nncc end-to-end
example (quantize, calibrate, compare against float).

All files here are generated by `scripts/train_fashion_mnist.py`; regenerate
them from the repository root with

    /usr/bin/python3 scripts/train_fashion_mnist.py{state_opt}

(Debian's python3 with torch and onnx, data from Debian's
`dataset-fashion-mnist` package in /usr/share/datasets/fashion-mnist; seeded,
takes a few minutes on 2 CPU cores.)

## Files

| file | content |
|------|---------|
| `fashion_cnn.onnx` | the trained model, opset 13, BatchNorm folded into Conv by the exporter. Input `input` float32 [N,1,28,28] (N symbolic), output `logits` float32 [N,10] (raw logits, no softmax). |
| `fashion_cnn_bn.onnx` | the same trained weights exported with the three `BatchNormalization` nodes kept (for testing BN folding in nncc). Same input/output. |
| `calib.npy` | 256 images from the **train** set (fixed seed), float32 [256,1,28,28], for calibration. |
| `sample.npy` | the first 500 images of the t10k test set, float32 [500,1,28,28]. |
| `sample_labels.npy` | their labels, int64 [500]. |
{state_row}
## Preprocessing

`x = pixel / 255` as float32 in [0,1], layout NCHW [N,1,28,28], no mean/std
normalisation (see `scripts/fashion_mnist.py`, function `to_input`). The
`.npy` files are already preprocessed.

Classes (label 0..9): {classes}.

## Architecture

Conv(1->16,3x3,pad 1)+BN+ReLU, MaxPool 2, Conv(16->32,3x3,pad 1)+BN+ReLU,
MaxPool 2, Conv(32->32,3x3,pad 1)+BN+ReLU, Flatten, Linear(1568->64)+ReLU,
Dropout(0.3), Linear(64->10). Trained {epochs} epochs with Adam (one-cycle LR,
max {lr}, batch {batch}, random horizontal flips).

## Float accuracy (measured by the script)

- test accuracy on all 10,000 t10k images (torch, float32): **{acc:.2f}%**
- same, recomputed from `fashion_cnn.onnx` / `fashion_cnn_bn.onnx` with the
  script's numpy reference evaluator: {acc_fold:.2f}% / {acc_bn:.2f}%
- accuracy on the 500 images of `sample.npy`: {sacc:.2f}%
""".format(state_opt=" --save-state" if save_state else "", state_row="" if not save_state else
           "| `fashion_cnn_state.pt` | the trained float `state_dict` of `FashionCNN` (written with "
           "`--save-state`), used by `scripts/torch_ptq_baseline.py`. |\n",
           classes=", ".join("%d %s" % (i, c) for i, c in enumerate(CLASS_NAMES)),
           epochs=EPOCHS, lr=LR, batch=BATCH, acc=100 * float_acc,
           acc_fold=100 * acc_fold, acc_bn=100 * acc_bn, sacc=100 * sample_acc)
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
