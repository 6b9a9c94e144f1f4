"""Export a small seeded-random MLP for Fashion-MNIST-shaped input as an ONNX test model for nncc's HLS
acceptance cases (Flatten, three Gemm layers, Relu between them).

Makes tests/src/test/resources/models/mlp_fashion.onnx (relative to the repository root): float32, input
"input" [N,1,28,28] (N symbolic), output "output" [N,10] raw logits; 784 -> 32 -> 16 -> 10. Random weights
(Kaiming normal, seeded): the HLS tests compare integer C simulation with nncc's integer reference, which
needs a realistic graph, not a trained one. Calibrate and test it with examples/fashion_mnist/calib.npy and
sample.npy like the bundled CNN.

Rerun from the repository root (Debian python3 with torch and onnx):

    /usr/bin/python3 scripts/make_hls_mlp.py
"""

import os

import onnx
import torch
import torch.nn as nn

SEED = 4321
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "tests", "src", "test", "resources", "models", "mlp_fashion.onnx")


class MlpFashion(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 32)
        self.fc2 = nn.Linear(32, 16)
        self.fc3 = nn.Linear(16, 10)
        with torch.no_grad():
            for m in (self.fc1, self.fc2, self.fc3):
                nn.init.kaiming_normal_(m.weight)
                nn.init.uniform_(m.bias, -0.1, 0.1)

    def forward(self, x):
        x = torch.flatten(x, 1)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


def main():
    torch.set_num_threads(1)
    torch.manual_seed(SEED)
    model = MlpFashion().eval()
    x = torch.rand(1, 1, 28, 28)
    torch.onnx.export(model, x, OUT, opset_version=13, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    m = onnx.load(OUT)
    onnx.checker.check_model(m, full_check=True)
    ops = sorted({n.op_type for n in m.graph.node})
    assert ops == ["Flatten", "Gemm", "Relu"], ops
    print("%s: %d bytes, ops %s" % (os.path.relpath(OUT, REPO), os.path.getsize(OUT), ", ".join(ops)))


if __name__ == "__main__":
    main()
