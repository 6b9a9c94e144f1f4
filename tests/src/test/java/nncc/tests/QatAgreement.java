package nncc.tests;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import nncc.cpu.Interpreter;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.QuantParams;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;
import nncc.ir.text.IrParser;
import nncc.onnx.export.QdqExporter;
import nncc.passes.quant.LowerQdqPass;

/**
 * A measurement (not a test) for issue 11's acceptance: a trained fake-quant graph against the integer graph
 * {@code compile} lowers it to (same class on how many images) and the QDQ export of that integer graph in ONNX
 * Runtime against nncc's integer reference (how many output elements within 1 LSB).
 * <pre>
 *   java -cp cli/target/nncc.jar:tests/target/test-classes:ONNXRUNTIME_JAR nncc.tests.QatAgreement QAT.nnir X.npy
 * </pre>
 */
public final class QatAgreement {
    private QatAgreement() {}

    public static void main(String[] args) {
        Graph fake = IrParser.parse(Path.of(args[0]));
        Graph lowered = IrParser.parse(Path.of(args[0]));
        LowerQdqPass.lowerIfPreQuantized(lowered);
        nncc.ir.Verifier.requireFullyLowered(lowered);
        Tensor all = Npy.read(Path.of(args[1]));
        int n = Math.toIntExact(all.shape().dim(0)), batch = 500;
        QuantParams in = lowered.inputs().get(0).type().quant(), out = lowered.outputs().get(0).type().quant();
        Interpreter f = new Interpreter(fake), q = new Interpreter(lowered);
        byte[] onnx = QdqExporter.export(lowered, QdqExporter.Activations.AS_IS, QdqExporter.Names.COMPACT).model();
        long same = 0, count = 0, within = 0, exact = 0, elements = 0;
        for (int s = 0; s < n; s += batch) {
            Tensor x = all.sliceBatch(s, Math.min(n, s + batch));
            int b = Math.toIntExact(x.shape().dim(0));
            float[] yf = f.run(List.of(x)).get(0).toFloats();
            Tensor yi = q.run(List.of(QatTest.quantize(x, in))).get(0);
            long[] codes = yi.toLongs();
            int k = codes.length / b;
            for (int i = 0; i < b; i++) {
                int cf = 0, ci = 0;
                for (int j = 1; j < k; j++) {
                    if (yf[i * k + j] > yf[i * k + cf]) cf = j;
                    if (codes[i * k + j] > codes[i * k + ci]) ci = j;
                }
                if (cf == ci) same++;
                count++;
            }
            OrtRunner.Agreement a = OrtRunner.lsbAgreement(OrtRunner.runFloat(onnx, List.of(x)).get(0), yi, out, DType.I8);
            within += a.withinOneLsb();
            exact += a.exact();
            elements += a.count();
        }
        System.out.printf(Locale.ROOT, "images %d: same class (fake-quant float vs integer) %d = %.2f %%%n", count, same, 100.0 * same / count);
        System.out.printf(Locale.ROOT, "ORT vs nncc integer: %d output elements, within 1 LSB %d = %.3f %%, exact %d = %.3f %%%n",
                elements, within, 100.0 * within / elements, exact, 100.0 * exact / elements);
    }
}
