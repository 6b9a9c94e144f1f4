package nncc.tests.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;

/**
 * An ONNX Runtime session for timing: one intra-op thread (or the number asked for) and one inter-op thread, sequential execution, all graph
 * optimizations (so QDQ groups fuse into ORT's integer kernels), fed one float input that stays allocated
 * across calls so a timed call is the inference alone.
 */
final class TimedOrtSession implements AutoCloseable {
    private final OrtSession session;
    private final OnnxTensor input;
    private final Map<String, OnnxTensor> feed;

    TimedOrtSession(byte[] model, Tensor floatInput) throws OrtException { this(model, floatInput, 1); }

    /** As {@link #TimedOrtSession(byte[], Tensor)} with {@code threads} intra-op threads. */
    TimedOrtSession(byte[] model, Tensor floatInput, int threads) throws OrtException {
        if (floatInput.dtype() != DType.F32) throw new IllegalArgumentException("ORT benchmark inputs are f32, got " + floatInput);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            o.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            this.session = env.createSession(model, o);
        }
        List<String> names = List.copyOf(session.getInputNames());
        if (names.size() != 1) throw new IllegalArgumentException("ORT benchmark models take one input, this one " + names);
        this.input = OnnxTensor.createTensor(env, FloatBuffer.wrap(floatInput.toFloats()), floatInput.shape().dims());
        this.feed = Map.of(names.get(0), input);
    }

    /** One inference; the result is released at once. */
    void run() throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
            if (r.size() == 0) throw new IllegalStateException("ORT returned no outputs");
        }
    }

    /** One inference returning output 0 as a float tensor (for the agreement check). */
    Tensor runOutput0() throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
            OnnxTensor t = (OnnxTensor) r.get(0);
            FloatBuffer b = t.getFloatBuffer();
            float[] v = new float[b.remaining()];
            b.get(v);
            return Tensor.ofFloats(Shape.of(t.getInfo().getShape()), v);
        }
    }

    static String version() { return OrtEnvironment.getEnvironment().getVersion(); }

    @Override public void close() throws OrtException {
        input.close();
        session.close();
    }
}
