package nncc.passes.tflite;

import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Pad;
import nncc.ir.op.QConv;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * TFLite's CONV_2D and DEPTHWISE_CONV_2D know two paddings, SAME (total pad {@code max((out-1)*stride +
 * (k-1)*dilation + 1 - in, 0)}, the smaller half before) and VALID (none). A QConv whose pads are neither becomes a
 * constant Pad filled with the input zero point followed by an unpadded QConv, as TFLite's converter writes it; the
 * integers are the same (a padded element contributes {@code (zp - zp) * w = 0}). After this pass the TFLite writer
 * only maps SAME/VALID.
 *
 * <pre>{@code
 * before: node @c = QConv {strides = [2, 2], pads = [1, 1, 1, 1], ..., inputZp = -128, ...} (%x : i8[1,8,28,28], %w, %b)
 *             -> (%y : i8[1,8,14,14])
 * after:  node @c/pad = Pad {pads = [0, 0, 1, 1, 0, 0, 1, 1], mode = constant, value = -128.0} (%x)
 *             -> (%x/padded : i8[1,8,30,30])
 *         node @c = QConv {strides = [2, 2], pads = [0, 0, 0, 0], ...} (%x/padded, %w, %b) -> (%y : i8[1,8,14,14])
 * }</pre>
 * (SAME for stride 2 on 28 would pad [0, 0, 1, 1], so [1, 1, 1, 1] needs the explicit Pad.) Cost: one walk over the
 * nodes, O(nodes).
 */
public final class TfliteExplicitPaddingPass implements Pass {
    public static final String NAME = "tflite-explicit-padding";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.LOWERED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("pads made explicit", "convs already SAME or VALID");
        for (Node n : List.copyOf(g.nodes())) {
            if (!(n.op() instanceof QConv c) || c.layout() != nncc.ir.op.Layout.NCHW || c.pads().stream().allMatch(p -> p == 0)) continue;
            Shape xs = n.input(0).type().shape(), ws = n.input(1).type().shape(), ys = n.output().type().shape();
            if (xs.rank() != 4 || xs.isSymbolic(2) || xs.isSymbolic(3) || ys.isSymbolic(2) || ys.isSymbolic(3)) continue;
            if (c.pads().equals(samePads(c, xs.dim(2), xs.dim(3), ws.dim(2), ws.dim(3), ys.dim(2), ys.dim(3)))) {
                stats.inc("convs already SAME or VALID");
                continue;
            }
            List<Integer> p = c.pads();
            Value x = n.input(0);
            long[] padded = xs.dims();
            padded[2] += p.get(0) + p.get(2);
            padded[3] += p.get(1) + p.get(3);
            String[] symbols = new String[4];
            for (int i = 0; i < 4; i++) symbols[i] = xs.symbol(i);
            Shape paddedShape = Shape.withSymbols(padded, symbols);
            Value xp = new Value(g.freshName(x.name() + "/padded"), new TensorType(x.type().dtype(), paddedShape, x.type().quant()));
            Node pad = new Node(g.freshName(n.name() + "/pad"),
                    new Pad(List.of(0L, 0L, (long) p.get(0), (long) p.get(1), 0L, 0L, (long) p.get(2), (long) p.get(3)), Pad.Mode.CONSTANT, c.inputZp()),
                    List.of(x), List.of(xp));
            QConv unpadded = new QConv(c.strides(), List.of(0, 0, 0, 0), c.dilations(), c.group(), c.inputZp(), c.multiplier(), c.shift(),
                    c.outputZp(), c.outputScale(), c.outType(), c.actMin(), c.actMax(), c.rounding(), c.accumulator(), c.weightBits(), c.activation());
            List<Value> inputs = new java.util.ArrayList<>(n.inputs());
            inputs.set(0, xp);
            g.replaceNode(n, List.of(pad, new Node(n.name(), unpadded, inputs, n.outputs())));
            stats.inc("pads made explicit");
        }
        return stats.result();
    }

    /** TFLite's SAME pads [top, left, bottom, right] for these sizes, or null when the output is not SAME-sized. */
    static List<Integer> samePads(QConv c, long inH, long inW, long kh, long kw, long outH, long outW) {
        int sh = c.strides().get(0), sw = c.strides().get(1);
        if (outH != (inH + sh - 1) / sh || outW != (inW + sw - 1) / sw) return null;
        long th = Math.max((outH - 1) * sh + (kh - 1) * c.dilations().get(0) + 1 - inH, 0);
        long tw = Math.max((outW - 1) * sw + (kw - 1) * c.dilations().get(1) + 1 - inW, 0);
        return List.of((int) (th / 2), (int) (tw / 2), (int) (th - th / 2), (int) (tw - tw / 2));
    }
}
