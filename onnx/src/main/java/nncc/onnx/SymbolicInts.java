package nncc.onnx;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;

/**
 * A shape computation known at import time up to symbols: a scalar or 1-D integer vector whose entries are
 * either numbers or symbolic sizes, e.g. {@code Shape(x)} of {@code x: f32[?N,32,7,7]} is {@code [?N,32,7,7]}.
 * Derived entries such as {@code ?N * 32} get a composite symbol; only a Reshape consumes these vectors.
 */
record SymbolicInts(DType dtype, boolean scalar, List<Dim> dims) {
    /** One entry: a number, or a symbol (when {@code symbol != null}). */
    record Dim(long value, String symbol) {
        static Dim of(long v) { return new Dim(v, null); }

        static Dim of(String s) { return new Dim(-1, s); }

        boolean isSymbolic() { return symbol != null; }

        @Override public String toString() { return symbol != null ? "?" + symbol : Long.toString(value); }
    }

    SymbolicInts {
        dims = List.copyOf(dims);
        if (scalar && dims.size() != 1) throw new IllegalArgumentException("scalar needs one entry");
    }

    /** The shape of {@code t} as a value: a constant when fully known, else a symbolic vector. */
    static Object shapeOf(Shape s, int start, int end) {
        List<Dim> d = new ArrayList<>();
        for (int i = start; i < end; i++) d.add(s.isSymbolic(i) ? Dim.of(s.symbol(i)) : Dim.of(s.dim(i)));
        return new SymbolicInts(DType.I64, false, d).simplify();
    }

    /** A constant integer tensor of rank 0 or 1 as a vector; null when it is not one. */
    static SymbolicInts of(Tensor t) {
        if (!t.dtype().isInteger() || t.shape().rank() > 1) return null;
        List<Dim> d = new ArrayList<>();
        for (long v : t.toLongs()) d.add(Dim.of(v));
        return new SymbolicInts(t.dtype(), t.shape().rank() == 0, d);
    }

    /** This value as an IR tensor type: i64[] or i64[n]. */
    TensorType type() { return TensorType.of(dtype, scalar ? Shape.SCALAR : Shape.of(dims.size())); }

    boolean hasSymbols() { return dims.stream().anyMatch(Dim::isSymbolic); }

    /** A constant tensor when every entry is a number, else this. */
    Object simplify() {
        if (hasSymbols()) return this;
        long[] v = dims.stream().mapToLong(Dim::value).toArray();
        return Tensor.ofLongs(dtype, type().shape(), v);
    }

    SymbolicInts withDims(boolean asScalar, List<Dim> d) { return new SymbolicInts(dtype, asScalar, d); }

    /** Elementwise Add/Sub/Mul/Div of two vectors (or a vector and a scalar); symbols combine into new symbols. */
    static SymbolicInts arithmetic(String op, SymbolicInts a, SymbolicInts b) {
        int n = Math.max(a.dims.size(), b.dims.size());
        if (a.dims.size() != n && a.dims.size() != 1 || b.dims.size() != n && b.dims.size() != 1)
            throw new IllegalArgumentException("cannot broadcast " + a + " with " + b);
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < n; i++)
            out.add(combine(op, a.dims.get(a.dims.size() == 1 ? 0 : i), b.dims.get(b.dims.size() == 1 ? 0 : i)));
        return new SymbolicInts(a.dtype, a.scalar && b.scalar, out);
    }

    private static Dim combine(String op, Dim x, Dim y) {
        if (!x.isSymbolic() && !y.isSymbolic()) {
            long r = switch (op) {
                case "Add" -> x.value + y.value;
                case "Sub" -> x.value - y.value;
                case "Mul" -> x.value * y.value;
                case "Div" -> {
                    if (y.value == 0) throw new IllegalArgumentException("integer division by zero");
                    yield x.value / y.value;
                }
                default -> throw new IllegalArgumentException(op);
            };
            return Dim.of(r);
        }
        boolean sameSymbol = x.isSymbolic() && y.isSymbolic() && x.symbol.equals(y.symbol);
        switch (op) {
            case "Add" -> { if (isNumber(y, 0)) return x; if (isNumber(x, 0)) return y; }
            case "Sub" -> { if (isNumber(y, 0)) return x; if (sameSymbol) return Dim.of(0); }
            case "Mul" -> { if (isNumber(y, 1)) return x; if (isNumber(x, 1)) return y; if (isNumber(x, 0) || isNumber(y, 0)) return Dim.of(0); }
            case "Div" -> { if (isNumber(y, 1)) return x; if (sameSymbol) return Dim.of(1); }
            default -> throw new IllegalArgumentException(op);
        }
        String sign = switch (op) { case "Add" -> "+"; case "Sub" -> "-"; case "Mul" -> "*"; default -> "/"; };
        return Dim.of("(" + x + sign + y + ")");
    }

    private static boolean isNumber(Dim d, long v) { return !d.isSymbolic() && d.value == v; }

    @Override public String toString() { return scalar ? dims.get(0).toString() : dims.toString(); }
}
