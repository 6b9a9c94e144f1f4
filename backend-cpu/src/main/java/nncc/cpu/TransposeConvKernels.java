package nncc.cpu;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Activation;
import nncc.ir.op.QConv;
import nncc.ir.op.QConvTranspose;

/**
 * QConvTranspose (TFLite TRANSPOSE_CONV) as the plain QConv it equals: the input is spread out by the stride into a
 * grid of the input zero point (which adds {@code (zp - zp) * w = 0}), with {@code KH - 1 - pads[0]} rows before (and
 * as many after as the output needs), and convolved at stride 1 with the filter flipped in H and W. Output element
 * {@code oy} then sums {@code x[iy] * w[ky]} over {@code oy = iy * stride + ky - pads[0]}, term for term the scatter
 * sum, so the integers are TFLite's; the requantization is QConv's.
 */
final class TransposeConvKernels {
    private TransposeConvKernels() {}

    static Kernel qConvTranspose(QConvTranspose op, NodeContext ctx) {
        Node n = ctx.node();
        TensorType xt = ctx.inputTypes().get(0), wt = ctx.inputTypes().get(1);
        int kh = (int) wt.shape().dim(2), kw = (int) wt.shape().dim(3);
        int inH = (int) xt.shape().dim(2), inW = (int) xt.shape().dim(3), c = (int) xt.shape().dim(1);
        int outH = (int) op.outputSize(0, inH, kh), outW = (int) op.outputSize(1, inW, kw);
        int spreadH = outH + kh - 1, spreadW = outW + kw - 1;
        int[] rows = spread(spreadH, kh - 1 - op.pads().get(0), op.strides().get(0), inH);
        int[] cols = spread(spreadW, kw - 1 - op.pads().get(1), op.strides().get(1), inW);
        long[] sd = {xt.shape().dim(0), c, spreadH, spreadW};
        TensorType spreadType = xt.withShape(Shape.withSymbols(sd, new String[] {xt.shape().symbol(0), null, null, null}));
        QConv conv = new QConv(List.of(1, 1), List.of(0, 0, 0, 0), List.of(1, 1), 1, op.inputZp(), op.multiplier(), op.shift(),
                op.outputZp(), op.outputScale(), op.outType(), op.actMin(), op.actMax(), op.rounding(), op.accumulator(), op.weightBits(),
                Activation.NONE);
        List<TensorType> types = new ArrayList<>(ctx.inputTypes());
        types.set(0, spreadType);
        List<Value> inputs = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) inputs.add(n.input(i).withType(types.get(i)));
        NdArray[] constants = ctx.constants().clone();
        if (constants.length > 1 && constants[1] != null) constants[1] = flipped(constants[1]);
        Kernel inner = QuantizedLinearKernels.qConv(conv, new NodeContext(new Node(n.name(), conv, inputs, n.outputs()), types, constants,
                ctx.kernels(), ctx.parallel(), ctx.deferred()));
        return (in, outTypes) -> {
            NdArray[] x = in.clone();
            NdArray src = in[0];
            int batch = src.shape[0], planeIn = inH * inW, planeOut = spreadH * spreadW;
            int[] map = new int[batch * c * planeOut];
            for (int p = 0; p < batch * c; p++)
                for (int i = 0; i < spreadH; i++)
                    for (int j = 0; j < spreadW; j++)
                        map[p * planeOut + i * spreadW + j] = rows[i] < 0 || cols[j] < 0 ? -1 : p * planeIn + rows[i] * inW + cols[j];
            x[0] = src.gather(new int[] {batch, c, spreadH, spreadW}, map, op.inputZp());
            if (x.length > 1) x[1] = constants[1] != null ? constants[1] : flipped(in[1]);
            return inner.run(x, outTypes);
        };
    }

    /** For each spread position t, the input index it holds ({@code (t - front) / stride} on the grid), or -1 (zero point). */
    private static int[] spread(int length, int front, int stride, int in) {
        int[] r = new int[length];
        for (int t = 0; t < length; t++) {
            int j = t - front;
            r[t] = j >= 0 && j % stride == 0 && j / stride < in ? j / stride : -1;
        }
        return r;
    }

    /** An OIHW filter reversed in H and W. */
    private static NdArray flipped(NdArray w) {
        int kh = w.shape[2], kw = w.shape[3], plane = kh * kw;
        int[] map = new int[w.size()];
        for (int p = 0; p < w.size() / plane; p++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++) map[p * plane + i * kw + j] = p * plane + (kh - 1 - i) * kw + (kw - 1 - j);
        return w.gather(w.shape.clone(), map, 0);
    }
}
