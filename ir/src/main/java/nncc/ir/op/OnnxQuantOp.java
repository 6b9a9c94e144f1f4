package nncc.ir.op;

/**
 * ONNX's own quantized operators as imported (QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul,
 * ConvInteger, MatMulInteger): ONNX semantics, run by the reference as ONNX specifies; the lowering of
 * pre-quantized models rewrites them into {@link LoweredOp}s.
 */
public sealed interface OnnxQuantOp extends Op permits QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger {}
