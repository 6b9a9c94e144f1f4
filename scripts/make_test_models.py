"""Export small seeded-random PyTorch CNNs as ONNX test models for nncc.

Makes (in tests/src/test/resources/models/, relative to the repository root),
for each model NAME below:
    NAME.onnx               float32 model, input "input", output "output"
    NAME.input.npy          float32 reference input (batch 2 if the batch
                            dimension is symbolic, else 1)
    NAME.torch_output.npy   float32 output of the torch model on that input

Models:
    cnn_bn_kept        Conv+BatchNorm(kept, random running stats)+ReLU, MaxPool,
                       Conv(stride 2)+BatchNorm+LeakyReLU(0.1), AvgPool,
                       Flatten, Gemm; input [1,3,16,16]; opset 13
    cnn_bn_folded      the same model/weights, default eval export (BN folded
                       into Conv by the exporter); input [1,3,16,16]; opset 13;
                       same reference input/output as cnn_bn_kept
    cnn_mixed_ops      depthwise/dilated/asymmetric-stride Conv, PRelu,
                       Hardswish, HardSigmoid, Sigmoid, Tanh, Clip (ReLU6),
                       Add/Mul/Sub/Div, Concat, Transpose, Reshape through a
                       Shape/Gather/Unsqueeze/Concat chain, GlobalAveragePool,
                       ReduceMean, Softmax; input [N,4,16,16], N symbolic
    cnn_convtranspose  Conv, ConvTranspose(stride 2, output_padding 1),
                       reflect Pad, Squeeze/Unsqueeze, MatMul; input [1,2,8,8]
    mlp_opset9         Gemm/Relu/Softmax MLP exported with opset 9; input [1,20]
    cnn_zoo_blocks     the blocks of the torchvision zoo that needed new ops: a ShuffleNetV2 unit (chunk
                       as Split/Slice of a run-time tensor, channel shuffle), a DenseNet layer (Concat then
                       a BatchNorm that cannot fold), a ConvNeXt block (permute, LayerNorm and exact GELU
                       as the opset-13 subgraphs, channel-last Linear layers); input [N,8,8,8], N symbolic

The Java tests run these models with ONNX Runtime and compare against the torch
reference outputs. Everything is seeded, so reruns give the same files on the
same torch build.

Rerun from the repository root:

    /usr/bin/python3 scripts/make_test_models.py
"""

import os

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 1234
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "src", "test", "resources", "models")
MAX_BYTES = 200 * 1024


class CnnBn(nn.Module):
    """Input [1,3,16,16] -> [1,10]."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool1 = nn.MaxPool2d(2)                               # 16 -> 8
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)      # 8 -> 4
        self.bn2 = nn.BatchNorm2d(16)
        self.act2 = nn.LeakyReLU(0.1)
        # count_include_pad=False: same maths (no padding), but stops the
        # exporter from inserting an all-zero Pad node before AveragePool
        self.pool2 = nn.AvgPool2d(2, count_include_pad=False)      # 4 -> 2
        self.flatten = nn.Flatten()
        self.fc = nn.Linear(16 * 2 * 2, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(self.act2(self.bn2(self.conv2(x))))
        return self.fc(self.flatten(x))


class ZooBlocks(nn.Module):
    """Input [N,8,8,8] -> [N,10]: ShuffleNetV2 unit, DenseNet layer, ConvNeXt block."""

    def __init__(self):
        super().__init__()
        self.branch = nn.Sequential(nn.Conv2d(4, 4, 1), nn.BatchNorm2d(4), nn.ReLU(),
                                    nn.Conv2d(4, 4, 3, padding=1, groups=4), nn.BatchNorm2d(4))
        self.dense_bn = nn.BatchNorm2d(16)
        self.dense_conv = nn.Conv2d(16, 8, 1)
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.norm = nn.LayerNorm(16, eps=1e-6)
        self.up = nn.Linear(16, 32)
        self.down = nn.Linear(32, 16)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        a, b = x.chunk(2, dim=1)
        y = torch.cat((a, self.branch(b)), dim=1)
        n, c, h, w = y.shape
        y = y.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)  # channel shuffle
        d = torch.cat((y, F.relu(self.dense_conv(F.relu(self.dense_bn(torch.cat((y, y * 0.5), 1)))))), 1)
        z = self.dw(d).permute(0, 2, 3, 1)
        z = self.down(F.gelu(self.up(self.norm(z)))).permute(0, 3, 1, 2)
        z = d + z
        return self.fc(F.adaptive_avg_pool2d(z, 1).flatten(1))


def randomize_bn(model, gen):
    """Give every BatchNorm non-trivial affine params and running statistics."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.5 + torch.rand(c, generator=gen))           # [0.5, 1.5)
                m.bias.copy_(0.3 * torch.randn(c, generator=gen))
                m.running_mean.copy_(0.5 * torch.randn(c, generator=gen))
                m.running_var.copy_(0.2 + 2.0 * torch.rand(c, generator=gen))  # [0.2, 2.2)


