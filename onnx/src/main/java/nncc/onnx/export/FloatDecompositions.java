package nncc.onnx.export;

import static nncc.onnx.export.GraphWriter.attr;
import static nncc.onnx.export.GraphWriter.ints;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.ModelException;
import nncc.ir.Node;
import nncc.ir.Value;
import nncc.ir.op.Gelu;
import nncc.ir.op.LayerNormalization;
import nncc.ir.op.Shapes;

/**
 * Writes the float ops that ONNX only gained after the opset the export targets (13) as the opset-13 subgraphs
 * exporters emit for them: LayerNormalization (opset 17) as ReduceMean, Sub, Mul, ReduceMean, Add, Sqrt, Div, Mul,
 * Add; Gelu (opset 20) as Div, Erf, Add, Mul, Mul (or its tanh form).
 */
final class FloatDecompositions {
    private FloatDecompositions() {}

    static void layerNormalization(GraphWriter out, ExportValues values, Node n, LayerNormalization op) {
        if (n.outputs().size() > 1)
            throw new ModelException("LayerNormalization '" + n.name() + "' with its Mean/InvStdDev outputs has no opset-13 form in the export");
        String x = floatInput(values, n, 0);
        int rank = n.input(0).type().rank();
        List<Integer> axes = new ArrayList<>();
        for (int a = Shapes.axis(op.axis(), rank); a < rank; a++) axes.add(a);
        String base = n.output().name(), name = n.name();
        String mean = out.node1("ReduceMean", name + "_mean", base + "_mean", List.of(x), ints("axes", axes), attr("keepdims", 1));
        String d = out.node1("Sub", name + "_centre", base + "_centred", List.of(x, mean));
        String sq = out.node1("Mul", name + "_square", base + "_squared", List.of(d, d));
        String var = out.node1("ReduceMean", name + "_variance", base + "_variance", List.of(sq), ints("axes", axes), attr("keepdims", 1));
        String eps = out.node1("Add", name + "_epsilon", base + "_var_eps", List.of(var, out.floatScalar(base + "_eps", op.epsilon())));
        String std = out.node1("Sqrt", name + "_sqrt", base + "_std", List.of(eps));
        String norm = out.node1("Div", name + "_normalize", base + "_normalized", List.of(d, std));
        boolean bias = n.inputs().size() > 2;
        String y = values.define(n.output());
        if (!bias) {
            out.node("Mul", name, List.of(norm, floatInput(values, n, 1)), List.of(y));
            return;
        }
        String scaled = out.node1("Mul", name + "_scale", base + "_scaled", List.of(norm, floatInput(values, n, 1)));
        out.node("Add", name, List.of(scaled, floatInput(values, n, 2)), List.of(y));
    }

    static void gelu(GraphWriter out, ExportValues values, Node n, Gelu op) {
        String x = floatInput(values, n, 0);
        String base = n.output().name(), name = n.name();
        String inner = switch (op.approximate()) {
            case NONE -> {
                String s = out.node1("Div", name + "_div", base + "_scaled", List.of(x, out.floatScalar(base + "_sqrt2", (float) Math.sqrt(2))));
                yield out.node1("Erf", name + "_erf", base + "_erf", List.of(s));
            }
            case TANH -> {
                String x2 = out.node1("Mul", name + "_x2", base + "_x2", List.of(x, x));
                String x3 = out.node1("Mul", name + "_x3", base + "_x3", List.of(x2, x));
                String c = out.node1("Mul", name + "_cubic", base + "_cubic", List.of(x3, out.floatScalar(base + "_k", 0.044715f)));
                String sum = out.node1("Add", name + "_sum", base + "_sum", List.of(x, c));
                String arg = out.node1("Mul", name + "_arg", base + "_arg",
                        List.of(sum, out.floatScalar(base + "_sqrt_2_pi", (float) Math.sqrt(2 / Math.PI))));
                yield out.node1("Tanh", name + "_tanh", base + "_tanh", List.of(arg));
            }
        };
        String plus = out.node1("Add", name + "_plus1", base + "_plus1", List.of(inner, out.floatScalar(base + "_one", 1f)));
        String times = out.node1("Mul", name + "_times_x", base + "_times_x", List.of(x, plus));
        out.node("Mul", name, List.of(times, out.floatScalar(base + "_half", 0.5f)), List.of(values.define(n.output())));
    }

    private static String floatInput(ExportValues values, Node n, int i) {
        Value v = n.input(i);
        if (!v.type().dtype().isFloat())
            throw new ModelException(n.op().opName() + " is a float op but reads %" + v.name() + " " + v.type());
        return values.tensor(v);
    }
}
