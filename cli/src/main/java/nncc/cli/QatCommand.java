package nncc.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrPrinter;
import nncc.passes.calib.CalibrationData;
import nncc.passes.quant.LowerFakeQuantPass;
import nncc.passes.train.ImageFolderTrainingSet;
import nncc.passes.train.LearningRateSchedule;
import nncc.passes.train.Optimizer;
import nncc.passes.train.QuantAwareGraph;
import nncc.passes.train.Trainer;
import nncc.passes.train.TrainingOptions;
import nncc.passes.train.TrainingSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code nncc qat MODEL --train-data X --train-labels Y -o OUT.nnir}: quantization-aware training. Builds the
 * fake-quant graph (grids from calibration), fine-tunes it with a progress bar per epoch, prints loss and accuracy
 * per epoch and writes the trained fake-quant graph, which {@code eval} runs in float and {@code compile} lowers.
 * Convolutions followed by BatchNorm train in the ConvBn form and are folded at the end ({@code --batchnorm}).
 */
@Command(name = "qat", mixinStandardHelpOptions = true, description = "Quantization-aware training: fine-tune a model through fake-quant nodes.")
final class QatCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "Float model (.onnx or .nnir), or a fake-quant graph to train further.")
    Path model;

    @Option(names = "--train-data", required = true, paramLabel = "X|DIR",
            description = "Training inputs: .npy [N,...], an IDX image file (.gz ok), or a folder with one subfolder of images per class "
                    + "(class index = sorted subfolder order; images preprocessed as by --resize, --pixel-scale, --mean, --std, --channels, --layout).")
    Path trainData;

    @Option(names = "--train-labels", paramLabel = "Y", description = "Training labels: .npy [N] or an IDX label file (not with an image folder).")
    Path trainLabels;

    @Option(names = "--eval-data", paramLabel = "X|DIR", description = "Held-out inputs, evaluated after each epoch (a folder needs the training folder's class folders).")
    Path evalData;

    @Option(names = "--eval-labels", paramLabel = "Y", description = "Held-out labels (not with an image folder).")
    Path evalLabels;

    @Option(names = "--batchnorm", defaultValue = "auto", paramLabel = "MODE",
            description = "convbn: train each Conv + BatchNormalization in the ConvBn form (Krishnamoorthi 2018): BatchNorm folded into the "
                    + "fake-quantized weights every step, batch statistics until --freeze-bn-after, folded into the conv at the end; "
                    + "fold: fold BatchNorm into the convs before training; auto (default): convbn when every BatchNorm follows a conv, else fold.")
    String batchNorm;

    @Mixin PreprocessOptions images;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.nnir", description = "The trained fake-quant graph.")
    Path output;

    @Option(names = "--epochs", defaultValue = "1", description = "Passes over the training data (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.01", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--optimizer", defaultValue = "sgd", description = "sgd (momentum 0.9) or adam (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--schedule", defaultValue = "cosine", description = "cosine, onecycle or constant (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "0", description = "Weight decay on conv and dense weights (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of shuffling and augmentation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--weight-bits", defaultValue = "8", description = "Weight bits, 2..8, per output channel (default: ${DEFAULT-VALUE}).")
    int weightBits;

    @Option(names = "--calib", paramLabel = "C.npy|DIR",
            description = "Calibration inputs for the initial grids, .npy or a folder of images (default: 256 training examples: the first, "
                    + "or for an image folder every (N/256)-th).")
    Path calib;

    @Option(names = "--lsq", description = "Learn the step sizes (LSQ) instead of keeping calibrated activation grids and max-based weight scales.")
    boolean lsq;

    @Option(names = "--freeze-bn-after", defaultValue = "2147483647", paramLabel = "STEPS",
            description = "Use running batch-norm statistics and stop updating them after this many steps (default: never).")
    int freezeBnAfter;

    @Option(names = "--augment", paramLabel = "crop:PAD,hflip", description = "Augmentation: random crop after PAD pixels of zero padding, horizontal flips.")
    String augment;

    @Option(names = "--threads", defaultValue = "2", description = "Worker threads (default: ${DEFAULT-VALUE}; results do not depend on it).")
    int threads;

    @Option(names = "--report", paramLabel = "DIR", description = "Write an HTML report (loss and accuracy per epoch, float vs QAT) into DIR.")
    Path report;

    @Spec CommandSpec spec;

    @Override public Integer call() throws IOException {
        TrainingOptions options = options();
        if (!output.getFileName().toString().endsWith(".nnir")) throw new CliException(output + ": the output must be a .nnir file");
        Outputs.requireNotInput(output, model, trainData, trainLabels, evalData, evalLabels, calib);
        Path outDir = output.toAbsolutePath().getParent();
        if (outDir == null || !Files.isDirectory(outDir)) throw new CliException(output + ": output directory does not exist");
        if (evalData == null && evalLabels != null) throw new CliException("--eval-labels needs --eval-data");
        boolean convBn = switch (batchNorm) {
            case "auto", "convbn" -> true;
            case "fold" -> false;
            default -> throw new CliException("unknown --batchnorm '" + batchNorm + "' (auto, convbn, fold)");
        };
        nncc.passes.calib.Preprocess preprocess = images.preprocess();
        PrintWriter out = spec.commandLine().getOut();
        Graph g = ModelLoader.load(model);
        TrainingData.Labelled trainSet = TrainingData.read(trainData, trainLabels, g, preprocess, "training");
        TrainingSet train = trainSet.set();
        TrainingData.Labelled evalSet = evalData == null ? null : TrainingData.read(evalData, evalLabels, g, preprocess, "evaluation");
        TrainingSet eval = evalSet == null ? null : evalSet.set();
        if (evalSet != null && (trainSet.classes() != null || evalSet.classes() != null)) {
            if (trainSet.classes() == null || evalSet.classes() == null)
                throw new CliException(evalData + ": training and evaluation data must both be image folders or both be files");
            ImageFolderTrainingSet.requireSameClasses(trainData, trainSet.classes(), evalData, evalSet.classes());
        }
        if (trainSet.classes() != null)
            out.printf(Locale.ROOT, "training data: %d images in %d classes (%s)%n", train.size(), trainSet.classes().size(),
                    String.join(", ", trainSet.classes()));
        Graph qat;
        Double floatAccuracy = null;
        if (LowerFakeQuantPass.applies(g)) qat = g;
        else {
            NonFinite.requireFiniteWeights(g, model);
            if (eval != null) {
                try (Trainer f = new Trainer(QuantAwareGraph.prepareFloat(g), options)) {
                    floatAccuracy = f.evaluate(eval).accuracy();
                }
                out.printf(Locale.ROOT, "float: eval accuracy %.4f%n", floatAccuracy);
            }
            if (convBn && batchNorm.equals("auto")) convBn = QuantAwareGraph.suitsConvBn(g);
            else if (convBn && !QuantAwareGraph.suitsConvBn(g) && QuantAwareGraph.prepareKeepingBatchNorm(g).nodes().stream()
                    .noneMatch(n -> n.op() instanceof nncc.ir.op.BatchNormalization))
                throw new CliException(model + ": --batchnorm convbn needs a model with a Conv followed by a BatchNormalization; it has none");
            if (g.nodes().stream().anyMatch(n -> n.op() instanceof nncc.ir.op.BatchNormalization))
                out.printf("batch norm: %s%n", convBn ? "ConvBn training form (folded into the fake-quantized weights each step"
                        + (freezeBnAfter == Integer.MAX_VALUE ? ")" : ", frozen after " + freezeBnAfter + " steps)")
                        : "folded before training");
            qat = QuantAwareGraph.build(g, calibration(g, train, trainSet.classes() != null, preprocess),
                    new QuantAwareGraph.Options(weightBits, false, threads, convBn));
        }
        List<Trainer.EpochResult> epochsDone = new ArrayList<>();
        List<Trainer.Evaluation> evals = new ArrayList<>();
        Trainer.Evaluation start = null;
        try (Trainer t = new Trainer(qat, options)) {
            if (eval != null) {
                start = t.evaluate(eval);
                out.printf(Locale.ROOT, "fake-quant before training: eval loss %.4f, accuracy %.4f%n", start.loss(), start.accuracy());
                out.flush();
            }
            for (int e = 1; e <= epochs; e++) {
                Trainer.EpochResult r;
                try (Progress p = Progress.start("epoch " + e + "/" + epochs, train.size(), "img")) {
                    long[] last = {0};
                    r = t.trainEpoch(train, e, (done, total, loss) -> {
                        p.step(done - last[0]);
                        last[0] = done;
                    });
                }
                epochsDone.add(r);
                String evalText = "";
                if (eval != null) {
                    Trainer.Evaluation ev = t.evaluate(eval);
                    evals.add(ev);
                    evalText = String.format(Locale.ROOT, ", eval loss %.4f, accuracy %.4f", ev.loss(), ev.accuracy());
                }
                out.printf(Locale.ROOT, "epoch %d: loss %.4f, accuracy %.4f%s (%.0f images/s)%n", e, r.loss(), r.accuracy(),
                        evalText, r.imagesPerSecond());
                out.flush();
            }
            t.writeBack();
        }
        QuantAwareGraph.finish(qat);
        Outputs.writeText(output, IrPrinter.print(qat));
        out.printf("wrote %s%n", output);
        if (report != null)
            QatReport.write(report, model, weightBits, floatAccuracy, start, epochsDone, evals);
        out.flush();
        return 0;
    }

    private TrainingOptions options() {
        if (epochs < 1) throw new CliException("--epochs must be >= 1, got " + epochs);
        if (batch < 1) throw new CliException("--batch must be >= 1, got " + batch);
        if (!(lr > 0) || Double.isInfinite(lr)) throw new CliException("--lr must be a positive number, got " + lr);
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw new CliException("--weight-decay must be >= 0, got " + weightDecay);
        if (!(momentum >= 0 && momentum < 1)) throw new CliException("--momentum must be in [0, 1), got " + momentum);
        if (weightBits < 2 || weightBits > 8) throw new CliException("--weight-bits must be in 2..8, got " + weightBits);
        if (threads < 1) throw new CliException("--threads must be >= 1, got " + threads);
        if (freezeBnAfter < 0) throw new CliException("--freeze-bn-after must be >= 0, got " + freezeBnAfter);
        Optimizer.Kind opt = switch (optimizer) {
            case "sgd" -> Optimizer.Kind.SGD;
            case "adam" -> Optimizer.Kind.ADAM;
            default -> throw new CliException("unknown --optimizer '" + optimizer + "' (sgd, adam)");
        };
        LearningRateSchedule.Kind s = switch (schedule) {
            case "cosine" -> LearningRateSchedule.Kind.COSINE;
            case "onecycle" -> LearningRateSchedule.Kind.ONECYCLE;
            case "constant" -> LearningRateSchedule.Kind.CONSTANT;
            default -> throw new CliException("unknown --schedule '" + schedule + "' (cosine, onecycle, constant)");
        };
        return new TrainingOptions(epochs, batch, lr, opt, s, weightDecay, momentum, seed, threads, 2, lsq, freezeBnAfter,
                augmentation(augment));
    }

    static TrainingOptions.Augmentation augmentation(String spec) {
        if (spec == null || spec.isBlank()) return TrainingOptions.Augmentation.NONE;
        int pad = 0;
        boolean flip = false;
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.equals("hflip")) flip = true;
            else if (p.startsWith("crop:")) {
                try {
                    pad = Integer.parseInt(p.substring(5));
                } catch (NumberFormatException e) {
                    pad = -1;
                }
                if (pad < 0 || pad > 64) throw new CliException("--augment crop:PAD needs PAD in 0..64, got '" + p.substring(5) + "'");
            } else throw new CliException("unknown --augment item '" + p + "' (crop:PAD, hflip)");
        }
        return new TrainingOptions.Augmentation(pad, flip);
    }

    /**
     * --calib, or 256 training examples written as a temporary .npy: the first ones, or, from an image folder (stored
     * class by class), every (N/256)-th so that every class is seen.
     */
    private CalibrationData calibration(Graph g, TrainingSet train, boolean strided, nncc.passes.calib.Preprocess preprocess)
            throws IOException {
        if (calib != null) return CalibrationData.open(g, calib, preprocess);
        int n = Math.min(256, train.size()), per = train.perImage();
        long[] dims = new long[train.dims().length + 1];
        dims[0] = n;
        for (int i = 0; i < train.dims().length; i++) dims[i + 1] = train.dims()[i];
        float[] picked = new float[n * per];
        for (int i = 0; i < n; i++) {
            int from = strided ? (int) ((long) i * train.size() / n) : i;
            System.arraycopy(train.images(), from * per, picked, i * per, per);
        }
        Tensor t = Tensor.ofFloats(Shape.of(dims), picked);
        Path tmp = Files.createTempFile("nncc-qat-calib", ".npy");
        tmp.toFile().deleteOnExit();
        Npy.write(tmp, t);
        return CalibrationData.fromNpy(g, tmp);
    }
}
