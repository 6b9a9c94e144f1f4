"""PyTorch's own post-training static quantization as a baseline for nncc.

For both example models

    fashion_cnn    examples/fashion_mnist/fashion_cnn_state.pt
                   (FashionCNN from scripts/train_fashion_mnist.py; written by
                   `train_fashion_mnist.py --save-state`)
    mobilenet_v2   examples/mobilenet_v2/mobilenet_v2_state.pt
                   (MobileNetV2Fashion from scripts/train_mobilenet_v2.py)

this script loads the trained float weights, checks that they reproduce the
committed ONNX file (numpy reference evaluators of the training scripts, 8
images), measures float top-1, and then, for every quantized engine of this
torch build among qnnpack / onednn / x86 / fbgemm, runs FX graph mode PTQ:

    torch.backends.quantized.engine = engine
    prepared = prepare_fx(model, get_default_qconfig_mapping(engine), (example,))
    prepared(calib)                     # the 256 images of calib.npy, one batch
    quantized = convert_fx(prepared)

(default backend_config, i.e. PyTorch's native one; prepare_fx fuses
Conv+BN(+ReLU) and Linear+ReLU itself). The quantized models are evaluated
(top-1) on all 10,000 t10k images. Engines the build does not support are
recorded as unavailable.

qnnpack kernel bug (torch 1.13): ReLU6 is not fused, so the converted graph
runs the float nn.ReLU6 module on a quantized tensor, which dispatches to
QNNPACK's clamp kernel. The quantized convs return channels_last tensors, and
that kernel computes on an NCHW-contiguous copy but returns a tensor flagged
channels_last, so the output values are in the wrong places (the same class of
bug as pytorch/pytorch#46077, which fixed other qnnpack activations). With
qnnpack, MobileNetV2 then drops to chance level. The script therefore reports
for qnnpack
    "qnnpack"            top-1 with the workaround: every ReLU6/Hardtanh of
                         the converted model gets its input made
                         NCHW-contiguous first (x.contiguous()); this changes
                         no quantization parameter, only the memory layout
    "qnnpack_unpatched"  top-1 of the converted model as is
Models without ReLU6 (fashion_cnn) are unaffected; both numbers agree there.
As a cross-check it also reports, per engine, the top-1 of the *simulated*
model (convert_to_reference_fx: quantize/dequantize around float ops, same
observers), under "simulated".

Calibration data: exactly examples/fashion_mnist/calib.npy (256 train images,
float32 [256,1,28,28], pixel/255) for both models.

Writes examples/ptq_baseline.json (top-1 per engine, and the number of test rows whose top score is tied; such a
row counts as its first class, as numpy's argmax decides) and examples/ptq_baseline_predictions.npz (every
model's and engine's predicted class per test image, keys "<model>__<engine>", uint8 [10000]), which
scripts/ptq_accuracy uses for paired significance tests, and prints a table. Run from the repository
root with Debian's python3 (torch 1.13):

    /usr/bin/python3 scripts/torch_ptq_baseline.py

Takes a few minutes on 2 CPU cores.
"""

import copy
import json
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.ao.nn.quantized as nnq
import torch.nn as nn
import torch.nn.functional as F
from torch.ao.quantization import get_default_qconfig_mapping
from torch.ao.quantization.quantize_fx import convert_fx, convert_to_reference_fx, prepare_fx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fashion_mnist import load_split, to_input  # noqa: E402
import train_fashion_mnist as tfm  # noqa: E402
import train_mobilenet_v2 as tmv  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CALIB = "examples/fashion_mnist/calib.npy"
OUT_JSON = os.path.join(REPO, "examples", "ptq_baseline.json")
OUT_PRED = os.path.join(REPO, "examples", "ptq_baseline_predictions.npz")
ENGINES = ["qnnpack", "onednn", "x86", "fbgemm"]

