package nncc.passes;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import nncc.ir.ModelException;
import nncc.ir.Rounding;
import nncc.passes.quant.QuantizationPipeline.Scheme;

/**
 * What a compile target asks of quantization, read by the quantizer and the commands instead of an {@code if} on
 * the target's name: the requantization rounding its engine computes, the schemes it can run, whether its
 * artifact has float edges (a QDQ model takes and gives floats), how it stores int8 activations, and whether a
 * graph for it must be fully lowered.
 *
 * @param name             the {@code --target} name
 * @param rounding         the int32 requantization rounding the target's engine computes (the default of
 *                         {@code --rounding}; the IR records it either way)
 * @param schemes          the quantization schemes the target can run
 * @param floatEdges       whether the written artifact takes and gives float tensors
 * @param uint8Activations whether int8 activations are stored as uint8 (zero point + 128, same real values)
 * @param requireLowered   whether the graph must be fully lowered (integer only) for this target
 * @param needsQuantization whether a float model must be quantized for this target
 * @param perTensorFullyConnected whether fully connected (Gemm/MatMul) weights get one scale per tensor even when
 *                         convolutions get one per output channel (the target's runtime has no per-channel
 *                         FULLY_CONNECTED)
 * @param loweredPasses    the pass pipeline (registry text, empty for none) run on the lowered graph before the
 *                         target's writer reads it, e.g. the range analysis a hardware target's widths come from
 */
public record TargetProfile(String name, Rounding rounding, Set<Scheme> schemes, boolean floatEdges,
                            boolean uint8Activations, boolean requireLowered, boolean needsQuantization,
                            boolean perTensorFullyConnected, String loweredPasses) {
    public TargetProfile {
        schemes = Set.copyOf(schemes);
    }

    /** A profile whose fully connected weights follow {@code --per-tensor} like every other layer's, without passes of its own. */
    public TargetProfile(String name, Rounding rounding, Set<Scheme> schemes, boolean floatEdges,
                         boolean uint8Activations, boolean requireLowered, boolean needsQuantization) {
        this(name, rounding, schemes, floatEdges, uint8Activations, requireLowered, needsQuantization, false, "");
    }

    /** A profile without passes of its own on the lowered graph. */
    public TargetProfile(String name, Rounding rounding, Set<Scheme> schemes, boolean floatEdges,
                         boolean uint8Activations, boolean requireLowered, boolean needsQuantization,
                         boolean perTensorFullyConnected) {
        this(name, rounding, schemes, floatEdges, uint8Activations, requireLowered, needsQuantization, perTensorFullyConnected, "");
    }

    /** A profile with passes of its own on the lowered graph, fully connected weights as every other layer's. */
    public TargetProfile(String name, Rounding rounding, Set<Scheme> schemes, boolean floatEdges,
                         boolean uint8Activations, boolean requireLowered, boolean needsQuantization, String loweredPasses) {
        this(name, rounding, schemes, floatEdges, uint8Activations, requireLowered, needsQuantization, false, loweredPasses);
    }

    /**
     * Runs {@link #loweredPasses} on the lowered graph {@code g} in place (verifying after each pass) and returns the
     * steps; nothing when the profile has none or {@code g} is not lowered (the target's writer then says why it
     * cannot take it).
     */
    public List<PassManager.Step> finishLowered(nncc.ir.Graph g) {
        if (loweredPasses.isEmpty() || Stage.of(g) != Stage.LOWERED) return List.of();
        return new PassManager(PassRegistry.parse(loweredPasses), PassManager.Options.defaults(),
                new java.io.PrintWriter(java.io.Writer.nullWriter())).run(g, Stage.of(g));
    }

    /** The CPU reference: every scheme, gemmlowp/TFLite reference rounding (double), float models too. */
    public static final TargetProfile CPU = new TargetProfile("cpu", Rounding.DOUBLE_ROUND, Set.of(Scheme.values()), false,
            false, false, false);

    /**
     * A QDQ ONNX model run by ONNX Runtime: int8 only; ONNX Runtime's own float requantization
     * ({@link Rounding#ONNX_FLOAT32}: float32 scales, ties to even, legalized by {@code onnx-rounding}), so nncc's
     * reference computes what ORT's kernels compute; float edges; uint8 activations, ONNX Runtime's own quantizer
     * default, which its x86 kernels fuse everywhere.
     */
    public static final TargetProfile ONNX = new TargetProfile("onnx", Rounding.ONNX_FLOAT32, Set.of(Scheme.INT8), true,
            true, false, true);

    /**
     * A fully-int8 TFLite file for the TFLite runtime and the Edge TPU: int8 (and 16x8), integer edges, fully lowered.
     * <ul>
     * <li>Rounding single: a .tflite file carries scales, not a rounding mode, and the TFLite runtime computes int8
     *   layers with XNNPACK, whose requantization is {@code round_half_even(float(acc) * float(sIn * sW / sOut))},
     *   or with ruy's single-rounding fixed point; only the reference kernels round twice. Measured on the
     *   MobileNetV2-style example (500 Fashion-MNIST images, tflite-run): double rounding differs from the runtime by
     *   1 LSB on 0.1 to 1.4 % of each conv layer's outputs, which compounds to 94.7 % within 1 LSB end to end;
     *   single rounding gives 100 % (99.96 % exact). {@code --rounding double} stays available for TFLite's
     *   reference kernels and TFLite Micro.</li>
     * <li>Fully connected weights per tensor, as TFLite's converter writes them: per-channel FULLY_CONNECTED is op
     *   version 12, which TFLite runtimes before 2.13 (and the Edge TPU compiler) refuse.</li>
     * </ul>
     */
    public static final TargetProfile TPU = new TargetProfile("tpu", Rounding.SINGLE_ROUND,
            Set.of(Scheme.INT8, Scheme.INT16X8), false, false, true, true, true);

    /**
     * An HLS C++ project: int8 or int16x8, integer edges, fully lowered; both roundings are implemented; the
     * accumulator widths of the C++ types come from the {@code accumulator-bits} range analysis.
     */
    public static final TargetProfile HLS = new TargetProfile("hls", Rounding.DOUBLE_ROUND,
            Set.of(Scheme.INT8, Scheme.INT16X8), false, false, true, true, nncc.passes.quant.AccumulatorBitsPass.NAME);

    /** A generated Java program (JDK only): int8 or int16x8, integer edges, fully lowered; every rounding is emitted. */
    public static final TargetProfile JAVA = new TargetProfile("java", Rounding.DOUBLE_ROUND,
            Set.of(Scheme.INT8, Scheme.INT16X8), false, false, true, true);

    /** The known targets, in {@code --target} order. */
    public static List<TargetProfile> known() { return List.of(CPU, ONNX, TPU, HLS, JAVA); }

    /** The profile named {@code name}, or a one-line error listing the known ones. */
    public static TargetProfile of(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        for (TargetProfile p : known()) if (p.name.equals(n)) return p;
        throw new ModelException("unknown target '" + name + "' (known: "
                + String.join(", ", known().stream().map(TargetProfile::name).toList()) + ")");
    }

    /** Fails with a one-line error when the target cannot run {@code scheme}. */
    public void requireScheme(Scheme scheme) {
        if (!schemes.contains(scheme))
            throw new ModelException("target " + name + " runs " + schemes.stream().map(Scheme::text).sorted().toList()
                    + ", not the " + scheme.text() + " scheme");
    }
}
