package nncc.tests.zoo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.tests.OrtRunner;

/**
 * A report tool (not a test) for docs/zoo.md's float criterion: for each zoo model exported by {@code scripts/zoo}, the
 * distance of three float32 engines from torch's float64 output on the evaluation images (max |difference| over the
 * largest |logit| of the float64 result): torch's own float32 run, nncc's float run ({@code NAME.out/float.npy}) and
 * ONNX Runtime's; nncc passes when it is within max(1e-5, 2x torch's float32 error). Prints a Markdown table.
 *
 * <p>Arguments: {@code DIR NAME...} (DIR holds NAME.onnx, NAME.input.npy, NAME.f64.npy, NAME.torch32.npy, NAME.out/).
 */
public final class FloatReference {
    private FloatReference() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        System.out.println("| model | torch f32 vs f64 | nncc f32 vs f64 | ONNX Runtime f32 vs f64 | nncc vs ORT | criterion |");
        System.out.println("|---|---:|---:|---:|---:|---|");
        for (String name : List.of(args).subList(1, args.length)) {
            Path f64 = dir.resolve(name + ".f64.npy"), ours = dir.resolve(name + ".out/float.npy");
            if (!Files.exists(f64) || !Files.exists(ours)) {
                System.out.println("| " + name + " | missing " + (Files.exists(f64) ? ours : f64) + " | | | | |");
                continue;
            }
            Tensor ref = Npy.read(f64), x = Npy.read(dir.resolve(name + ".input.npy"));
            Tensor ort = OrtRunner.runFloat(dir.resolve(name + ".onnx"), List.of(x)).get(0);
            Tensor nncc = Npy.read(ours);
            double torch = relative(Npy.read(dir.resolve(name + ".torch32.npy")), ref), n = relative(nncc, ref), o = relative(ort, ref);
            boolean pass = n <= Math.max(1e-5, 2 * torch);
            System.out.printf(Locale.ROOT, "| %s | %.1e | %.1e | %.1e | %.1e | %s |%n", name, torch, n, o, relative(nncc, ort),
                    pass ? "met" : "NOT met");
        }
    }

    /** max |a - b| over the largest |b|. */
    static double relative(Tensor a, Tensor b) {
        double[] x = a.toDoubles(), r = b.toDoubles();
        double diff = 0, big = 0;
        for (int i = 0; i < x.length; i++) {
            diff = Math.max(diff, Math.abs(x[i] - r[i]));
            big = Math.max(big, Math.abs(r[i]));
        }
        return diff / Math.max(big, Double.MIN_NORMAL);
    }
}
