package nncc.onnx;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.DequantizeLinear;
import nncc.ir.op.Gemm;
import nncc.ir.op.MatMul;
import nncc.ir.op.MatMulInteger;
import nncc.ir.op.QLinearMatMul;
import nncc.ir.op.QuantizeLinear;

/**
 * Importers of the matrix products (Gemm, MatMul, QLinearMatMul, MatMulInteger) and the quantize/dequantize
 * ops. Optional zero points absent in ONNX become explicit zero constants, so the IR ops always see every input.
 */
final class MatMulImporters {
    private MatMulImporters() {}

    static void gemm(OnnxNode n) {
        if (n.opset() < 11 && !n.hasInput(2)) throw n.error("input C is required before opset 11");
        Gemm op = new Gemm(n.getFloat("alpha", 1f), n.getFloat("beta", 1f), n.getInt("transA", 0) != 0,
                n.getInt("transB", 0) != 0);
        List<Value> in = new ArrayList<>(List.of(n.input(0), n.input(1)));
        if (n.hasInput(2)) in.add(n.input(2));
        n.emit(op, in);
    }

    static void matMul(OnnxNode n) {
        n.emit(new MatMul(), List.of(n.input(0), n.input(1)));
    }

    /** Inputs a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp; the output type is y_zp's. */
    static void qlinearMatMul(OnnxNode n) {
        TensorType a = n.inputType(0), b = n.inputType(3);
        DType outType = n.hasInput(7) ? n.inputType(7).dtype() : a.dtype();
        List<Value> in = List.of(n.input(0), n.input(1),
                zeroPoint(n, 2, a.dtype(), n.inputType(1).shape(), "a_zero_point"),
                n.input(3), n.input(4),
                zeroPoint(n, 5, b.dtype(), n.inputType(4).shape(), "b_zero_point"),
                n.input(6),
                zeroPoint(n, 7, outType, n.inputType(6).shape(), "y_zero_point"));
        n.emit(new QLinearMatMul(outType), in);
    }

    static void matMulInteger(OnnxNode n) {
        Value a = n.input(0), b = n.input(1);
        n.emit(new MatMulInteger(), List.of(a, b,
                zeroPoint(n, 2, a.type().dtype(), Shape.SCALAR, "a_zero_point"),
                zeroPoint(n, 3, b.type().dtype(), Shape.SCALAR, "b_zero_point")));
    }

    /** The output type is the zero point's, uint8 when it is absent (as ONNX says). */
    static void quantizeLinear(OnnxNode n) {
        TensorType scale = n.inputType(1);
        DType outType = n.hasInput(2) ? n.inputType(2).dtype() : outputDtypeAttr(n);
        Value zero = zeroPoint(n, 2, outType, scale.shape(), "zero_point");
        n.emit(new QuantizeLinear(n.getIntAttr("axis", 1), outType), List.of(n.input(0), n.input(1), zero));
    }

    static void dequantizeLinear(OnnxNode n) {
        TensorType x = n.inputType(0), scale = n.inputType(1);
        Value zero = zeroPoint(n, 2, x.dtype(), scale.shape(), "zero_point");
        n.emit(new DequantizeLinear(n.getIntAttr("axis", 1)), List.of(n.input(0), n.input(1), zero));
    }

    private static DType outputDtypeAttr(OnnxNode n) {
        int t = n.getIntAttr("output_dtype", 0);
        return t == 0 ? DType.U8 : OnnxTypes.dtype(t);
    }

    /** Input {@code index} when present, else a zero constant of {@code dtype} and {@code shape}. */
    static Value zeroPoint(OnnxNode n, int index, DType dtype, Shape shape, String what) {
        if (n.hasInput(index)) return n.input(index);
        if (!shape.isStatic()) throw n.error("scale of shape " + shape + " must be static to default the " + what);
        long[] zeros = new long[Math.toIntExact(shape.numElements())];
        return n.scope.addHelperConstant(n.name + "_" + what, Tensor.ofLongs(dtype, shape, zeros));
    }
}
