package nncc.passes;

import java.util.Arrays;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Value;
import nncc.ir.op.BatchNormalization;
import nncc.ir.op.Dequantize;
import nncc.ir.op.DynamicQuantConv;
import nncc.ir.op.DynamicQuantGemm;
import nncc.ir.op.Op;
import nncc.ir.op.QAdd;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QConv;
import nncc.ir.op.QGemm;
import nncc.ir.op.QLut;
import nncc.ir.op.QMean;
import nncc.ir.op.QMul;
import nncc.ir.op.QSoftmax;
import nncc.ir.op.Quantize;
import nncc.ir.op.Requantize;

/**
 * How far a graph has come through the pipeline, in order. A pass needs a stage and may advance it; the
 * {@link PassManager} keeps the current stage and refuses a pass whose stage has not been reached.
 */
public enum Stage {
    IMPORTED, SHAPES_INFERRED, BN_FOLDED, RANGES_ANNOTATED, SCALES_FOLDED, REQUANT_INSERTED, LOWERED;

    /** The kebab-case spelling, e.g. {@code bn-folded}. */
    public String text() { return name().toLowerCase().replace('_', '-'); }

    /** The stage spelled {@code text} (kebab-case, as {@link #text()}), or a ModelException listing the stages. */
    public static Stage parse(String text) {
        for (Stage s : values()) if (s.text().equals(text)) return s;
        throw new ModelException("unknown stage '" + text + "' (known: "
                + Arrays.stream(values()).map(Stage::text).toList() + ")");
    }

    /**
     * The stage a loaded, verified graph is at, judged from its content (a model file does not record its stage):
     * integer compute ops mean {@link #LOWERED}; Quantize/Dequantize/Requantize nodes {@link #REQUANT_INSERTED};
     * quantization plans on float values {@link #RANGES_ANNOTATED}; a BatchNormalization {@link #SHAPES_INFERRED}
     * (a verified graph's types are consistent); anything else {@link #BN_FOLDED}. A caller that knows better
     * (say, scales were already folded) passes its own stage to {@link PassManager#run}.
     */
    public static Stage of(Graph g) {
        boolean boundary = false, plans = false, batchNorm = false;
        for (Value v : g.inputs()) plans |= isPlan(v);
        for (Graph.Constant c : g.constants()) plans |= isPlan(c.value());
        for (Node n : g.nodes()) {
            Op op = n.op();
            if (isIntegerCompute(op)) return LOWERED;
            boundary |= op instanceof Quantize || op instanceof Dequantize || op instanceof Requantize;
            batchNorm |= op instanceof BatchNormalization;
            for (Value v : n.outputs()) plans |= isPlan(v);
        }
        if (boundary) return REQUANT_INSERTED;
        if (plans) return RANGES_ANNOTATED;
        return batchNorm ? SHAPES_INFERRED : BN_FOLDED;
    }

    private static boolean isPlan(Value v) { return v.type().dtype().isFloat() && v.type().quant() != null; }

    private static boolean isIntegerCompute(Op op) {
        return op instanceof QConv || op instanceof QGemm || op instanceof QAdd || op instanceof QMul
                || op instanceof QMean || op instanceof QAveragePool || op instanceof QLut || op instanceof QSoftmax
                || op instanceof DynamicQuantConv || op instanceof DynamicQuantGemm || op instanceof nncc.ir.op.QConvTranspose;
    }
}
