package nncc.tpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.TensorType;

/**
 * Reads a TFLite subgraph's tensors into {@link Info} records (TFLite's own NHWC shapes, element type,
 * quantization, constant data), checking everything that could make later reads unsafe: buffer indices and
 * lengths, shape sizes, and the number of per-axis scales. Harmless irregularities are tolerated as TFLite Micro
 * tolerates them: a {@code quantized_dimension} on a single-scale tensor or out of range on a rank-1 per-channel
 * tensor (a bias), missing zero points (0), a scale of 0
 * on a non-quantized tensor.
 */
final class TfliteTensors {
    private TfliteTensors() {}

    /** Elements a tensor may hold at most (Java arrays, and TFLite's own int32 sizes). */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** The highest rank read (TFLite's kernels take at most 6 dimensions); a larger declared rank is refused before allocating. */
    private static final int MAX_RANK = 16;

    /** One TFLite tensor: {@code data} is null unless it has a constant buffer. */
    record Info(int index, String name, DType dtype, long[] shape, QuantParams quant, Tensor data) {
        int rank() { return shape.length; }

        Shape irShape() { return Shape.of(shape); }

        String describe() { return "tensor " + index + " '" + name + "'"; }

        float scale() { return quant == null ? 0f : quant.scale(0); }

        long zeroPoint() { return quant == null ? 0 : quant.zeroPoint(0); }

        ModelException fail(String message) { return new ModelException(describe() + ": " + message); }
    }

    static Info read(Model model, SubGraph g, int index) {
        org.tensorflow.lite.schema.Tensor t = g.tensors(index);
        String name = t.name() == null || t.name().isEmpty() ? "t" + index : t.name();
        DType dtype = dtype(t.type());
        if (t.shapeLength() > MAX_RANK)
            throw new ModelException("tensor " + index + " '" + name + "': rank " + t.shapeLength() + " exceeds " + MAX_RANK);
        long[] shape = new long[t.shapeLength()];
        long count = 1;
        for (int d = 0; d < shape.length; d++) {
            shape[d] = t.shape(d);
            if (shape[d] < 0) throw new ModelException("tensor " + index + " '" + name + "': negative dim " + shape[d] + " (dynamic shapes are not supported)");
            count *= shape[d];
            if (count > MAX_ELEMENTS) throw new ModelException("tensor " + index + " '" + name + "': shape overflows (more than 2^31 elements)");
        }
        if (dtype != null) nncc.ir.Limits.checkTensor("tensor " + index + " '" + name + "'", dtype, count);
        QuantParams quant = quant(t.quantization(), shape, index, name, dtype);
        Tensor data = null;
        long buffer = t.buffer();
        if (buffer < 0 || buffer >= model.buffersLength())
            throw new ModelException("tensor " + index + " '" + name + "': buffer index " + buffer + " outside [0, " + model.buffersLength() + ")");
        Buffer b = model.buffers((int) buffer);
        if (b != null && b.dataLength() > 0) {
            if (dtype == null) throw new ModelException("tensor " + index + " '" + name + "': unsupported element type " + TensorType.name(t.type()));
            long want = dtype.storageBytes(count);
            if (b.dataLength() != want)
                throw new ModelException("tensor " + index + " '" + name + "': buffer " + buffer + " holds " + b.dataLength()
                        + " bytes, shape " + java.util.Arrays.toString(shape) + " of " + dtype.text() + " needs " + want);
            if (b.dataLength() > model.getByteBuffer().capacity())
                throw new ModelException("tensor " + index + " '" + name + "': buffer " + buffer + " declares " + b.dataLength()
                        + " bytes, more than the file's " + model.getByteBuffer().capacity());
            ByteBuffer bytes = b.dataAsByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            byte[] raw = new byte[b.dataLength()];
            bytes.get(raw);
            data = Tensor.ofRaw(dtype, Shape.of(shape), raw);
        }
        return new Info(index, name, dtype, shape, quant, data);
    }

    /** nncc's element type for a TFLite TensorType, or null when nncc has none. */
    static DType dtype(byte type) {
        return switch (type) {
            case TensorType.FLOAT32 -> DType.F32;
            case TensorType.FLOAT16 -> DType.F16;
            case TensorType.FLOAT64 -> DType.F64;
            case TensorType.INT64 -> DType.I64;
            case TensorType.INT32 -> DType.I32;
            case TensorType.INT16 -> DType.I16;
            case TensorType.INT8 -> DType.I8;
            case TensorType.UINT8 -> DType.U8;
            case TensorType.BOOL -> DType.BOOL;
            default -> null;
        };
    }

    private static QuantParams quant(QuantizationParameters q, long[] shape, int index, String name, DType dtype) {
        if (q == null || q.scaleLength() == 0) return null;
        int n = q.scaleLength();
        String what = "tensor " + index + " '" + name + "': ";
        if (q.zeroPointLength() != 0 && q.zeroPointLength() != n)
            throw new ModelException(what + n + " scales but " + q.zeroPointLength() + " zero points");
        if ((long) n * 4 > q.getByteBuffer().capacity()) // a declared length the file cannot hold, refused before allocating
            throw new ModelException(what + n + " scales declared, more than the file holds");
        float[] scales = new float[n];
        long[] zps = new long[n];
        for (int i = 0; i < n; i++) {
            scales[i] = q.scale(i);
            zps[i] = q.zeroPointLength() == 0 ? 0 : q.zeroPoint(i);
            if (!(scales[i] >= 0) || Float.isInfinite(scales[i])) throw new ModelException(what + "scale " + scales[i] + " is not a finite non-negative number");
            if (dtype != null && dtype.isInteger() && (zps[i] < dtype.minValue() || zps[i] > dtype.maxValue()))
                throw new ModelException(what + "zero point " + zps[i] + " outside " + dtype.text());
        }
        if (n == 1) {
            if (scales[0] == 0f) return null; // TFLite's "not quantized" marker
            return QuantParams.perTensor(scales[0], zps[0]); // a quantized_dimension here is harmless, as in TFLite Micro
        }
        int axis = q.quantizedDimension();
        // TFLite Micro never reads a bias's quantized_dimension; person_detect's biases carry 3 on rank 1
        if (shape.length == 1 && shape[0] == n) axis = 0;
        if (axis < 0 || axis >= shape.length)
            throw new ModelException(what + "quantized_dimension " + axis + " outside rank " + shape.length);
        if (shape[axis] != n)
            throw new ModelException(what + n + " scales for dim " + axis + " of size " + shape[axis]);
        return QuantParams.perAxis(axis, scales, zps);
    }
}
