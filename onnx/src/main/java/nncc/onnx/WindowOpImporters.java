package nncc.onnx;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.op.AveragePool;
import nncc.ir.op.Conv;
import nncc.ir.op.ConvInteger;
import nncc.ir.op.ConvTranspose;
import nncc.ir.op.GlobalAveragePool;
import nncc.ir.op.MaxPool;
import nncc.ir.op.QLinearConv;

/**
 * Importers of the sliding-window ops (Conv, ConvTranspose, QLinearConv, ConvInteger, MaxPool, AveragePool,
 * GlobalAveragePool). Missing strides/dilations/pads get ONNX defaults and {@code auto_pad} is resolved to
 * explicit pads from the static spatial dims, so the IR records only ever carry explicit numbers.
 */
final class WindowOpImporters {
    private WindowOpImporters() {}

    /** Kernel, strides, explicit pads [begin..., end...] and dilations of one windowed node. */
    record Window(List<Integer> kernel, List<Integer> strides, List<Integer> pads, List<Integer> dilations) {}

    static void conv(OnnxNode n) {
        Window w = convWindow(n, n.inputType(0), n.inputType(1));
        List<Value> in = new ArrayList<>(List.of(n.input(0), n.input(1)));
        if (n.hasInput(2)) in.add(n.input(2));
        n.emit(new Conv(w.strides(), w.pads(), w.dilations(), n.getIntAttr("group", 1)), in);
    }

    static void convInteger(OnnxNode n) {
        Window w = convWindow(n, n.inputType(0), n.inputType(1));
        Value x = n.input(0), wt = n.input(1);
        Value xZero = MatMulImporters.zeroPoint(n, 2, x.type().dtype(), Shape.SCALAR, "x_zero_point");
        Value wZero = MatMulImporters.zeroPoint(n, 3, wt.type().dtype(), Shape.SCALAR, "w_zero_point");
        n.emit(new ConvInteger(w.strides(), w.pads(), w.dilations(), n.getIntAttr("group", 1)), List.of(x, wt, xZero, wZero));
    }

    /** Inputs x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, optional bias; absent zero points become zeros. */
    static void qlinearConv(OnnxNode n) {
        TensorType x = n.inputType(0), w = n.inputType(3);
        Window win = convWindow(n, x, w);
        DType outType = n.hasInput(7) ? n.inputType(7).dtype() : x.dtype();
        List<Value> in = new ArrayList<>();
        in.add(n.input(0));
        in.add(n.input(1));
        in.add(MatMulImporters.zeroPoint(n, 2, x.dtype(), n.inputType(1).shape(), "x_zero_point"));
        in.add(n.input(3));
        in.add(n.input(4));
        in.add(MatMulImporters.zeroPoint(n, 5, w.dtype(), n.inputType(4).shape(), "w_zero_point"));
        in.add(n.input(6));
        in.add(MatMulImporters.zeroPoint(n, 7, outType, n.inputType(6).shape(), "y_zero_point"));
        if (n.hasInput(8)) in.add(n.input(8));
        n.emit(new QLinearConv(win.strides(), win.pads(), win.dilations(), n.getIntAttr("group", 1), outType), in);
    }

    static void convTranspose(OnnxNode n) {
        TensorType x = n.inputType(0), wt = n.inputType(1);
        List<Integer> kernel = weightKernel(n, x, wt);
        int sp = kernel.size();
        List<Integer> strides = perDim(n, "strides", sp, 1);
        List<Integer> dilations = perDim(n, "dilations", sp, 1);
        List<Integer> outPad = new ArrayList<>(perDim(n, "output_padding", sp, 0));
        String autoPad = autoPad(n);
        List<Long> outputShape = n.getInts("output_shape", null);
        List<Integer> pads;
        if (outputShape != null || autoPad.startsWith("SAME")) {
            if (outputShape != null && outputShape.size() != sp && outputShape.size() != sp + 2)
                throw n.error("output_shape " + outputShape + " does not match " + sp + " spatial dims");
            Integer[] p = new Integer[2 * sp];
            for (int i = 0; i < sp; i++) {
                long in = staticSpatial(n, x.shape(), i);
                long target = outputShape != null ? outputShape.get(outputShape.size() - sp + i) : in * strides.get(i);
                long total = strides.get(i) * (in - 1) + outPad.get(i) + (long) (kernel.get(i) - 1) * dilations.get(i) + 1 - target;
                if (total < 0) { // the output is larger than the input covers: extra zeros at the end
                    outPad.set(i, Math.toIntExact(outPad.get(i) - total));
                    total = 0;
                }
                long half = total / 2;
                // ONNX: SAME_UPPER puts the smaller half first, otherwise the larger half goes first
                long begin = autoPad.equals("SAME_UPPER") ? half : total - half;
                p[i] = (int) begin;
                p[i + sp] = (int) (total - begin);
            }
            pads = List.of(p);
        } else if (autoPad.equals("VALID")) {
            pads = Collections.nCopies(2 * sp, 0);
        } else {
            pads = perDim(n, "pads", 2 * sp, 0);
        }
        List<Value> in = new ArrayList<>(List.of(n.input(0), n.input(1)));
        if (n.hasInput(2)) in.add(n.input(2));
        n.emit(new ConvTranspose(strides, pads, dilations, n.getIntAttr("group", 1), outPad), in);
    }

