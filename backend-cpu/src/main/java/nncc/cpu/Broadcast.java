package nncc.cpu;

import java.util.ArrayList;
import java.util.List;

/**
 * Numpy broadcasting of two operands to an output shape, reduced to rows: the output is walked as
 * {@code rows x inner} elements, operand k reading element {@code rowOffset[k][r] + j * innerStride[k]}.
 * Adjacent dims that broadcast the same way are merged first, so the inner run is as long as possible.
 */
final class Broadcast {
    final int rows;
    final int inner;
    final int aInnerStride;
    final int bInnerStride;
    final int[] aRowOffsets;
    final int[] bRowOffsets;

    private Broadcast(int rows, int inner, int sa, int sb, int[] aOff, int[] bOff) {
        this.rows = rows;
        this.inner = inner;
        this.aInnerStride = sa;
        this.bInnerStride = sb;
        this.aRowOffsets = aOff;
        this.bRowOffsets = bOff;
    }

    static Broadcast of(int[] out, int[] a, int[] b) {
        int r = out.length;
        int[] sa = operandStrides(out, a), sb = operandStrides(out, b);
        // merge dims (size, strideA, strideB), skipping size-1 dims
        List<int[]> dims = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            if (out[i] == 1) continue;
            if (!dims.isEmpty()) {
                int[] last = dims.get(dims.size() - 1);
                if (mergeable(last[1], sa[i], out[i]) && mergeable(last[2], sb[i], out[i])) {
                    last[0] *= out[i];
                    last[1] = sa[i];
                    last[2] = sb[i];
                    continue;
                }
            }
            dims.add(new int[] {out[i], sa[i], sb[i]});
        }
        if (dims.isEmpty()) dims.add(new int[] {1, 0, 0});
        int[] innerDim = dims.remove(dims.size() - 1);
        int rows = 1;
        for (int[] d : dims) rows *= d[0];
        int[] aOff = new int[rows], bOff = new int[rows];
        int[] pos = new int[dims.size()];
        int[] sizes = dims.stream().mapToInt(d -> d[0]).toArray();
        for (int row = 0; row < rows; row++) {
            int oa = 0, ob = 0;
            for (int d = 0; d < pos.length; d++) {
                oa += pos[d] * dims.get(d)[1];
                ob += pos[d] * dims.get(d)[2];
            }
            aOff[row] = oa;
            bOff[row] = ob;
            WindowGeometry.increment(pos, sizes);
        }
        return new Broadcast(rows, innerDim[0], innerDim[1], innerDim[2], aOff, bOff);
    }

    /** A dim with stride {@code outer} merges into the next one (stride {@code innerStride}, size {@code size}). */
    private static boolean mergeable(int outer, int innerStride, int size) {
        return outer == innerStride * size && (outer == 0) == (innerStride == 0);
    }

    /** Strides of an operand aligned to the right of the output, 0 along broadcast dims. */
    private static int[] operandStrides(int[] out, int[] operand) {
        int r = out.length, k = operand.length;
        int[] s = new int[r];
        int[] own = NdArray.strides(operand);
        for (int i = 0; i < r; i++) {
            int j = i - (r - k);
            s[i] = j < 0 || operand[j] == 1 ? 0 : own[j];
        }
        return s;
    }
}
