package nncc.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import nncc.ir.Graph;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Value;

/**
 * The {@code io.json} every compile target writes beside its artifact: name, shape (symbolic dims as their
 * symbol string), dtype, layout, scale and zero point (null for float tensors; lists for per-axis parameters)
 * of each graph input and output.
 */
final class IoJson {
    private IoJson() {}

    static String of(Graph g) {
        return of(g.inputs(), g.outputs());
    }

    /**
     * For an artifact whose edges are float although the graph's are integer (the QDQ ONNX export quantizes its
     * float inputs and dequantizes its outputs inside the model): every edge as float32, scale and zero point null.
     */
    static String withFloatEdges(Graph g) {
        java.util.function.UnaryOperator<List<Value>> floats = vs -> vs.stream()
                .map(v -> v.withType(nncc.ir.TensorType.of(v.type().dtype().isFloat() ? v.type().dtype() : nncc.ir.DType.F32, v.type().shape())))
                .toList();
        return of(floats.apply(g.inputs()), floats.apply(g.outputs()));
    }

    /** For a .tflite artifact: the edges of the file read back by nncc's reader, whose rank-4 shapes are NHWC. */
    static String forTflite(Graph reimported) {
        return of(reimported).replace("\"layout\": \"NCHW\"", "\"layout\": \"NHWC\"");
    }

    private static String of(List<Value> inputs, List<Value> outputs) {
        return "{\n  \"inputs\": " + list(inputs) + ",\n  \"outputs\": " + list(outputs) + "\n}\n";
    }

    private static String list(List<Value> vs) {
        List<String> items = new ArrayList<>();
        for (Value v : vs) items.add(entry(v));
        return "[" + (items.isEmpty() ? "" : "\n    " + String.join(",\n    ", items) + "\n  ") + "]";
    }

    private static String entry(Value v) {
        Shape s = v.type().shape();
        List<String> dims = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) dims.add(s.isSymbolic(i) ? quote(s.symbol(i)) : Long.toString(s.dim(i)));
        QuantParams q = v.type().dtype().isFloat() ? null : v.type().quant();
        String scale = "null", zp = "null";
        if (q != null && !q.isPerAxis()) {
            scale = floatText(q.scale(0));
            zp = Long.toString(q.zeroPoint(0));
        } else if (q != null) {
            List<String> ss = new ArrayList<>(), zs = new ArrayList<>();
            for (int i = 0; i < q.count(); i++) { ss.add(floatText(q.scale(i))); zs.add(Long.toString(q.zeroPoint(i))); }
            scale = "[" + String.join(", ", ss) + "]";
            zp = "[" + String.join(", ", zs) + "]";
        }
        return "{\"name\": " + quote(v.name()) + ", \"shape\": [" + String.join(", ", dims) + "], \"dtype\": "
                + quote(dtypeName(v)) + ", \"layout\": " + quote(layout(s.rank())) + ", \"scale\": " + scale
                + ", \"zero_point\": " + zp + "}";
    }

    private static String dtypeName(Value v) {
        return switch (v.type().dtype()) {
            case F32 -> "float32"; case F16 -> "float16"; case BF16 -> "bfloat16"; case F64 -> "float64";
            case I64 -> "int64"; case I32 -> "int32"; case I16 -> "int16"; case I8 -> "int8"; case U8 -> "uint8";
            case I4 -> "int4"; case BOOL -> "bool";
        };
    }

    private static String layout(int rank) {
        return switch (rank) {
            case 4 -> "NCHW"; case 3 -> "NCW"; case 5 -> "NCDHW"; case 2 -> "NC"; default -> "";
        };
    }

    private static String floatText(float f) {
        return Float.isFinite(f) ? Float.toString(f).toLowerCase(Locale.ROOT) : "null";
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> { if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c); }
            }
        }
        return b.append('"').toString();
    }
}
