package nncc.tests;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import nncc.ir.DType;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;

/**
 * Runs ONNX models in ONNX Runtime (one thread, default graph optimizations, so QDQ groups fuse into ORT's
 * integer kernels) on nncc tensors, and measures how closely a dequantized ORT output matches nncc's integer
 * result, in output LSBs. Shared by the QDQ export tests and the end-to-end quantization tests.
 */
public final class OrtRunner {
    private OrtRunner() {}

    /** Runs the model file; inputs in the model's input order, outputs in its output order. */
    public static List<Tensor> runFloat(Path model, List<Tensor> inputs) {
        try {
            return runFloat(Files.readAllBytes(model), inputs);
        } catch (java.io.IOException e) {
            throw new AssertionError("cannot read " + model, e);
        }
    }

    /** Runs a serialized model; inputs in the model's input order (f32, i64, i32, i8 or u8), outputs in its order. */
    public static List<Tensor> runFloat(byte[] model, List<Tensor> inputs) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            opts.setInterOpNumThreads(1);
            try (OrtSession s = env.createSession(model, opts)) {
                List<String> names = new ArrayList<>(s.getInputNames());
                if (names.size() != inputs.size())
                    throw new AssertionError("model takes " + names.size() + " inputs " + names + ", got " + inputs.size());
                Map<String, OnnxTensor> feed = new LinkedHashMap<>();
                try {
                    for (int i = 0; i < names.size(); i++) feed.put(names.get(i), toOrt(env, inputs.get(i)));
                    try (OrtSession.Result r = s.run(feed)) {
                        List<Tensor> out = new ArrayList<>();
                        for (int i = 0; i < r.size(); i++) out.add(fromOrt((OnnxTensor) r.get(i)));
                        return out;
                    }
                } finally {
                    feed.values().forEach(OnnxTensor::close);
                }
            }
        } catch (OrtException e) {
            throw new AssertionError("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    /**
     * The op types of the graph ONNX Runtime actually runs after its extended (level 2) optimizations, which
     * include the QDQ fusions into integer kernels (QLinearConv, QGemm, QLinearAdd...), with their counts.
     */
    public static Map<String, Integer> optimizedOpCounts(byte[] model, Path scratch) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(1);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
            opts.setOptimizedModelFilePath(scratch.toString());
            try (OrtSession s = env.createSession(model, opts)) {
                Map<String, Integer> counts = new java.util.TreeMap<>();
                for (ai.onnx.proto.OnnxMl.NodeProto n : ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(scratch))
                        .getGraph().getNodeList())
                    counts.merge(n.getOpType(), 1, Integer::sum);
                return counts;
            }
        } catch (OrtException | java.io.IOException e) {
            throw new AssertionError("ONNX Runtime failed: " + e.getMessage(), e);
        }
    }

    private static OnnxTensor toOrt(OrtEnvironment env, Tensor t) throws OrtException {
        long[] shape = t.shape().dims();
        return switch (t.dtype()) {
            case F32 -> OnnxTensor.createTensor(env, FloatBuffer.wrap(t.toFloats()), shape);
            case I64 -> OnnxTensor.createTensor(env, LongBuffer.wrap(t.toLongs()), shape);
            case I32 -> OnnxTensor.createTensor(env, IntBuffer.wrap(t.toInts()), shape);
            case I8 -> OnnxTensor.createTensor(env, direct(t.rawBytes()), shape, OnnxJavaType.INT8);
            case U8 -> OnnxTensor.createTensor(env, direct(t.rawBytes()), shape, OnnxJavaType.UINT8);
            default -> throw new AssertionError("OrtRunner does not feed " + t);
        };
    }

    private static ByteBuffer direct(byte[] b) {
        return ByteBuffer.allocateDirect(b.length).order(ByteOrder.nativeOrder()).put(b).flip();
    }

    private static Tensor fromOrt(OnnxTensor t) {
        TensorInfo info = t.getInfo();
        Shape shape = Shape.of(info.getShape());
        return switch (info.type) {
            case FLOAT -> {
                FloatBuffer b = t.getFloatBuffer();
                float[] v = new float[b.remaining()];
                b.get(v);
                yield Tensor.ofFloats(shape, v);
            }
            case INT64 -> {
                LongBuffer b = t.getLongBuffer();
                long[] v = new long[b.remaining()];
                b.get(v);
                yield Tensor.ofLongs(DType.I64, shape, v);
            }
            case INT32 -> {
                IntBuffer b = t.getIntBuffer();
                int[] v = new int[b.remaining()];
                b.get(v);
                yield Tensor.ofInts(DType.I32, shape, v);
            }
            case INT8 -> Tensor.ofRaw(DType.I8, shape, bytes(t.getByteBuffer()));
            case UINT8 -> Tensor.ofRaw(DType.U8, shape, bytes(t.getByteBuffer()));
            default -> throw new AssertionError("OrtRunner does not read ORT outputs of type " + info.type);
        };
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] v = new byte[b.remaining()];
        b.get(v);
        return v;
    }

    /** How closely two quantized results agree: element count, exact matches, matches within 1 LSB, max |difference|. */
    public record Agreement(long count, long exact, long withinOneLsb, long maxDiff) {
        public double fractionExact() { return count == 0 ? 1 : (double) exact / count; }

        public double fractionWithinOneLsb() { return count == 0 ? 1 : (double) withinOneLsb / count; }

        @Override public String toString() {
            return String.format("%d elements: %.4f%% exact, %.4f%% within 1 LSB, max diff %d LSB", count,
                    100 * fractionExact(), 100 * fractionWithinOneLsb(), maxDiff);
        }
    }

    /**
     * Compares ORT's float output {@code ort} with nncc's output {@code nncc} on the integer grid of {@code q} (per
     * tensor): a float tensor is recovered as {@code q = round(y / scale) + zp} (saturated to {@code type}); an
     * integer tensor is taken as it is.
     */
    public static Agreement lsbAgreement(Tensor ort, Tensor nncc, QuantParams q, DType type) {
        if (!ort.shape().equals(nncc.shape()))
            throw new AssertionError("shapes differ: ONNX Runtime " + ort.shape() + ", nncc " + nncc.shape());
        long[] a = onGrid(ort, q, type), b = onGrid(nncc, q, type);
        long exact = 0, within = 0, max = 0;
        for (int i = 0; i < a.length; i++) {
            long d = Math.abs(a[i] - b[i]);
            if (d == 0) exact++;
            if (d <= 1) within++;
            max = Math.max(max, d);
        }
        return new Agreement(a.length, exact, within, max);
    }

    /** The integers a tensor stands for on the grid of {@code q}. */
    public static long[] onGrid(Tensor t, QuantParams q, DType type) {
        if (q.isPerAxis()) throw new AssertionError("per-tensor parameters expected, got " + q);
        if (!t.dtype().isFloat()) return t.toLongs();
        float[] y = t.toFloats();
        long[] r = new long[y.length];
        for (int i = 0; i < y.length; i++) {
            long v = Math.round(Math.rint((double) y[i] / q.scale(0))) + q.zeroPoint(0);
            r[i] = Math.clamp(v, type.minValue(), type.maxValue());
        }
        return r;
    }

    /** {@code scale * (q - zp)} as float32: the float input an integer tensor stands for. */
    public static Tensor dequantize(Tensor q, QuantParams p) {
        long[] v = q.toLongs();
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = p.scale(0) * (v[i] - p.zeroPoint(0));
        return Tensor.ofFloats(q.shape(), f);
    }
}
