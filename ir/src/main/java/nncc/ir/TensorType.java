package nncc.ir;

import java.util.Objects;

/**
 * The type of a value: element type, shape and quantization parameters ({@code null} when there are none). On
 * an integer type the parameters say what the integers stand for; on a float type they are the plan a
 * calibration pass chose, the parameters the value will be quantized with when the graph is lowered.
 */
public record TensorType(DType dtype, Shape shape, QuantParams quant) {
    public TensorType {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (quant != null && quant.isPerAxis() && quant.axis() >= shape.rank())
            throw new IllegalArgumentException("quantization axis " + quant.axis() + " out of range for shape " + shape);
        if (shape.isStatic()) {
            try {
                dtype.storageBytes(shape.numElements());
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(dtype.text() + shape + " needs more than 2^63 bytes");
            }
        }
    }

    public static TensorType of(DType dtype, Shape shape) { return new TensorType(dtype, shape, null); }

    public static TensorType of(DType dtype, long... dims) { return new TensorType(dtype, Shape.of(dims), null); }

    public boolean isQuantized() { return quant != null; }

    public int rank() { return shape.rank(); }

    public TensorType withShape(Shape s) { return new TensorType(dtype, s, quant); }

    public TensorType withDType(DType d) { return new TensorType(d, shape, quant); }

    public TensorType withQuant(QuantParams q) { return new TensorType(dtype, shape, q); }

    /** Text form: {@code f32[?N,3,8,8]} or {@code i8[1,8]{scale = 0.5, zp = -3}}. */
    @Override public String toString() {
        return dtype.text() + shape + (quant == null ? "" : quant.toString());
    }
}
