package nncc.ir.op;

/**
 * Float compute: ops that compute in floating point (f32, f16, bf16, f64) and have no integer form of
 * their own. A fully lowered graph holds none of them.
 */
public sealed interface FloatOp extends Op permits Conv, ConvTranspose, Gemm, MatMul, Add, Sub, Mul, Div, Relu, LeakyRelu, PRelu, Clip, Sigmoid, Tanh,
        HardSigmoid, HardSwish, Softmax, AveragePool, GlobalAveragePool, BatchNormalization, ReduceMean, Pow, Sqrt, Erf, Gelu,
        LayerNormalization, FakeQuant {}
