package nncc.onnx;

import static java.util.Map.entry;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The one explicit table from ONNX op type (default domain) to its importer. */
final class OpImporters {
    private OpImporters() {}

    private static final Map<String, OpImporter> BY_OP = Map.ofEntries(
            entry("Conv", WindowOpImporters::conv),
            entry("ConvTranspose", WindowOpImporters::convTranspose),
            entry("MaxPool", WindowOpImporters::maxPool),
            entry("AveragePool", WindowOpImporters::averagePool),
            entry("GlobalAveragePool", WindowOpImporters::globalAveragePool),
            entry("QLinearConv", WindowOpImporters::qlinearConv),
            entry("ConvInteger", WindowOpImporters::convInteger),
            entry("Gemm", MatMulImporters::gemm),
            entry("MatMul", MatMulImporters::matMul),
            entry("QLinearMatMul", MatMulImporters::qlinearMatMul),
            entry("MatMulInteger", MatMulImporters::matMulInteger),
            entry("QuantizeLinear", MatMulImporters::quantizeLinear),
            entry("DequantizeLinear", MatMulImporters::dequantizeLinear),
            entry("Add", n -> ElementwiseImporters.binary(n, new nncc.ir.op.Add())),
            entry("Sub", n -> ElementwiseImporters.binary(n, new nncc.ir.op.Sub())),
            entry("Mul", n -> ElementwiseImporters.binary(n, new nncc.ir.op.Mul())),
            entry("Div", n -> ElementwiseImporters.binary(n, new nncc.ir.op.Div())),
            entry("Relu", n -> ElementwiseImporters.unary(n, new nncc.ir.op.Relu())),
            entry("Sigmoid", n -> ElementwiseImporters.unary(n, new nncc.ir.op.Sigmoid())),
            entry("Sqrt", n -> ElementwiseImporters.unary(n, new nncc.ir.op.Sqrt())),
            entry("Erf", n -> ElementwiseImporters.unary(n, new nncc.ir.op.Erf())),
            entry("Pow", NormalizationImporters::pow),
            entry("Gelu", NormalizationImporters::gelu),
            entry("LayerNormalization", NormalizationImporters::layerNormalization),
            entry("Tanh", n -> ElementwiseImporters.unary(n, new nncc.ir.op.Tanh())),
            entry("HardSwish", n -> ElementwiseImporters.unary(n, new nncc.ir.op.HardSwish())),
            entry("Identity", n -> ElementwiseImporters.unary(n, new nncc.ir.op.Identity())),
            entry("LeakyRelu", ElementwiseImporters::leakyRelu),
            entry("HardSigmoid", ElementwiseImporters::hardSigmoid),
            entry("PRelu", ElementwiseImporters::prelu),
            entry("Clip", ElementwiseImporters::clip),
            entry("Dropout", ElementwiseImporters::dropout),
            entry("Softmax", NormalizationImporters::softmax),
            entry("BatchNormalization", NormalizationImporters::batchNormalization),
            entry("ReduceMean", NormalizationImporters::reduceMean),
            entry("Reshape", ShapeOpImporters::reshape),
            entry("Flatten", ShapeOpImporters::flatten),
            entry("Transpose", ShapeOpImporters::transpose),
            entry("Concat", ShapeOpImporters::concat),
            entry("Squeeze", ShapeOpImporters::squeeze),
            entry("Unsqueeze", ShapeOpImporters::unsqueeze),
            entry("Pad", ShapeOpImporters::pad),
            entry("Gather", ShapeOpImporters::gather),
            entry("Constant", ShapeOpImporters::constant),
            entry("Shape", OpImporters::foldOnly),
            entry("Cast", OpImporters::cast),
            entry("Slice", ShapeOpImporters::slice),
            entry("Split", ShapeOpImporters::split),
            entry("ConstantOfShape", OpImporters::foldOnly),
            entry("Range", OpImporters::foldOnly));

    /** The importer of an op type, or null when the op is not supported. */
    static OpImporter get(String opType) { return BY_OP.get(opType); }

    /** Every supported op type, sorted. */
    static Set<String> supportedOps() { return new TreeSet<>(BY_OP.keySet()); }

    /**
     * A Cast computed at run time: to its input's own type it is an Identity (PyTorch writes such uint8-to-uint8
     * Casts between QuantizeLinear and DequantizeLinear); any other is only supported when it folds.
     */
    private static void cast(OnnxNode n) {
        if (n.has("to") && n.hasInput(0) && n.known(0) == null
                && OnnxTypes.dtype(n.getIntAttr("to", 0)) == n.inputType(0).dtype()) {
            n.emit(new nncc.ir.op.Identity(), java.util.List.of(n.input(0)));
            return;
        }
        foldOnly(n);
    }

    /** Ops with no IR record reach here only when {@link ConstantFolder} could not fold them. */
    private static void foldOnly(OnnxNode n) {
        String runtimeInput = "";
        for (int i = 0; i < n.inputCount(); i++)
            if (n.hasInput(i) && n.known(i) == null) { runtimeInput = ": input '" + n.inputName(i) + "' is computed at run time"; break; }
        throw new nncc.ir.ModelException(n.scope.file, n.name, "op " + n.opType()
                + " is only supported when it folds to a constant (opset " + n.opset() + ")" + runtimeInput);
    }
}