    static void maxPool(OnnxNode n) {
        TensorType x = n.inputType(0);
        Window w = window(n, x.shape(), poolKernel(n, x));
        boolean ceil = n.getInt("ceil_mode", 0) != 0;
        int storageOrder = n.getIntAttr("storage_order", 0);
        if (storageOrder != 0 && storageOrder != 1) throw n.error("attribute storage_order = " + storageOrder + " is not supported");
        n.emit(new MaxPool(w.kernel(), w.strides(), w.pads(), w.dilations(), ceil, storageOrder), List.of(n.input(0)));
    }

    static void averagePool(OnnxNode n) {
        TensorType x = n.inputType(0);
        Window w = window(n, x.shape(), poolKernel(n, x));
        if (w.dilations().stream().anyMatch(d -> d != 1))
            throw n.error("attribute dilations = " + w.dilations() + " is not supported (only 1)");
        boolean ceil = n.getInt("ceil_mode", 0) != 0;
        boolean includePad = n.getInt("count_include_pad", 0) != 0;
        n.emit(new AveragePool(w.kernel(), w.strides(), w.pads(), ceil, includePad), List.of(n.input(0)));
    }

    static void globalAveragePool(OnnxNode n) {
        n.emit(new GlobalAveragePool(), List.of(n.input(0)));
    }

    /** The window of a conv-like node: the kernel comes from the weight's spatial dims. */
    private static Window convWindow(OnnxNode n, TensorType x, TensorType w) {
        return window(n, x.shape(), weightKernel(n, x, w));
    }

    private static List<Integer> weightKernel(OnnxNode n, TensorType x, TensorType w) {
        if (!w.shape().isStatic()) throw n.error("weight " + w + " must have a static shape");
        if (w.rank() < 3 || w.rank() != x.rank()) throw n.error("weight " + w + " and input " + x + " must share rank >= 3");
        List<Integer> kernel = new ArrayList<>();
        for (int i = 2; i < w.rank(); i++) kernel.add(Math.toIntExact(w.shape().dim(i)));
        List<Integer> declared = n.getIntList("kernel_shape", null);
        if (declared != null && !declared.equals(kernel))
            throw n.error("attribute kernel_shape = " + declared + " does not match the weight " + w);
        return kernel;
    }

    private static List<Integer> poolKernel(OnnxNode n, TensorType x) {
        List<Integer> kernel = n.getIntList("kernel_shape", null);
        if (kernel == null) throw n.error("attribute kernel_shape is required");
        if (kernel.size() != x.rank() - 2) throw n.error("kernel_shape " + kernel + " does not match input " + x);
        if (kernel.stream().anyMatch(k -> k < 1)) throw n.error("attribute kernel_shape = " + kernel + " must be positive");
        return kernel;
    }

    /** Strides, dilations and pads with ONNX defaults, auto_pad resolved against the static spatial dims. */
    static Window window(OnnxNode n, Shape x, List<Integer> kernel) {
        int sp = kernel.size();
        List<Integer> strides = perDim(n, "strides", sp, 1);
        List<Integer> dilations = perDim(n, "dilations", sp, 1);
        String autoPad = autoPad(n);
        List<Integer> pads = switch (autoPad) {
            case "NOTSET" -> perDim(n, "pads", 2 * sp, 0);
            case "VALID" -> Collections.nCopies(2 * sp, 0);
            default -> samePads(n, x, kernel, strides, dilations, autoPad.equals("SAME_LOWER"));
        };
        if (pads.stream().anyMatch(p -> p < 0)) throw n.error("attribute pads = " + pads + " must not be negative");
        return new Window(kernel, strides, pads, dilations);
    }

    /** SAME_UPPER/SAME_LOWER: output = ceil(input / stride); the odd pad goes to the end (upper) or the begin (lower). */
    private static List<Integer> samePads(OnnxNode n, Shape x, List<Integer> kernel, List<Integer> strides,
                                          List<Integer> dilations, boolean lower) {
        int sp = kernel.size();
        Integer[] pads = new Integer[2 * sp];
        for (int i = 0; i < sp; i++) {
            long in = staticSpatial(n, x, i);
            int s = strides.get(i);
            long out = (in + s - 1) / s;
            long total = Math.max(0, (out - 1) * s + (long) (kernel.get(i) - 1) * dilations.get(i) + 1 - in);
            long small = total / 2;
            pads[i] = (int) (lower ? total - small : small);
            pads[i + sp] = (int) (lower ? small : total - small);
        }
        return List.of(pads);
    }

    private static long staticSpatial(OnnxNode n, Shape x, int i) {
        if (x.rank() < 2 + i + 1 || x.isSymbolic(2 + i))
            throw n.error("auto_pad/output_shape need static spatial dims, got input " + x);
        return x.dim(2 + i);
    }

    private static String autoPad(OnnxNode n) {
        String p = n.getString("auto_pad", "NOTSET");
        if (p.isEmpty()) p = "NOTSET";
        return switch (p) {
            case "NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER" -> p;
            default -> throw n.error("attribute auto_pad = '" + p + "' is not supported");
        };
    }

    /** An ints attribute of exactly {@code count} entries, or {@code count} copies of {@code dflt}. */
    private static List<Integer> perDim(OnnxNode n, String attr, int count, int dflt) {
        List<Integer> v = n.getIntList(attr, null);
        if (v == null) return Collections.nCopies(count, dflt);
        if (v.size() != count) throw n.error("attribute " + attr + " = " + v + " needs " + count + " entries");
        return v;
    }
}
