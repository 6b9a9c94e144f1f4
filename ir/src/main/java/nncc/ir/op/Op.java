package nncc.ir.op;

import java.util.List;
import nncc.ir.TensorType;

/**
 * An operation: an immutable record of its attributes. Backends switch exhaustively over this sealed type,
 * so an op a backend forgot is a compile error. The text IR prints and parses every record generically from
 * its components, so a new op only needs its record, its {@link #inferTypes} and a line in {@code permits}.
 */
public sealed interface Op permits
        Conv, ConvTranspose, Gemm, MatMul,
        Add, Sub, Mul, Div,
        Relu, LeakyRelu, PRelu, Clip, Sigmoid, Tanh, HardSigmoid, HardSwish, Softmax,
        MaxPool, AveragePool, GlobalAveragePool, BatchNormalization,
        Reshape, Flatten, Transpose, Concat, Squeeze, Unsqueeze, Pad, Gather, ReduceMean,
        Identity, Dropout,
        Slice, Pow, Sqrt, Erf, Gelu, LayerNormalization,
        QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger,
        Quantize, Dequantize, Requantize, Cast, QConv, QGemm, QAdd, QMul, QMean, QAveragePool, QLut,
        QSoftmax, DynamicQuantConv, DynamicQuantGemm {

    /** The op's name in the text IR and in messages: the record's simple name. */
    default String opName() { return getClass().getSimpleName(); }

    /** Input count bounds, checked by the verifier before {@link #inferTypes}. */
    int minInputs();

    int maxInputs();

    /**
     * Output types from input types. Throws {@link nncc.ir.ModelException} (without node; callers add it)
     * when the inputs do not fit the op, naming the offending values.
     */
    List<TensorType> inferTypes(List<TensorType> inputs);
}
