package nncc.ir.op;

import java.util.List;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.TensorType;

/**
 * The memory layout of a spatial op's rank-4 activations and filter (the {@code layout} attribute of QConv,
 * QConvTranspose, MaxPool and QAveragePool). {@code nchw} is ONNX's and nncc's default: activations {@code [N, C, H, W]}, conv filters
 * {@code [O, I/group, KH, KW]}. {@code nhwc} is TFLite's: activations {@code [N, H, W, C]}, conv filters
 * {@code [O, KH, KW, I/group]} (OHWI), a depthwise filter (group equal to the input channels, group > 1)
 * {@code [1, KH, KW, C*M]}, with a per-channel filter's quantization axis 0, or 3 for depthwise. Only the places of the
 * dims change, never an index order within them, so an NHWC op computes exactly the integers of its NCHW form on the
 * permuted tensors. The text IR omits {@code layout = nchw}.
 */
public enum Layout {
    NCHW,
    NHWC;

    /** The permutation ({@code out[i] = in[perm[i]]}) from NCHW to NHWC: {@code [0, 2, 3, 1]}. */
    public static final List<Integer> TO_NHWC = List.of(0, 2, 3, 1);
    /** The permutation from NHWC to NCHW: {@code [0, 3, 1, 2]}; also the NHWC position of NCHW axis a is {@code TO_NCHW[a]}. */
    public static final List<Integer> TO_NCHW = List.of(0, 3, 1, 2);
    /** OIHW filter to a depthwise {@code [1, KH, KW, C*M]} filter. */
    public static final List<Integer> OIHW_TO_DEPTHWISE = List.of(1, 2, 3, 0);
    /** A depthwise {@code [1, KH, KW, C*M]} filter to OIHW {@code [C*M, 1, KH, KW]}. */
    public static final List<Integer> DEPTHWISE_TO_OIHW = List.of(3, 0, 1, 2);

    /** The layout an op computes in: its {@code layout} attribute, NCHW for ops without one. */
    public static Layout of(Op op) {
        return switch (op) {
            case QConv c -> c.layout();
            case MaxPool p -> p.layout();
            case QAveragePool p -> p.layout();
            case QConvTranspose t -> t.layout();
            default -> NCHW;
        };
    }

    /** The one-line error of a backend that computes spatial ops in NCHW only, for an op in another layout. */
    public static nncc.ir.ModelException refusal(String node, Layout layout, String target) {
        return new nncc.ir.ModelException(null, node, "layout " + layout.name().toLowerCase(java.util.Locale.ROOT)
                + " (a TFLite legalization, tflite-nhwc) is not supported by target " + target + ", which computes NCHW");
    }

    /** {@code s} with its dims permuted ({@code out[i] = s[perm[i]]}), symbols kept. */
    public static Shape permute(Shape s, List<Integer> perm) {
        if (s.rank() != perm.size()) throw Shapes.fail("cannot permute %s by %s", s, perm);
        long[] d = new long[perm.size()];
        String[] sym = new String[perm.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.dim(perm.get(i));
            sym[i] = s.symbol(perm.get(i));
        }
        return Shape.withSymbols(d, sym);
    }

    /** {@code t} with its shape permuted and a per-axis quantization axis moved along. */
    public static TensorType permute(TensorType t, List<Integer> perm) {
        QuantParams q = t.quant();
        if (q != null && q.isPerAxis()) q = QuantParams.perAxis(perm.indexOf(q.axis()), q.scales(), q.zeroPoints());
        return new TensorType(t.dtype(), permute(t.shape(), perm), q);
    }

    /** Whether an NHWC conv of this group on {@code nhwcInput} is depthwise (its filter {@code [1, KH, KW, C*M]}). */
    public static boolean depthwise(int group, TensorType nhwcInput) {
        return group > 1 && !nhwcInput.shape().isSymbolic(3) && nhwcInput.shape().dim(3) == group;
    }

    /** The NCHW form of a spatial op's input types in this layout: activation, filter (OIHW) and any further inputs. */
    public List<TensorType> toNchw(List<TensorType> in, int group, boolean hasFilter) {
        if (this == NCHW) return in;
        if (in.get(0).rank() != 4) throw Shapes.fail("layout nhwc needs a rank-4 input, got %s", in.get(0));
        List<TensorType> r = new java.util.ArrayList<>(in);
        r.set(0, permute(in.get(0), TO_NCHW));
        if (hasFilter) {
            if (in.get(1).rank() != 4) throw Shapes.fail("layout nhwc needs a rank-4 filter, got %s", in.get(1));
            boolean dw = depthwise(group, in.get(0));
            if (dw && in.get(1).shape().dim(0) != 1) throw Shapes.fail("a depthwise nhwc filter must be [1, KH, KW, C*M], got %s", in.get(1));
            r.set(1, permute(in.get(1), dw ? DEPTHWISE_TO_OIHW : TO_NCHW));
        }
        return r;
    }

    /** An output type computed in NCHW, in this layout. */
    public TensorType fromNchw(TensorType out) {
        return this == NCHW ? out : permute(out, TO_NHWC);
    }

    /** Constant data with its dims permuted ({@code out[i] = t[perm[i]]}); sub-byte types are refused. */
    public static nncc.ir.Tensor permute(nncc.ir.Tensor t, List<Integer> perm) {
        long[] d = t.shape().dims();
        int r = d.length;
        if (r != perm.size()) throw Shapes.fail("cannot permute %s by %s", t.shape(), perm);
        int elem = t.dtype().bits() / 8;
        if (elem == 0 || t.dtype().bits() % 8 != 0) throw Shapes.fail("cannot permute %s constants", t.dtype().text());
        long[] od = new long[r];
        for (int i = 0; i < r; i++) od[i] = d[perm.get(i)];
        long[] inStrides = new long[r];
        for (int i = r - 1, s = 1; i >= 0; i--) { inStrides[i] = s; s *= d[i]; }
        byte[] raw = t.rawBytes(), out = new byte[raw.length];
        long n = t.numElements();
        int[] pos = new int[r];
        for (long o = 0; o < n; o++) {
            long src = 0;
            for (int i = 0; i < r; i++) src += pos[i] * inStrides[perm.get(i)];
            System.arraycopy(raw, Math.toIntExact(src * elem), out, Math.toIntExact(o * elem), elem);
            for (int i = r - 1; i >= 0; i--) { if (++pos[i] < od[i]) break; pos[i] = 0; }
        }
        return nncc.ir.Tensor.ofRaw(t.dtype(), Shape.of(od), out);
    }
}
