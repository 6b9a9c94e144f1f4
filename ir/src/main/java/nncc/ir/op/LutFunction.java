package nncc.ir.op;

/**
 * The float function a {@link QLut} table was built from, kept so exporters can name the op (LOGISTIC, TANH...)
 * and readers can see what the table stands for. {@code alpha} and {@code beta} of the QLut carry the
 * function's parameters: LeakyRelu slope (alpha), HardSigmoid (alpha, beta), Clip bounds (alpha = min, beta = max).
 */
public enum LutFunction { RELU, CLIP, LEAKY_RELU, SIGMOID, TANH, HARD_SIGMOID, HARD_SWISH }
