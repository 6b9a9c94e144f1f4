package nncc.tests.zoo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The model-zoo driver behind {@code scripts/zoo} (not a test): takes every exported architecture in a folder
 * ({@code NAME.onnx}, {@code NAME.input.npy}, {@code NAME.calib.npy}, made by {@code scripts/zoo_export.py})
 * through nncc and ONNX Runtime and writes the results as a Markdown table.
 *
 * <p>Arguments: {@code --dir D} (the exported models), {@code --out FILE} (the Markdown table), {@code --root R}
 * (the checkout whose {@code nncc} launcher is run; default the working directory), then the architecture names
 * in table order.
 */
public final class ModelZoo {
    private ModelZoo() {}

    public static void main(String[] args) throws IOException {
        Path dir = null, out = null, root = Path.of("").toAbsolutePath();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--root" -> root = Path.of(args[++i]);
                default -> names.add(args[i]);
            }
        }
        if (dir == null || out == null || names.isEmpty()) {
            System.err.println("usage: ModelZoo --dir D --out FILE [--root R] NAME...");
            System.exit(2);
        }
        Path scratch = Files.createDirectories(dir.resolve(".scratch"));
        ZooMeasurement m = new ZooMeasurement(new NnccProcess(root, scratch), dir);
        List<ZooMeasurement.Row> rows = new ArrayList<>();
        for (String n : names) {
            rows.add(m.measure(n));
            Files.writeString(out, markdown(rows));
        }
        System.out.print(markdown(rows));
    }

    static String markdown(List<ZooMeasurement.Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append("| model | parameters | MACs | float vs ORT | quantize | peak memory | nodes in float | SQNR vs float "
                + "| QDQ in ORT within 1 LSB | max LSB |\n");
        b.append("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|\n");
        for (ZooMeasurement.Row r : rows) {
            b.append("| ").append(r.name());
            b.append(" | ").append(r.parameters() < 0 ? "" : String.format(Locale.ROOT, "%.1f M", r.parameters() / 1e6));
            b.append(" | ").append(r.macs() < 0 ? "" : String.format(Locale.ROOT, "%.0f M", r.macs() / 1e6));
            b.append(" | ").append(num("%.1e", r.floatRelDiff()));
            b.append(" | ").append(num("%.1f s", r.quantizeSeconds()));
            b.append(" | ").append(num("%.0f MiB", r.quantizePeakMiB()));
            b.append(" | ").append(r.keptInFloat() < 0 ? "" : r.keptInFloat() == 0 ? "0"
                    : r.keptInFloat() + " (" + String.join("; ", r.keptReasons()) + ")");
            b.append(" | ").append(num("%.1f dB", r.sqnrDb()));
            b.append(" | ").append(r.qdq() == null ? "" : String.format(Locale.ROOT, "%.2f %%", 100 * r.qdq().fractionWithinOneLsb()));
            b.append(" | ").append(r.qdq() == null ? "" : Long.toString(r.qdq().maxDiff()));
            b.append(" |\n");
        }
        List<ZooMeasurement.Row> failed = rows.stream().filter(r -> r.failure() != null).toList();
        if (!failed.isEmpty()) {
            b.append("\nStopped:\n\n");
            for (ZooMeasurement.Row r : failed) b.append("- ").append(r.name()).append(": ").append(r.failure().replace("|", "\\|")).append('\n');
        }
        return b.toString();
    }

    private static String num(String fmt, double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, fmt, v);
    }
}
