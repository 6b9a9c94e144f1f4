package nncc.passes.tflite;

import java.util.List;
import nncc.ir.FixedPoint;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Rounding;
import nncc.ir.Shape;
import nncc.ir.op.QMean;
import nncc.passes.Pass;
import nncc.passes.PassResult;
import nncc.passes.Stage;

/**
 * Gives every QMean the multiplier a TFLite runtime derives for MEAN from the scales a .tflite file holds, so the IR
 * states what the written file computes. nncc's quantizer folds 1/n into one full-precision Q31 multiplier of
 * {@code sIn / (sOut * n)}; TFLite's integer Mean (reduce.cc Prepare, reference_integer_ops::Mean) instead quantizes
 * {@code double(sIn) / double(sOut)} and folds 1/n in integers: {@code s = min(floor(log2 n), 32, 31 + shift)},
 * multiplier {@code (m << s) / n} (truncating), shift {@code shift - s}. The two differ in the last bits, so without
 * this pass a MobileNet's global average pool is off by 1 LSB on some outputs.
 *
 * <pre>{@code
 * before: node @gap = QMean {axes = [2, 3], keepDims = true, inputZp = -128, multiplier = 1896050793, shift = -4, ...}
 *             (%x : i8[1,512,7,7]{scale = 0.023529412, zp = -128}) -> (%y : i8[1,512,1,1]{scale = 0.008701916, zp = -128})
 * after:  node @gap = QMean {axes = [2, 3], keepDims = true, inputZp = -128, multiplier = 948025396, shift = -3, ...}
 * }</pre>
 * Cost: one walk over the nodes, O(nodes).
 */
public final class TfliteMeanNumbersPass implements Pass {
    public static final String NAME = "tflite-mean-numbers";

    @Override public String name() { return NAME; }

    @Override public Stage requires() { return Stage.LOWERED; }

    @Override public PassResult run(Graph g) {
        PassResult.Stats stats = new PassResult.Stats().declare("means rewritten", "means already TFLite's");
        for (Node n : List.copyOf(g.nodes())) {
            if (!(n.op() instanceof QMean q)) continue;
            QParams io = scales(n);
            Shape in = n.input(0).type().shape();
            long count = 1;
            for (int a : q.axes()) {
                int axis = a < 0 ? a + in.rank() : a;
                if (in.isSymbolic(axis)) throw new ModelException(null, n.name(), "QMean over symbolic axis " + a + " of " + in + ": TFLite needs a static count");
                count *= in.dim(axis);
            }
            FixedPoint.Multiplier m = tfliteMeanMultiplier(io.in(), io.out(), count, q.rounding());
            if (m.multiplier() == q.multiplier() && m.shift() == q.shift()) { stats.inc("means already TFLite's"); continue; }
            g.replaceNode(n, List.of(n.withOp(new QMean(q.axes(), q.keepDims(), q.inputZp(), m.multiplier(), m.shift(), q.outputZp(),
                    q.outputScale(), q.outType(), q.rounding()))));
            stats.inc("means rewritten");
        }
        return stats.result();
    }

    private record QParams(float in, float out) {}

    private static QParams scales(Node n) {
        return new QParams(scale(n, n.input(0).type().quant(), "input"), scale(n, n.output(0).type().quant(), "output"));
    }

    private static float scale(Node n, QuantParams q, String what) {
        if (q == null || q.count() != 1) throw new ModelException(null, n.name(), "QMean " + what + " needs one scale, got " + q);
        return q.scale(0);
    }

    /** TFLite's integer MEAN multiplier for {@code count} elements (see the class comment). */
    public static FixedPoint.Multiplier tfliteMeanMultiplier(float inputScale, float outputScale, long count, Rounding rounding) {
        FixedPoint.Multiplier m = FixedPoint.quantizeMultiplier((double) inputScale / (double) outputScale, rounding);
        int s = 63 - Long.numberOfLeadingZeros(count);
        s = Math.min(s, 32);
        s = Math.min(s, 31 + m.shift());
        int multiplier = (int) (((long) m.multiplier() << s) / count);
        return new FixedPoint.Multiplier(multiplier, m.shift() - s);
    }
}
