package nncc.passes.train;

import java.io.PrintWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.Verifier;
import nncc.ir.op.*;
import nncc.passes.PassManager;
import nncc.passes.PassRegistry;
import nncc.passes.Stage;
import nncc.passes.calib.CalibratePass;
import nncc.passes.calib.CalibrationData;
import nncc.passes.calib.ObserverKind;
import nncc.passes.quant.WeightQuantizer;

/**
 * Builds the quantization-aware training graph of a float model: the model prepared as the quantizer prepares it
 * (BatchNorm folded, activations fused), then a {@link FakeQuant} wherever the integer graph holds a quantized
 * tensor: on the graph input, on every conv/dense/add/pool output (after its fused Relu/Relu6), on data movement
 * outputs with their input's grid, and on each conv/dense weight (signed, narrow range, per output channel, at
 * {@code weightBits}). Activation grids (int8) come from post-training calibration (min/max observer), weight
 * scales from the post-training weight quantizer ({@link WeightQuantizer#symmetric}), so training starts from the
 * post-training model. With {@link Options#convBn} the BatchNorms after convs are kept in the {@link ConvBnForm}
 * training form instead (prepare without BatchNorm folding; the weight FakeQuant reads the BatchNorm-scaled weights,
 * and only the values the folded graph holds get an activation FakeQuant, with the grids calibrated on it);
 * {@link #finish} folds them after training.
 *
 * <pre>{@code
 * // before (prepared)
 * node @conv = Conv {..., activation = relu6} (%x, %w, %b) -> (%y : f32[?N,16,28,28])
 * // after
 * node @x.fq = FakeQuant {scales = [0.003921569], zeroPoints = [-128], bits = 8, ...} (%x) -> (%x.fq : f32[?N,1,28,28])
 * node @w.fq = FakeQuant {scales = [...16 scales], zeroPoints = [0, ...], bits = 4, narrowRange = true, signed = true, axis = 0} (%w) -> (%w.fq : f32[16,1,3,3])
 * node @conv = Conv {..., activation = relu6} (%x.fq, %w.fq, %b) -> (%y : f32[?N,16,28,28])
 * node @y.fq = FakeQuant {scales = [0.023529412], zeroPoints = [-128], bits = 8, ...} (%y) -> (%y.fq : f32[?N,16,28,28])
 * }</pre>
 */
public final class QuantAwareGraph {
    private QuantAwareGraph() {}

    /**
     * Activation bits (int8) and weight bits (2..8, per channel unless {@code perTensorWeights}); {@code convBn}:
     * keep each Conv + BatchNormalization in the {@link ConvBnForm} training form instead of folding first.
     */
    public record Options(int weightBits, boolean perTensorWeights, int threads, boolean convBn) {
        public Options {
            if (weightBits < 2 || weightBits > 8) throw new ModelException("weight bits must be in 2..8, got " + weightBits);
        }

        /** BatchNorm folded before training. */
        public Options(int weightBits, boolean perTensorWeights, int threads) {
            this(weightBits, perTensorWeights, threads, false);
        }
    }

    /** The prepare pipeline without BatchNorm folding, for the ConvBn training form. */
    private static final String PREPARE_KEEPING_BATCHNORM =
            "infer-shapes,remove-noops,fold-constants,fuse-layer-norm,fuse-gelu,matmul-to-conv,fuse-activations";

    /** {@code model} (not modified) prepared as the quantizer prepares it but with its BatchNormalizations kept. */
    public static Graph prepareKeepingBatchNorm(Graph model) {
        Graph prepared = model.copy();
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        new PassManager(PassRegistry.parse(PREPARE_KEEPING_BATCHNORM), PassManager.Options.defaults(), quiet)
                .run(prepared, Stage.of(prepared));
        return prepared;
    }

    /**
     * Whether the ConvBn training form applies to {@code model}: it has a convolution followed by a BatchNormalization
     * and every BatchNormalization follows a convolution (one after a Concat or a pool has no conv to fold into).
     */
    public static boolean suitsConvBn(Graph model) {
        Graph g = prepareKeepingBatchNorm(model);
        return ConvBnForm.loneBatchNorms(g).isEmpty() && ConvBnForm.rewrite(g) > 0;
    }