MODELS = {
    "fashion_cnn": dict(cls=tfm.FashionCNN, state="examples/fashion_mnist/fashion_cnn_state.pt",
                        onnx="examples/fashion_mnist/fashion_cnn.onnx", run_onnx=tfm.run_onnx_numpy),
    "mobilenet_v2": dict(cls=tmv.MobileNetV2Fashion, state="examples/mobilenet_v2/mobilenet_v2_state.pt",
                         onnx="examples/mobilenet_v2/mobilenet_v2.onnx", run_onnx=tmv.run_onnx_numpy),
}


PREDICTIONS = {}   # "model/engine" -> uint8 [10000] predicted classes, saved to OUT_PRED for scripts/ptq_accuracy


def top1(model, x, y, batch=500, key=None):
    """Top-1 on (x, y); with `key`, the predictions (first class among tied scores, as numpy's argmax) and the
    number of rows with a tied top score are recorded under that key."""
    preds, ties = [], 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(x[i:i + batch]).numpy()
            preds.append(out.argmax(1))
            top2 = np.sort(out, 1)[:, -2:]
            ties += int((top2[:, 0] == top2[:, 1]).sum())
    preds = np.concatenate(preds)
    if key is not None:
        PREDICTIONS[key] = preds.astype(np.uint8)
        TIES[key] = ties
    return float((preds == y.numpy()).mean())


TIES = {}


def engine_available(engine):
    if engine not in torch.backends.quantized.supported_engines:
        return False
    try:
        torch.backends.quantized.engine = engine
        return True
    except RuntimeError:
        return False


def ptq(float_model, engine, calib):
    """FX PTQ with PyTorch's defaults; returns (quantized model, simulated reference model)."""
    torch.backends.quantized.engine = engine
    qmap = get_default_qconfig_mapping(engine)
    model = copy.deepcopy(float_model).eval()
    prepared = prepare_fx(model, qmap, example_inputs=(calib[:1],))
    with torch.no_grad():
        prepared(calib)
    reference = convert_to_reference_fx(copy.deepcopy(prepared))
    return convert_fx(prepared), reference


CLAMP_MODULES = tuple(c for c in (nn.ReLU6, nn.Hardtanh, getattr(nnq, "ReLU6", None), getattr(nnq, "Hardtanh", None))
                      if c is not None)


