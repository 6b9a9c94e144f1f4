package nncc.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import java.util.ArrayList;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.Value;
import nncc.ir.op.Concat;
import nncc.ir.op.Flatten;
import nncc.ir.op.Gather;
import nncc.ir.op.Pad;
import nncc.ir.op.Reshape;
import nncc.ir.op.Shapes;
import nncc.ir.op.Slice;
import nncc.ir.op.Squeeze;
import nncc.ir.op.Transpose;
import nncc.ir.op.Unsqueeze;

/**
 * Importers of the data-movement ops on run-time values (Reshape, Flatten, Transpose, Concat, Squeeze,
 * Unsqueeze, Pad, Gather, Slice, Split) and of Constant. Reshape takes its target from a folded constant or from a shape
 * vector with symbolic entries, which becomes 0 (copy the dim) or -1 (infer it).
 */
final class ShapeOpImporters {
    private ShapeOpImporters() {}

    static void reshape(OnnxNode n) {
        Value x = n.input(0);
        boolean allowZero = n.getInt("allowzero", 0) != 0;
        List<Long> target = new ArrayList<>();
        if (n.opset() < 5) {
            List<Long> attr = n.getInts("shape", null);
            if (attr == null) throw n.error("attribute shape is required");
            target.addAll(attr);
        } else {
            Object k = n.known(1);
            if (k == null) throw n.error("run-time Reshape shape (input '" + (n.hasInput(1) ? n.inputName(1) : "")
                    + "') is not supported; it must fold to a constant");
            if (k instanceof Tensor t) {
                for (long v : t.toLongs()) target.add(v);
            } else {
                SymbolicInts s = (SymbolicInts) k;
                Shape in = x.type().shape();
                boolean hasMinusOne = s.dims().stream().anyMatch(d -> !d.isSymbolic() && d.value() == -1);
                boolean copied = false;
                for (int i = 0; i < s.dims().size(); i++) {
                    SymbolicInts.Dim d = s.dims().get(i);
                    if (!d.isSymbolic()) target.add(d.value());
                    else if (i < in.rank() && d.symbol().equals(in.symbol(i))) { target.add(0L); copied = true; }
                    else if (!hasMinusOne) { target.add(-1L); hasMinusOne = true; }
                    else throw n.error("cannot express the target shape " + s + " of input " + in
                            + " with one -1 and copied dims");
                }
                if (copied && allowZero) {
                    if (s.dims().stream().anyMatch(d -> !d.isSymbolic() && d.value() == 0))
                        throw n.error("allowzero = 1 with a literal 0 and copied symbolic dims in " + s);
                    allowZero = false;
                }
            }
        }
        n.emit(new Reshape(target, allowZero), List.of(x));
    }

    static void flatten(OnnxNode n) {
        n.emit(new Flatten(n.getIntAttr("axis", 1)), List.of(n.input(0)));
    }

    static void transpose(OnnxNode n) {
        Value x = n.input(0);
        n.emit(new Transpose(OpInputs.transposePerm(n, x.type().rank())), List.of(x));
    }

    static void concat(OnnxNode n) {
        List<Value> in = new ArrayList<>();
        for (int i = 0; i < n.inputCount(); i++) if (n.hasInput(i)) in.add(n.input(i));
        n.emit(new Concat(OpInputs.concatAxis(n)), in);
    }

    static void squeeze(OnnxNode n) {
        n.emit(new Squeeze(OpInputs.squeezeAxes(n)), List.of(n.input(0)));
    }

    static void unsqueeze(OnnxNode n) {
        n.emit(new Unsqueeze(OpInputs.unsqueezeAxes(n)), List.of(n.input(0)));
    }

    static void gather(OnnxNode n) {
        n.emit(new Gather(n.getIntAttr("axis", 0)), List.of(n.input(0), n.input(1)));
    }

    /** Slice of a run-time tensor: the bounds must be constants (attributes before opset 10, inputs since). */
    static void slice(OnnxNode n) {
        Value x = n.input(0);
        OpInputs.SliceBounds b = OpInputs.slice(n, x.type().rank());
        List<Integer> axes = new ArrayList<>();
        for (int a : b.axes()) axes.add(Shapes.axis(a, x.type().rank()));
        n.emit(new Slice(axes, boxed(b.starts()), boxed(b.ends()), boxed(b.steps())), List.of(x));
    }