class CnnMixedOps(nn.Module):
    """Input [N,4,16,16] -> softmax probabilities [N,10]."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(4, 8, 1)                                     # [N,8,16,16]
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8)                  # depthwise
        self.prelu = nn.PReLU(8)
        self.dil = nn.Conv2d(8, 8, 3, padding=2, dilation=2)               # dilated
        self.hswish = nn.Hardswish()
        self.hsig = nn.Hardsigmoid()
        self.asym = nn.Conv2d(16, 16, 3, stride=(2, 1), padding=1)         # -> [N,16,8,16]
        self.pw = nn.Conv2d(16, 16, 1)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)
        # Larger-than-default init: with PyTorch's default init the signal dies
        # out and the softmax output is nearly uniform, which would hide errors.
        with torch.no_grad():
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight)
                    m.bias.normal_(0.0, 0.1)
            self.fc.weight.normal_(0.0, 0.4)

    def forward(self, x):
        h = self.stem(x)
        r = h + self.prelu(self.dw(h))                  # residual Add
        e = self.hswish(self.dil(r))
        f = torch.sigmoid(e) * r                        # Sigmoid, Mul
        g = (torch.tanh(f) - self.hsig(e)) / 2.0        # Tanh, Sub, HardSigmoid, Div by constant
        cat = torch.cat([g, F.relu6(r)], dim=1)         # Clip, Concat -> [N,16,16,16]
        s = self.asym(cat)                              # [N,16,8,16]
        t = self.pw(s.transpose(2, 3))                  # Transpose -> [N,16,16,8]
        att = torch.sigmoid(t.mean(dim=[2, 3], keepdim=True))  # ReduceMean [N,16,1,1]
        p = self.gap(t * att)                           # GlobalAveragePool [N,16,1,1]
        flat = p.view(p.size(0), -1)                    # Shape/Gather/Unsqueeze/Concat/Reshape
        return torch.softmax(self.fc(flat), dim=1)


class CnnConvTranspose(nn.Module):
    """Input [1,2,8,8] -> [1,1,16,16]."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, 3, padding=1)                                   # [1,4,8,8]
        self.up = nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1, output_padding=1)  # [1,4,16,16]
        self.conv2 = nn.Conv2d(4, 1, 3)                                              # pad 18 -> 16
        self.w = nn.Parameter(torch.randn(16, 16) * 0.25)

    def forward(self, x):
        y = self.up(F.relu(self.conv1(x)))
        y = F.pad(y, (1, 1, 1, 1), mode="reflect")      # Pad reflect -> [1,4,18,18]
        y = self.conv2(y).squeeze(1)                    # Squeeze -> [1,16,16]
        y = torch.matmul(y, self.w)                     # MatMul with a [16,16] weight
        return y.unsqueeze(1)                           # Unsqueeze -> [1,1,16,16]


