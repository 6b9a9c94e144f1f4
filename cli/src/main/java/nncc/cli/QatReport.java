package nncc.cli;

import java.nio.file.Path;
import java.util.List;
import nncc.passes.train.Trainer;

/** Placeholder replaced below. */
final class QatReport {
    private QatReport() {}

    static void write(Path dir, Path model, int weightBits, Double floatAccuracy, Trainer.Evaluation start,
                      List<Trainer.EpochResult> epochs, List<Trainer.Evaluation> evals) {
        throw new CliException("--report is not written yet");
    }
}
