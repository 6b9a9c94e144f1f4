package nncc.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import nncc.cli.report.QuantReportData;
import nncc.ir.Graph;
import nncc.ir.text.IrPrinter;
import nncc.onnx.export.QdqExporter;
import nncc.passes.TargetProfile;
import nncc.passes.quant.LowerQdqPass;
import nncc.passes.quant.QuantizationPipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nncc compile MODEL --target T [--calib C] [--scheme S] -o OUTDIR}: quantizes (when a scheme or calibration
 * data is given) and writes the target's artifact plus {@code model.nnir} (the exact IR it lowered) and
 * {@code io.json}. All files are written to a temporary folder first, so a failure leaves nothing new behind.
 */
@Command(name = "compile", mixinStandardHelpOptions = true, description = "Compile a model for a target: cpu (text IR), onnx (QDQ ONNX), tpu (int8 .tflite + Edge TPU report) or hls (Vitis HLS C++ project) or java (plain Java source).")
final class CompileCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Model file (.onnx, .tflite or .nnir).")
    Path model;

    @Option(names = "--target", required = true, paramLabel = "T", description = "cpu, onnx, tpu, hls or java.")
    String target;

    @Mixin QuantOptions quant;

    @Mixin ReportOptions report;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTDIR", description = "Output folder (created; must be empty if it exists, unless --force).")
    Path outDir;

    @Option(names = "--onnx-names", defaultValue = "compact", paramLabel = "N",
            description = "Names of the QDQ model's internal tensors and nodes: compact (short ids; model.names.tsv maps "
                    + "them to the IR names) or ir (the IR-derived names; larger file). Default: ${DEFAULT-VALUE}.")
    String onnxNames;

    @Option(names = "--onnx-activations", defaultValue = "uint8", paramLabel = "T",
            description = "How the QDQ model stores int8 activations: uint8 (zero points moved up by 128, the same real values; "
                    + "ONNX Runtime's own quantizer default, which its x86 kernels fuse everywhere) or int8 (as in the IR). "
                    + "Default: ${DEFAULT-VALUE}.")
    String onnxActivations;

    @Option(names = "--force", description = "Write into OUTDIR even when it is not empty (its files of the same names are replaced).")
    boolean force;

    @Option(names = "--io-type", defaultValue = "int8", paramLabel = "T",
            description = "--target tpu: int8 (default) or uint8 graph inputs and outputs (QUANTIZE ops at the edges, as TFLite's inference_input_type).")
    String ioType;

    @Option(names = "--threads", defaultValue = "2", description = "Calibration threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Mixin HlsOptions hls;

    @Option(names = "--java-class", defaultValue = "Model", paramLabel = "NAME",
            description = "--target java: the generated class (default package; OUTDIR/NAME.java and NAME.bin). Default: ${DEFAULT-VALUE}.")
    String javaClass;

    @Spec CommandSpec spec;

    @Override public Integer call() throws IOException {
        String t = target.toLowerCase();
        if (!t.equals("cpu") && !t.equals("onnx") && !t.equals("tpu") && !t.equals("hls") && !t.equals("java"))
            throw new CliException("unknown --target '" + target + "' (cpu, onnx, tpu, hls, java)");
        QdqExporter.Names names = switch (onnxNames.toLowerCase()) {
            case "compact" -> QdqExporter.Names.COMPACT;
            case "ir" -> QdqExporter.Names.IR;
            default -> throw new CliException("unknown --onnx-names '" + onnxNames + "' (compact, ir)");
        };
        QdqExporter.Activations activations = switch (onnxActivations.toLowerCase()) {
            case "uint8" -> QdqExporter.Activations.UINT8;
            case "int8" -> QdqExporter.Activations.AS_IS;
            default -> throw new CliException("unknown --onnx-activations '" + onnxActivations + "' (uint8, int8)");
        };
        checkOutDir();
        for (String name : new String[] {"model.nnir", "io.json", "model.onnx", "model.names.tsv"})
            Outputs.requireNotInput(outDir.resolve(name), model, quant.calib, report.evalData, report.evalLabels);
        Outputs.requireNotInput(report.report, model, quant.calib, report.evalData, report.evalLabels);
        // the target's profile sets the default rounding (onnx: single, as ONNX's QuantizeLinear rounds once from the
        // exact real product, so ONNX Runtime and nncc agree); the IR states the choice either way
        TargetProfile profile = TargetProfile.of(t);
        quant.defaultRounding = switch (profile.rounding()) {
            case SINGLE_ROUND -> "single";
            case ONNX_FLOAT32 -> activations == QdqExporter.Activations.UINT8 ? "onnx" : "single"; // ORT's arithmetic is for uint8 storage
            default -> "double";
        };
        quant.perTensorFullyConnected = profile.perTensorFullyConnected();
        QuantReporting.EvalSet eval = QuantReporting.readEval(report);
        Graph g = ModelLoader.load(model);
        boolean quantize = quant.scheme != null || quant.calib != null;
        boolean preQuantized = LowerQdqPass.applies(g);
        if (preQuantized) { // a model quantized elsewhere: lowered with its own parameters
            if (quantize) throw new CliException(model + ": the model is already quantized (ONNX QuantizeLinear/DequantizeLinear "
                    + "or QLinear ops); compile it without --calib and --scheme");
            var lowered = LowerQdqPass.lowerIfPreQuantized(g).statistics();
            spec.commandLine().getOut().printf("pre-quantized model lowered with its own parameters: %d nodes lowered, %d kept as they were%n",
                    lowered.getOrDefault("nodes lowered", 0L), lowered.getOrDefault("nodes kept", 0L));
        }
        Graph out = g;
        QuantizeFlow.Outcome r = null;
        if (quantize) {
            NonFinite.requireFiniteWeights(g, model);
            NonFinite.checkCalibration(quant.calib, quant.allowNanCalib, spec.commandLine().getErr());
            r = QuantizeFlow.run(g, quant, threads, report.report != null, spec.commandLine().getErr());
            out = r.quantized();
        } else if (report.measures()) {
            throw new CliException("--report and --eval-data measure quantization: give --scheme or --calib");
        }
        QuantReportData measured = r != null && report.measures() ? QuantReporting.measure(model, g, quant, report, r, eval, threads) : null;
        profile.finishLowered(out); // the target's own passes on the lowered graph (hls: accumulator-bits)
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (t.equals("onnx")) {
            // an already-lowered graph (an imported int8 .tflite, a lowered .nnir) is exported as it is quantized
            boolean lowered = !preQuantized && r == null && nncc.passes.Stage.of(out) == nncc.passes.Stage.LOWERED;
            if (!preQuantized && !lowered && r == null) throw new CliException("--target onnx writes a QDQ model: give --calib C (scheme int8)");
            if (lowered && activations == QdqExporter.Activations.UINT8) // ONNX Runtime's arithmetic, as a calibrated graph gets it
                new nncc.passes.PassManager(nncc.passes.PassRegistry.parse(nncc.passes.quant.OnnxRoundingPass.NAME), nncc.passes.PassManager.Options.defaults(),
                        new java.io.PrintWriter(java.io.Writer.nullWriter())).run(out, nncc.passes.Stage.LOWERED);
            if (r != null) profile.requireScheme(r.scheme());
            QdqExporter.Exported qdq = QdqExporter.export(out, activations, names);
            files.put("model.onnx", qdq.model());
            if (!qdq.nameTable().isEmpty()) files.put("model.names.tsv", qdq.nameTable().getBytes(StandardCharsets.UTF_8));
        }
        // the IR states what the .tflite computes (explicit pads, MEAN's multiplier as the runtime derives it)
        if (!ioType.equals("int8") && !ioType.equals("uint8")) throw new CliException("--io-type must be int8 or uint8, got '" + ioType + "'");
        if (ioType.equals("uint8") && !t.equals("tpu")) throw new CliException("--io-type uint8 is for --target tpu");
        if (t.equals("tpu")) new nncc.passes.PassManager(nncc.passes.PassRegistry.parse("tflite-legalize" + (ioType.equals("uint8") ? ",tflite-uint8-io" : "")),
                nncc.passes.PassManager.Options.defaults(), new java.io.PrintWriter(java.io.Writer.nullWriter())).run(out, nncc.passes.Stage.LOWERED);
        byte[] tflite = t.equals("tpu") ? nncc.tpu.TfliteWriter.write(out) : null;
        if (tflite != null) {
            files.put("model.tflite", tflite);
            nncc.tpu.EdgeTpuReport.Result edgetpu = nncc.tpu.EdgeTpuReport.analyze(tflite);
            files.put("edgetpu_report.md", nncc.tpu.EdgeTpuReport.markdown(edgetpu, "model.tflite").getBytes(StandardCharsets.UTF_8));
            files.put("edgetpu_report.json", nncc.tpu.EdgeTpuReport.json(edgetpu).getBytes(StandardCharsets.UTF_8));
        }
        if (t.equals("hls")) files.putAll(hls.generate(out, model));
        if (t.equals("java")) {
            if (r != null) profile.requireScheme(r.scheme());
            files.putAll(JavaTarget.generate(out, model, javaClass));
        }
        files.put("model.nnir", IrPrinter.print(out).getBytes(StandardCharsets.UTF_8));
        // io.json describes the artifact's own edges: the QDQ model takes and gives float tensors; the .tflite NHWC ones
        String io = t.equals("onnx") ? IoJson.withFloatEdges(out)
                : tflite != null ? IoJson.forTflite(nncc.tpu.TfliteImporter.load(tflite, "model.tflite")) : IoJson.of(out);
        files.put("io.json", io.getBytes(StandardCharsets.UTF_8));
        writeAll(files);
        if (report.report != null) QuantReporting.write(report.report, measured);
        if (r != null) QuantizeCommand.printSummary(spec.commandLine().getOut(), model, r, measured, report.report);
        spec.commandLine().getOut().printf("wrote %s: %s%n", outDir, String.join(", ", files.keySet()));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private void checkOutDir() throws IOException {
        if (Files.exists(outDir)) {
            if (!Files.isDirectory(outDir)) throw new CliException(outDir + ": exists and is not a directory");
            try (Stream<Path> s = Files.list(outDir)) {
                if (s.findAny().isPresent() && !force)
                    throw new CliException(outDir + ": output directory is not empty (give --force to write into it)");
            }
        }
        Path parent = outDir.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) throw new CliException(outDir + ": parent directory does not exist");
    }

    /** Writes every file into a fresh temporary folder beside OUTDIR, then moves them into place. */
    private void writeAll(Map<String, byte[]> files) throws IOException {
        Path abs = outDir.toAbsolutePath();
        Path tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + "-");
        try {
            Outputs.readableByAll(tmp, true);
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                Path f = tmp.resolve(e.getKey());
                Files.createDirectories(f.getParent());
                Files.write(f, e.getValue());
                if (e.getKey().endsWith(".sh")) f.toFile().setExecutable(true, false);
            }
            if (!Files.exists(abs)) {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE);
                return;
            }
            try (Stream<Path> s = Files.list(tmp)) {
                for (Path p : s.sorted().toList()) Files.move(p, abs.resolve(p.getFileName()), StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            if (Files.exists(tmp)) {
                try (Stream<Path> s = Files.walk(tmp)) {
                    for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
                }
            }
        }
    }
}