class Mlp(nn.Module):
    """Input [1,20] -> softmax probabilities [1,5]."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 32)
        self.fc2 = nn.Linear(32, 16)
        self.fc3 = nn.Linear(16, 5)
        with torch.no_grad():  # stronger init so the softmax is far from uniform
            for m in (self.fc1, self.fc2, self.fc3):
                nn.init.kaiming_normal_(m.weight)

    def forward(self, x):
        return torch.softmax(self.fc3(F.relu(self.fc2(F.relu(self.fc1(x))))), dim=1)


def export(name, model, input_shape, gen, opset=13, symbolic_batch=False, keep_bn=False, x=None):
    model.eval()
    if x is None:
        x = torch.randn(*input_shape, generator=gen)
    with torch.no_grad():
        y = model(x)
    path = os.path.join(OUT, name + ".onnx")
    kwargs = dict(opset_version=opset, input_names=["input"], output_names=["output"])
    if symbolic_batch:
        kwargs["dynamic_axes"] = {"input": {0: "N"}, "output": {0: "N"}}
    if keep_bn:
        kwargs.update(training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    torch.onnx.export(model, x, path, **kwargs)
    np.save(os.path.join(OUT, name + ".input.npy"), x.numpy().astype(np.float32))
    np.save(os.path.join(OUT, name + ".torch_output.npy"), y.numpy().astype(np.float32))

    # checks
    m = onnx.load(path)
    onnx.checker.check_model(m, full_check=True)   # full_check also runs strict shape inference
    ops = sorted({n.op_type for n in m.graph.node})
    assert [i.name for i in m.graph.input] == ["input"], [i.name for i in m.graph.input]
    assert [o.name for o in m.graph.output] == ["output"], [o.name for o in m.graph.output]
    assert m.opset_import[0].version == opset
    dim0 = m.graph.input[0].type.tensor_type.shape.dim[0]
    assert bool(dim0.dim_param) == symbolic_batch, (name, dim0)
    size = os.path.getsize(path)
    assert size < MAX_BYTES, (name, size)
    print("%-18s opset %d  %6d bytes  input %s -> output %s" % (
        name, opset, size, list(x.shape), list(y.shape)))
    print("    ops: %s" % ", ".join(ops))
    return m, ops


def export_zoo_blocks():
    """cnn_zoo_blocks, from its own seed (so it can be made alone: python3 -c 'import ...; export_zoo_blocks()')."""
    torch.manual_seed(SEED + 13)
    gen = torch.Generator().manual_seed(SEED + 13)
    model = ZooBlocks()
    randomize_bn(model, gen)
    _, ops = export("cnn_zoo_blocks", model, (2, 8, 8, 8), gen, symbolic_batch=True)
    for op in ("Split", "Slice", "Transpose", "Concat", "BatchNormalization", "Pow", "Sqrt", "Erf", "MatMul"):
        assert any(o == op for o in ops) or (op in ("Split", "Slice")), (op, ops)
    assert "Split" in ops or "Slice" in ops, ops


def main():
    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    os.makedirs(OUT, exist_ok=True)
    gen = torch.Generator().manual_seed(SEED)

    bn_model = CnnBn()
    randomize_bn(bn_model, gen)
    m_kept, ops_kept = export("cnn_bn_kept", bn_model, (1, 3, 16, 16), gen, keep_bn=True)
    assert sum(n.op_type == "BatchNormalization" for n in m_kept.graph.node) == 2, ops_kept
    # same input as cnn_bn_kept, so both reference outputs are identical
    x_kept = torch.from_numpy(np.load(os.path.join(OUT, "cnn_bn_kept.input.npy")))
    m_fold, ops_fold = export("cnn_bn_folded", bn_model, (1, 3, 16, 16), gen, x=x_kept)
    assert "BatchNormalization" not in ops_fold, ops_fold

    _, ops_mixed = export("cnn_mixed_ops", CnnMixedOps(), (2, 4, 16, 16), gen, symbolic_batch=True)
    for op in ("Shape", "Gather", "Unsqueeze", "Concat", "Reshape"):
        assert op in ops_mixed, "cnn_mixed_ops lost the %s of the view() chain" % op
    export("cnn_convtranspose", CnnConvTranspose(), (1, 2, 8, 8), gen)
    export("mlp_opset9", Mlp(), (1, 20), gen, opset=9)
    export_zoo_blocks()

    print("files in %s:" % os.path.relpath(OUT, REPO))
    for f in sorted(os.listdir(OUT)):
        print("  %-36s %7d bytes" % (f, os.path.getsize(os.path.join(OUT, f))))


if __name__ == "__main__":
    main()