    /**
     * Split of a run-time tensor into consecutive pieces along {@code axis}: one Slice per output. The sizes come
     * from {@code split} (an attribute before opset 13, an optional constant input since), else the dim is cut
     * into equal parts (opset 18: {@code num_outputs} parts of ceil(d / num_outputs), the last one smaller).
     */
    static void split(OnnxNode n) {
        Value x = n.input(0);
        int axis = Shapes.axis(n.getIntAttr("axis", 0), x.type().rank());
        if (x.type().shape().isSymbolic(axis)) throw n.error("cannot split symbolic dim " + axis + " of " + x.type());
        long dim = x.type().shape().dim(axis);
        int parts = n.outputCount();
        long[] sizes;
        if (n.opset() < 13 && n.has("split")) sizes = n.getInts("split", null).stream().mapToLong(Long::longValue).toArray();
        else if (n.opset() >= 13 && n.hasInput(1)) sizes = n.requireConstant(1, "split").toLongs();
        else {
            if (n.opset() >= 18) {
                if (!n.has("num_outputs")) throw n.error("either input split or attribute num_outputs is required");
                parts = n.getIntAttr("num_outputs", 0);
                if (parts != n.outputCount())
                    throw n.error("num_outputs " + parts + " differs from the " + n.outputCount() + " outputs");
            }
            long each = n.opset() >= 18 ? (dim + parts - 1) / parts : dim / parts;
            if (n.opset() < 18 && dim % parts != 0)
                throw n.error("dim " + axis + " of " + x.type() + " does not split into " + parts + " equal parts");
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) sizes[i] = Math.max(0, Math.min(each, dim - i * each));
        }
        if (sizes.length != n.outputCount())
            throw n.error("split sizes " + java.util.Arrays.toString(sizes) + " do not match the " + n.outputCount() + " outputs");
        long total = 0;
        for (long s : sizes) {
            if (s < 0) throw n.error("negative split size in " + java.util.Arrays.toString(sizes));
            total += s;
        }
        if (total != dim)
            throw n.error("split sizes " + java.util.Arrays.toString(sizes) + " add up to " + total + ", not dim " + axis + " = " + dim);
        long start = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (n.hasOutput(i)) {
                Slice piece = new Slice(List.of(axis), List.of(start), List.of(start + sizes[i]), List.of(1L));
                n.scope.emit(n.name + "_" + i, piece, List.of(x), List.of(n.outputName(i)));
            }
            start += sizes[i];
        }
    }

    private static List<Long> boxed(long[] v) {
        List<Long> l = new ArrayList<>();
        for (long e : v) l.add(e);
        return l;
    }

    /** Pad: attributes pads/mode/value before opset 11 ({@code paddings} in opset 1), constant inputs since. */
    static void pad(OnnxNode n) {
        Value x = n.input(0);
        int r = x.type().rank();
        String mode = n.getString("mode", "constant");
        Pad.Mode m = switch (mode) {
            case "constant" -> Pad.Mode.CONSTANT;
            case "reflect" -> Pad.Mode.REFLECT;
            case "edge" -> Pad.Mode.EDGE;
            default -> throw n.error("unsupported pad mode '" + mode + "'");
        };
        List<Long> pads;
        float value;
        if (n.opset() < 11) {
            pads = n.getInts(n.opset() < 2 ? "paddings" : "pads", null);
            if (pads == null) throw n.error("attribute pads is required");
            value = n.getFloat("value", 0f);
        } else {
            pads = new ArrayList<>();
            for (long v : n.requireConstant(1, "pads").toLongs()) pads.add(v);
            value = n.hasInput(2) ? n.requireConstant(2, "constant_value").toFloats()[0] : 0f;
            if (n.hasInput(3)) pads = expandPads(n, pads, OpInputs.ints(n, n.requireConstant(3, "axes")), r);
        }
        if (pads.size() != 2 * r) throw n.error("pads " + pads + " need " + 2 * r + " entries for input " + x.type());
        n.emit(new Pad(pads, m, value), List.of(x));
    }

    /** Opset 18 pads given only for {@code axes}: spread to every dim (zeros elsewhere). */
    private static List<Long> expandPads(OnnxNode n, List<Long> pads, List<Integer> axes, int rank) {
        if (pads.size() != 2 * axes.size()) throw n.error("pads " + pads + " do not match axes " + axes);
        Long[] full = new Long[2 * rank];
        java.util.Arrays.fill(full, 0L);
        for (int k = 0; k < axes.size(); k++) {
            int a = Shapes.axis(axes.get(k), rank);
            full[a] = pads.get(k);
            full[a + rank] = pads.get(k + axes.size());
        }
        return List.of(full);
    }

    /** Constant: a tensor, or (opset 12+) a float/int scalar or list; becomes a graph constant when read. */
    static void constant(OnnxNode n) {
        Tensor t;
        AttributeProto a;
        if ((a = n.attribute("value")) != null) t = OnnxTensors.fromProto(a.getT());
        else if ((a = n.attribute("value_float")) != null) t = Tensor.scalar(a.getF());
        else if ((a = n.attribute("value_floats")) != null) {
            float[] f = new float[a.getFloatsCount()];
            for (int i = 0; i < f.length; i++) f[i] = a.getFloats(i);
            t = Tensor.ofFloats(Shape.of(f.length), f);
        } else if ((a = n.attribute("value_int")) != null) t = Tensor.ofLongs(DType.I64, Shape.SCALAR, a.getI());
        else if ((a = n.attribute("value_ints")) != null)
            t = Tensor.ofLongs(DType.I64, Shape.of(a.getIntsCount()), a.getIntsList().stream().mapToLong(Long::longValue).toArray());
        else if (n.has("value_string") || n.has("value_strings")) throw n.error("string constants are not supported");
        else if (n.has("sparse_value")) throw n.error("sparse constants are not supported");
        else throw n.error("no value attribute");
        n.defineOutput(0, t);
    }
}