    /**
     * Finishes a trained graph for export: folds the ConvBn chains into their convs ({@link ConvBnForm#fold}), fuses
     * the activations that followed them into the convs again, and snaps the biases ({@link #snapBiases}).
     */
    public static Graph finish(Graph trained) {
        if (ConvBnForm.fold(trained) > 0) {
            PrintWriter quiet = new PrintWriter(Writer.nullWriter());
            new PassManager(PassRegistry.parse("fuse-activations"), PassManager.Options.defaults(), quiet)
                    .run(trained, Stage.of(trained));
        }
        snapBiases(trained);
        Verifier.verify(trained);
        return trained;
    }

    /** {@code model} (not modified) prepared as the quantizer prepares it: BatchNorm folded, activations fused. */
    public static Graph prepareFloat(Graph model) {
        Graph prepared = model.copy();
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        new PassManager(PassRegistry.parse("prepare"), PassManager.Options.defaults(), quiet).run(prepared, Stage.of(prepared));
        return prepared;
    }

    /** The fake-quant training graph of {@code model} (not modified), with grids from {@code calibration}. */
    public static Graph build(Graph model, CalibrationData calibration, Options options) {
        Graph prepared = prepareFloat(model);
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        calibration.requireFits(prepared);
        Graph calibrated = prepared.copy();
        CalibratePass.Options copts = CalibratePass.Options.of(calibration, ObserverKind.MINMAX).withActivationType(DType.I8)
                .withThreads(options.threads());
        new PassManager(List.of(new CalibratePass(copts)), PassManager.Options.defaults(), quiet).run(calibrated, Stage.BN_FOLDED);
        Map<String, Value> calibratedValues = calibrated.valuesByName();
        if (options.convBn()) {
            prepared = prepareKeepingBatchNorm(model);
            List<String> lone = ConvBnForm.loneBatchNorms(prepared);
            if (!lone.isEmpty())
                throw new ModelException(null, lone.get(0), "BatchNormalization '" + lone.get(0)
                        + "' does not follow a convolution, so the ConvBn training form cannot fold it; fold BatchNorm before training");
            ConvBnForm.rewrite(prepared);
        }

        Graph out = prepared.copy();
        List<Node> nodes = new ArrayList<>();
        Map<String, Value> renamed = new HashMap<>();
        Map<String, FakeQuant> grids = new HashMap<>();
        for (Value in : prepared.inputs()) {
            FakeQuant fq = activationGrid(calibratedValues, in);
            renamed.put(in.name(), addFakeQuant(out, nodes, in, fq, grids));
        }
        for (Node n : prepared.nodes()) {
            List<Value> ins = new ArrayList<>();
            for (int i = 0; i < n.inputs().size(); i++) {
                Value v = n.input(i);
                Node scaling = i == 1 && n.op() instanceof Conv ? prepared.producer(v) : null;
                boolean folded = scaling != null && ConvBnForm.match(prepared, scaling) != null;
                if (i == 1 && isWeighted(n) && (prepared.isConstant(v) || folded)) {
                    Value w = renamed.get(v.name());
                    if (w == null) {
                        nncc.ir.Tensor data = folded ? foldedWeights(prepared, scaling) : prepared.constantData(v);
                        w = addFakeQuant(out, nodes, v, weightGrid(data, n, options), grids);
                        renamed.put(v.name(), w);
                    }
                    ins.add(w);
                } else ins.add(renamed.getOrDefault(v.name(), v));
            }
            nodes.add(n.withInputs(ins));
            for (Value y : n.outputs()) {
                if (!y.type().dtype().isFloat() || n.outputs().size() != 1) continue;
                // ConvBn form: only the values the folded graph holds are quantized (not the chain's inner ones)
                if (options.convBn() && !calibratedValues.containsKey(y.name())) continue;
                FakeQuant fq = n.op() instanceof DataMovementOp && grids.containsKey(ins.get(0).name())
                        ? grids.get(ins.get(0).name()) : activationGrid(calibratedValues, y);
                renamed.put(y.name(), addFakeQuant(out, nodes, y, fq, grids));
            }
        }
        List<Value> outputs = new ArrayList<>();
        for (Value o : prepared.outputs()) outputs.add(renamed.getOrDefault(o.name(), o));
        // the graph outputs keep their names: the last FakeQuant writes the output's name, the op before it a new one
        out.setNodes(nodes);
        out.setOutputs(outputs);
        out.removeUnusedConstants();
        snapBiases(out);
        Verifier.verify(out);
        return out;
    }