class ContiguousThen(nn.Module):
    """Runs `inner` on x.contiguous() (workaround for the qnnpack clamp layout bug)."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x.contiguous())


def patch_qnnpack_clamp(qmodel):
    """Copy of qmodel whose ReLU6/Hardtanh modules see NCHW-contiguous input. Returns (model, count)."""
    qmodel = copy.deepcopy(qmodel)
    count = 0
    for name, mod in list(qmodel.named_modules()):
        if isinstance(mod, CLAMP_MODULES):
            parent_name, _, attr = name.rpartition(".")
            setattr(qmodel.get_submodule(parent_name) if parent_name else qmodel, attr, ContiguousThen(mod))
            count += 1
    for node in qmodel.graph.nodes:   # functional forms would need a graph rewrite; none in these models
        assert not (node.op == "call_function" and node.target in (F.relu6, F.hardtanh, torch.clamp)), node
    return qmodel, count


def main():
    t0 = time.time()
    torch.set_num_threads(2)
    torch.manual_seed(0)
    np.random.seed(0)

    calib_np = np.load(os.path.join(REPO, CALIB))
    assert calib_np.shape == (256, 1, 28, 28) and calib_np.dtype == np.float32, calib_np.shape
    calib = torch.from_numpy(calib_np)
    te_img, te_lab = load_split("t10k")
    x_test_np = to_input(te_img)
    x_test = torch.from_numpy(x_test_np)
    y_test = torch.from_numpy(te_lab.astype(np.int64))

    print("torch %s, supported quantized engines: %s" % (torch.__version__, torch.backends.quantized.supported_engines))
    engines = {}
    for e in ENGINES:
        engines[e] = engine_available(e)
        print("  engine %-8s %s" % (e, "available" if engines[e] else "NOT available in this torch build"))
    usable = [e for e in ENGINES if engines[e]]

    results = {}
    for name, spec in MODELS.items():
        model = spec["cls"]()
        model.load_state_dict(torch.load(os.path.join(REPO, spec["state"])))
        model.eval()
        # the weights must be those of the committed ONNX file
        with torch.no_grad():
            ref = model(x_test[:8]).numpy()
        onnx_out = spec["run_onnx"](onnx.load(os.path.join(REPO, spec["onnx"])), x_test_np[:8])
        err = float(np.abs(onnx_out - ref).max())
        assert err < 1e-4, "%s: state_dict does not match %s (max diff %g)" % (name, spec["onnx"], err)
        res = {"float": top1(model, x_test, y_test, key=name + "/float")}
        print("%s: float top-1 %.4f (state_dict matches %s: max diff %.1e)" % (name, res["float"], spec["onnx"], err))
        res["simulated"] = {}
        for e in usable:
            try:
                qmodel, reference = ptq(model, e, calib)
                res["simulated"][e] = top1(reference, x_test, y_test)
                if e == "qnnpack":
                    res["qnnpack_unpatched"] = top1(qmodel, x_test, y_test)
                    qmodel, n_patched = patch_qnnpack_clamp(qmodel)
                    print("  qnnpack  top-1 as converted %.4f; %d ReLU6/Hardtanh patched"
                          % (res["qnnpack_unpatched"], n_patched))
                res[e] = top1(qmodel, x_test, y_test, key=name + "/" + e)
                res.setdefault("tied_rows", {})[e] = TIES[name + "/" + e]
                print("  %-8s top-1 %.4f  (simulated %.4f)  (%.0fs)"
                      % (e, res[e], res["simulated"][e], time.time() - t0), flush=True)
            except Exception as ex:  # record, but keep going with the other engines
                res[e] = None
                print("  %-8s FAILED: %s: %s" % (e, type(ex).__name__, ex))
        order = ["float"] + usable + ["qnnpack_unpatched", "simulated", "tied_rows"]
        results[name] = {k: res[k] for k in order if k in res}

    out = dict(results)
    out["torch_version"] = torch.__version__
    out["calibration"] = CALIB + " (256 images)"
    out["test_set"] = "all 10,000 Fashion-MNIST t10k images, top-1"
    out["method"] = ("torch.ao.quantization FX graph mode: prepare_fx/convert_fx with "
                     "get_default_qconfig_mapping(engine), default (native) backend_config, "
                     "calibration in one batch of 256")
    out["engines_unavailable"] = [e for e in ENGINES if not engines[e]]
    out["notes"] = ("qnnpack: torch 1.13's QNNPACK clamp kernel (used by unfused ReLU6) mis-handles "
                    "channels_last quantized tensors; 'qnnpack' is measured with x.contiguous() inserted "
                    "before each ReLU6 (no quantization parameter changed), 'qnnpack_unpatched' is the "
                    "converted model as is. 'simulated' = convert_to_reference_fx model (fake-quant "
                    "in float) with the same observers.")
    with open(OUT_JSON, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    np.savez_compressed(OUT_PRED, **{k.replace("/", "__"): v for k, v in PREDICTIONS.items()})

    cols = ["float"] + usable + (["qnnpack_unpatched"] if "qnnpack" in usable else [])
    print()
    print("| model | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, res in results.items():
        print("| %s | " % name + " | ".join("n/a" if res[c] is None else "%.2f%%" % (100 * res[c]) for c in cols) + " |")
    print("\nengines not available in torch %s: %s" % (torch.__version__, ", ".join(out["engines_unavailable"]) or "none"))
    print("wrote %s (%.0fs)" % (os.path.relpath(OUT_JSON, REPO), time.time() - t0))


if __name__ == "__main__":
    main()
