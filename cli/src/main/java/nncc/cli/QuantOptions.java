package nncc.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import nncc.ir.Rounding;
import nncc.passes.calib.ObserverKind;
import nncc.passes.calib.Preprocess;
import nncc.passes.quant.QuantizationPipeline;
import nncc.passes.quant.CorrectBiasPass;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The quantization options shared by {@code nncc quantize} and {@code nncc compile}. */
final class QuantOptions {
    @Option(names = "--calib", paramLabel = "C.npy|DIR", description = "Calibration inputs: a .npy with a leading batch dim, or a folder of images.")
    Path calib;

    @Option(names = "--scheme", paramLabel = "S", description = "int8 (default), int16x8, fp16 or dynamic.")
    String scheme;

    @Option(names = "--per-tensor", description = "One weight scale per tensor instead of per output channel.")
    boolean perTensor;

    @Option(names = "--weight-bits", defaultValue = "8", paramLabel = "N", description = "Weight bits, 2..8 (default: ${DEFAULT-VALUE}).")
    int weightBits;

    @Option(names = "--observer", defaultValue = "minmax", paramLabel = "O",
            description = "Range observer: minmax, moving-average, percentile, entropy or mse (default: ${DEFAULT-VALUE}).")
    String observer;

    @Option(names = "--percentile", defaultValue = "99.99", paramLabel = "P", description = "Percentile for --observer percentile (default: ${DEFAULT-VALUE}).")
    double percentile;

    @Option(names = "--exclude", split = ",", paramLabel = "NODE", description = "Nodes kept in float (quantize/dequantize at their edges).")
    List<String> exclude = new ArrayList<>();

    @Option(names = "--rounding", paramLabel = "R",
            description = "Requantization rounding: double (gemmlowp/TFLite reference; the default), single (TFLITE_SINGLE_ROUNDING; "
                    + "the default of compile --target tpu, as the TFLite runtime's XNNPACK and ruy kernels round once) "
                    + "or onnx (ONNX Runtime's float32 requantization, ties to even; the default of compile --target onnx).")
    String rounding;

    /** The rounding when --rounding is not given (compile targets may prefer their own). */
    String defaultRounding = "double";

    /** Fully connected weights per tensor whatever --per-tensor says (a target without per-channel FULLY_CONNECTED). */
    boolean perTensorFullyConnected;

    @Option(names = "--float-io", description = "Keep float model inputs and outputs (quantize/dequantize inside the model).")
    boolean floatIo;

    @Option(names = "--bias-correction", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Correct each layer's bias for the mean shift its weight rounding causes, measured on the calibration data (int8, int16x8; default: on).")
    boolean biasCorrection;

    @Option(names = "--adaptive-rounding",
            description = "Short for --weight-rounding adaptive.")
    boolean adaptiveRounding;

    @Option(names = "--weight-rounding", paramLabel = "R",
            description = "How weights are rounded, measured on the calibration data before bias correction: nearest (default), "
                    + "adaptive (each weight's rounding direction chosen to lower the layer's output error; greedy AdaRound) or "
                    + "gptq (rounding errors compensated on the weights not yet rounded through the inverse input covariance; "
                    + "best for --weight-bits below 8). int8, int16x8.")
    String weightRounding;

    /** The weight rounding chosen by --weight-rounding or --adaptive-rounding. */
    CorrectBiasPass.WeightRounding weightRounding() {
        if (weightRounding == null) return adaptiveRounding ? CorrectBiasPass.WeightRounding.ADAPTIVE : CorrectBiasPass.WeightRounding.NEAREST;
        CorrectBiasPass.WeightRounding r = switch (weightRounding.toLowerCase(java.util.Locale.ROOT)) {
            case "nearest" -> CorrectBiasPass.WeightRounding.NEAREST;
            case "adaptive" -> CorrectBiasPass.WeightRounding.ADAPTIVE;
            case "gptq" -> CorrectBiasPass.WeightRounding.GPTQ;
            default -> throw new CliException("unknown --weight-rounding '" + weightRounding + "' (nearest, adaptive, gptq)");
        };
        if (adaptiveRounding && r != CorrectBiasPass.WeightRounding.ADAPTIVE)
            throw new CliException("--adaptive-rounding contradicts --weight-rounding " + weightRounding);
        return r;
    }

    @Option(names = "--plugin", paramLabel = "JAR",
            description = "A jar of third-party passes (java.util.ServiceLoader over nncc.passes.PassProvider), for --float-passes; repeatable.")
    List<Path> plugins = new ArrayList<>();

    @Option(names = "--float-passes", paramLabel = "a,b,c",
            description = "Passes run on the float graph after prepare and before weight quantization (built-in or from --plugin jars).")
    String floatPasses;

    /** The passes of --float-passes, from the built-in registry plus the --plugin jars; none when not given. */
    List<nncc.passes.Pass> floatPasses() {
        if (floatPasses == null) {
            if (!plugins.isEmpty()) nncc.passes.PassRegistry.builtin().withPlugins(plugins); // still checks the jars
            return List.of();
        }
        nncc.passes.PassContext context = calib == null ? nncc.passes.PassContext.none()
                : nncc.passes.PassContext.withCalibration(calib, preprocess());
        return nncc.passes.PassRegistry.builtin().withPlugins(plugins).pipeline(floatPasses, context);
    }

    @Option(names = "--calib-batch", defaultValue = "32", paramLabel = "N", description = "Calibration batch size (default: ${DEFAULT-VALUE}).")
    int calibBatch;

    @Option(names = "--allow-nan-calib",
            description = "Calibrate on the finite values when the calibration .npy holds NaNs (counted and reported); without it such data is refused.")
    boolean allowNanCalib;

    /** The image-folder calibration flags (--resize, --pixel-scale, --mean, --std, --channels, --layout). */
    @Mixin PreprocessOptions images;

    QuantizationPipeline.Scheme scheme() {
        return QuantizationPipeline.Scheme.parse(scheme == null ? "int8" : scheme);
    }

    ObserverKind observerKind() { return ObserverKind.parse(observer); }

    QuantizationPipeline.Options pipelineOptions() {
        String given = rounding != null ? rounding : defaultRounding;
        Rounding r = switch (given.toLowerCase()) {
            case "double", "double-round" -> Rounding.DOUBLE_ROUND;
            case "single", "single-round" -> Rounding.SINGLE_ROUND;
            case "onnx", "onnx-float32" -> Rounding.ONNX_FLOAT32;
            default -> throw new CliException("--rounding must be double, single or onnx, got '" + given + "'");
        };
        return new QuantizationPipeline.Options(weightBits, perTensor, new LinkedHashSet<>(exclude), r, floatIo, perTensorFullyConnected);
    }

    Preprocess preprocess() { return images.preprocess(); }
}