    /**
     * Puts every conv/dense bias of a fake-quant graph on the int32 grid the lowering quantizes it to (scale
     * {@code s_x * s_w[c]} in float32, the codes {@code rint(b / scale)}): {@code b = code * scale}. The lowering then
     * reads back exactly these codes, so the float graph adds the bias the integer graph adds. Returns how many
     * biases changed; call it after the scales last changed (after training).
     */
    public static int snapBiases(Graph g) {
        Map<String, Node> producers = new HashMap<>();
        for (Node n : g.nodes()) for (Value v : n.outputs()) producers.put(v.name(), n);
        int changed = 0;
        for (Node n : g.nodes()) {
            if (!isWeighted(n) || n.inputs().size() < 3 || !g.isConstant(n.input(2))) continue;
            Node xq = producers.get(n.input(0).name()), wq = producers.get(n.input(1).name());
            if (xq == null || wq == null || !(xq.op() instanceof FakeQuant fx) || !(wq.op() instanceof FakeQuant fw)
                    || fx.axis() >= 0 || !g.isConstant(wq.input(0))) continue;
            nncc.ir.Tensor b = g.constantData(n.input(2));
            float[] v = b.toFloats();
            for (int c = 0; c < v.length; c++) v[c] = snapBias(v[c], fx.scales().get(0) * fw.scales().get(fw.scales().size() == 1 ? 0 : c));
            g.addConstant(n.input(2).name(), nncc.ir.Tensor.ofFloats(b.shape(), v), n.input(2).type().quant());
            changed++;
        }
        return changed;
    }

    /** {@code b} on the int32 grid of {@code scale} (float32 {@code s_x * s_w}): {@code rint(b / scale) * scale}. */
    static float snapBias(float b, float scale) {
        double code = Math.max(-Integer.MAX_VALUE, Math.min(Integer.MAX_VALUE, Math.rint(b / (double) scale)));
        return (float) (code * scale);
    }

    private static boolean isWeighted(Node n) {
        return n.op() instanceof Conv || n.op() instanceof Gemm || n.op() instanceof MatMul;
    }

    private static Value addFakeQuant(Graph g, List<Node> nodes, Value x, FakeQuant fq, Map<String, FakeQuant> grids) {
        String name = g.freshName(x.name() + ".fq");
        Value y = new Value(name, new TensorType(x.type().dtype(), x.type().shape(), null));
        nodes.add(new Node(name, fq, List.of(x), List.of(y)));
        grids.put(name, fq);
        return y;
    }

    private static FakeQuant activationGrid(Map<String, Value> calibrated, Value v) {
        Value c = calibrated.get(v.name());
        QuantParams q = c == null ? null : c.type().quant();
        if (q == null || q.isPerAxis())
            throw new ModelException(null, null, "calibration gave value %" + v.name() + " no per-tensor int8 grid");
        return FakeQuant.perTensor(q.scale(0), q.zeroPoint(0), 8, true);
    }

    /** Per output channel (dim 0 of conv and transB Gemm weights, dim 1 of MatMul/Gemm B) at the weight bits. */
    private static nncc.ir.Tensor foldedWeights(Graph g, Node scaling) {
        nncc.ir.Tensor w = g.constantData(scaling.input(0));
        float[] out = new float[w.toFloats().length];
        ConvBnForm.foldWeights(w.toFloats(), g.constantData(scaling.input(1)).toFloats(), out);
        return nncc.ir.Tensor.ofFloats(w.shape(), out);
    }

    private static FakeQuant weightGrid(nncc.ir.Tensor data, Node n, Options options) {
        boolean transposed = n.op() instanceof MatMul || n.op() instanceof Gemm gm && !gm.transB();
        nncc.ir.Tensor channelsFirst = transposed ? transpose2d(data) : data;
        WeightQuantizer.Weights q = WeightQuantizer.symmetric(channelsFirst, options.weightBits(), !options.perTensorWeights());
        List<Float> scales = new ArrayList<>();
        List<Long> zps = new ArrayList<>();
        for (int i = 0; i < q.params().count(); i++) {
            scales.add(q.params().scale(i));
            zps.add(0L);
        }
        int axis = q.params().isPerAxis() ? (transposed ? 1 : 0) : -1;
        return new FakeQuant(scales, zps, options.weightBits(), true, true, axis);
    }

    private static nncc.ir.Tensor transpose2d(nncc.ir.Tensor m) {
        int r = Math.toIntExact(m.shape().dim(0)), c = Math.toIntExact(m.shape().dim(1));
        float[] v = m.toFloats(), t = new float[v.length];
        for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) t[j * r + i] = v[i * c + j];
        return nncc.ir.Tensor.ofFloats(nncc.ir.Shape.of(c, r), t);
    }
}
