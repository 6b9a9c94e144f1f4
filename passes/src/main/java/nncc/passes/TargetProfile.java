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
 * @param loweredPasses    the pass pipeline (registry text, empty for none) run on the lowered graph before the
 *                         target's writer reads it, e.g. the range analysis a hardware target's widths come from
 */
public record TargetProfile(String name, Rounding rounding, Set<Scheme> schemes, boolean floatEdges,
                            boolean uint8Activations, boolean requireLowered, boolean needsQuantization,
                            String loweredPasses) {
    public TargetProfile {
        schemes = Set.copyOf(schemes);
    }

    /** A profile without passes of its own on the lowered graph. */
    public TargetProfile(String name, Rounding rounding, Set<Scheme> schemes, boolean floatEdges,
                         boolean uint8Activations, boolean requireLowered, boolean needsQuantization) {
        this(name, rounding, schemes, floatEdges, uint8Activations, requireLowered, needsQuantization, "");
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
     * A QDQ ONNX model run by ONNX Runtime: int8 only; single rounding, as ONNX's QuantizeLinear rounds once from
     * the real product; float edges; uint8 activations, ONNX Runtime's own quantizer default, which its x86
     * kernels fuse everywhere.
     */
    public static final TargetProfile ONNX = new TargetProfile("onnx", Rounding.SINGLE_ROUND, Set.of(Scheme.INT8), true,
            true, false, true);

    /**
     * A fully-int8 TFLite file for the TFLite runtime and the Edge TPU: TFLite's reference rounding (double), int8
     * (and 16x8), integer edges, fully lowered.
     */
    public static final TargetProfile TPU = new TargetProfile("tpu", Rounding.DOUBLE_ROUND,
            Set.of(Scheme.INT8, Scheme.INT16X8), false, false, true, true);

    /**
     * An HLS C++ project: int8 or int16x8, integer edges, fully lowered; both roundings are implemented; the
     * accumulator widths of the C++ types come from the {@code accumulator-bits} range analysis.
     */
    public static final TargetProfile HLS = new TargetProfile("hls", Rounding.DOUBLE_ROUND,
            Set.of(Scheme.INT8, Scheme.INT16X8), false, false, true, true, nncc.passes.quant.AccumulatorBitsPass.NAME);

    /** The known targets, in {@code --target} order. */
    public static List<TargetProfile> known() { return List.of(CPU, ONNX, TPU, HLS); }

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
