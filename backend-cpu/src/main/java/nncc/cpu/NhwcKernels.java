package nncc.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.Layout;
import nncc.ir.op.MaxPool;
import nncc.ir.op.Op;
import nncc.ir.op.QAveragePool;
import nncc.ir.op.QConv;
import nncc.ir.op.Transpose;

/**
 * The reference for spatial ops in {@code layout = nhwc} (QConv, QConvTranspose, MaxPool, QAveragePool): the op's NCHW kernel on the
 * permuted tensors. The input is permuted NHWC to NCHW, a constant filter is permuted to OIHW once when the model is
 * prepared, and the output is permuted back. An NHWC op computes exactly the integers of its NCHW form
 * ({@link Layout}), so this is the definition, not an approximation; the permutations cost a copy of each activation.
 */
final class NhwcKernels {
    private NhwcKernels() {}

    static Kernel qConv(QConv op, NodeContext ctx) {
        boolean dw = Layout.depthwise(op.group(), ctx.inputTypes().get(0));
        return wrap(ctx, op.withLayout(Layout.NCHW), op.group(), dw ? Layout.DEPTHWISE_TO_OIHW : Layout.TO_NCHW,
                c -> QuantizedLinearKernels.qConv((QConv) c.node().op(), c));
    }

    static Kernel qConvTranspose(nncc.ir.op.QConvTranspose op, NodeContext ctx) {
        return wrap(ctx, op.withLayout(Layout.NCHW), 1, Layout.TO_NCHW,
                c -> TransposeConvKernels.qConvTranspose((nncc.ir.op.QConvTranspose) c.node().op(), c));
    }

    static Kernel maxPool(MaxPool op, NodeContext ctx) {
        return wrap(ctx, op.withLayout(Layout.NCHW), 1, null, c -> PoolKernels.maxPool((MaxPool) c.node().op(), c));
    }

    static Kernel qAveragePool(QAveragePool op, NodeContext ctx) {
        return wrap(ctx, op.withLayout(Layout.NCHW), 1, null, c -> QuantizedReductionKernels.qAveragePool((QAveragePool) c.node().op(), c));
    }

    /** {@code nchwOp}'s kernel behind permutations; {@code filterToOihw} is null for ops without a filter. */
    private static Kernel wrap(NodeContext ctx, Op nchwOp, int group, List<Integer> filterToOihw, Function<NodeContext, Kernel> factory) {
        Node n = ctx.node();
        List<TensorType> nchwTypes = Layout.NHWC.toNchw(ctx.inputTypes(), group, filterToOihw != null);
        List<Value> inputs = new ArrayList<>();
        for (int i = 0; i < n.inputs().size(); i++) inputs.add(n.input(i).withType(nchwTypes.get(i)));
        List<TensorType> outTypes = nchwOp.inferTypes(nchwTypes);
        List<Value> outputs = new ArrayList<>();
        for (int i = 0; i < n.outputs().size(); i++) outputs.add(n.output(i).withType(outTypes.get(i)));
        NdArray[] constants = ctx.constants().clone();
        if (constants.length > 0 && constants[0] != null) constants[0] = permute(constants[0], Layout.TO_NCHW);
        if (filterToOihw != null && constants.length > 1 && constants[1] != null) constants[1] = permute(constants[1], filterToOihw);
        Kernel inner = factory.apply(new NodeContext(new Node(n.name(), nchwOp, inputs, outputs), nchwTypes, constants,
                ctx.kernels(), ctx.parallel(), ctx.deferred()));
        return (in, types) -> {
            NdArray[] x = in.clone();
            x[0] = constants.length > 0 && constants[0] != null ? constants[0] : permute(in[0], Layout.TO_NCHW);
            if (filterToOihw != null && x.length > 1) x[1] = constants[1] != null ? constants[1] : permute(in[1], filterToOihw);
            TensorType[] nchwOut = new TensorType[types.length];
            for (int i = 0; i < types.length; i++) nchwOut[i] = types[i] == null ? null : Layout.permute(types[i], Layout.TO_NCHW);
            NdArray[] y = inner.run(x, nchwOut);
            NdArray[] r = new NdArray[y.length];
            for (int i = 0; i < y.length; i++) r[i] = y[i] == null ? null : permute(y[i], Layout.TO_NHWC);
            return r;
        };
    }

    /** {@code x} with its dims permuted ({@code out[i] = x[perm[i]]}). */
    static NdArray permute(NdArray x, List<Integer> perm) {
        int[] shape = new int[perm.size()];
        for (int i = 0; i < shape.length; i++) shape[i] = x.shape[perm.get(i)];
        TensorType t = TensorType.of(x.dtype, Shape.of(shape));
        return ShapeKernels.transpose(new Transpose(perm)).run(new NdArray[] {x}, new TensorType[] {t})[0];
    }
}
