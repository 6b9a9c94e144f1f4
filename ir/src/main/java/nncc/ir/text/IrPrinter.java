package nncc.ir.text;

import java.util.ArrayList;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.Shape;
import nncc.ir.TensorType;
import nncc.ir.Value;

/**
 * Prints a {@link Graph} in the {@code .nnir} text form, which {@link IrParser} reads back exactly:
 * {@code print(parse(print(g))).equals(print(g))}.
 *
 * <pre>{@code
 * graph @fashion_cnn {
 *   input %input : f32[?N,1,28,28]
 *   const %conv1.weight : f32[16,1,3,3] = b64"AAAA..."
 *   const %shape : i64[2] = [1, -1]
 *   const %s : f32[] = [0.5]
 *   const %w : i8[8,3]{axis = 0, scale = [0.5, 0.25, ...], zp = [0, 0, ...]} = b64"..."
 *   node @Conv_0 = Conv {strides = [1, 1], pads = [1, 1, 1, 1], dilations = [1, 1], group = 1} (%input, %conv1.weight, %conv1.bias) -> (%x1 : f32[?N,16,28,28])
 *   node @Relu_1 = Relu (%x1) -> (%x2 : f32[?N,16,28,28])
 *   node @Pad_2 = Pad {pads = [0, 0, 1, 1, 0, 0, 1, 1], mode = reflect, value = 0.0} (%x2) -> (%x3 : f32[?N,16,30,30])
 *   node @Q_3 = QuantizeLinear {axis = 1, outType = i8} (%x3, %s, %zp) -> (%q : i8[?N,16,30,30]{scale = 0.5, zp = -128})
 *   output %q
 * }
 * }</pre>
 *
 * <ul>
 * <li>Order: graph inputs, constants, nodes (graph order), graph outputs. {@code //} starts a comment that runs to
 *     the end of the line; whitespace between tokens is free.
 * <li>Names: after {@code %} (values) and {@code @} (graph, nodes), bare when made of {@code [A-Za-z0-9_.:/-]}
 *     without {@code //} and without a trailing {@code /} (so {@code input.1}, {@code onnx::Conv_23},
 *     {@code /conv1/Conv_output_0} and {@code 23} stay bare), otherwise quoted: {@code %"weird name"} with
 *     {@code \"}, {@code \\}, {@code \n}, {@code \t}, {@code \r} and {@code \}{@code uXXXX} escapes. Since {@code :}
 *     is a name character, a name is separated from its type by a space: {@code %x : f32[1]}.
 * <li>Types: {@code dtype[dims]}, dims comma-separated, {@code ?N} for a symbolic dim ({@code ?"odd sym"} when
 *     the symbol is not made of identifier characters), {@code []} for a scalar. Quantized types append
 *     {@code {scale = s, zp = z}} (per tensor) or {@code {axis = a, scale = [..], zp = [..]}} (per axis).
 * <li>Ops: the op record's simple name, then its components in declaration order as {@code {name = value, ...}}
 *     (nothing for an op without components). Values: integers; floats and doubles by {@code Float.toString} /
 *     {@code Double.toString} (exact round trip), {@code inf}, {@code -inf}, {@code nan}; {@code true}/{@code false};
 *     enums in lower case ({@code mode = reflect}); element types by name ({@code outType = i8}); quoted strings;
 *     lists {@code [a, b]}; nested records and quantization parameters as {@code {...}} blocks.
 * <li>Constants: at most 16 elements as a literal list in the element type (f16 and bf16 by their float value,
 *     bool as 0/1), larger ones as {@code b64"..."}, the standard Base64 of the little-endian bytes
 *     ({@link nncc.ir.Tensor#rawBytes()}). The parser accepts either form at any size.
 * </ul>
 */
public final class IrPrinter {
    private IrPrinter() {}

    /** The text form of {@code g}, ending with a newline. */
    public static String print(Graph g) {
        StringBuilder b = new StringBuilder();
        b.append("graph @").append(Lexemes.name(g.name() == null ? "" : g.name())).append(" {\n");
        for (Value v : g.inputs()) b.append("  input ").append(typedValue(v)).append('\n');
        for (Graph.Constant c : g.constants())
            b.append("  const ").append(typedValue(c.value())).append(" = ").append(ConstantText.print(c.data())).append('\n');
        for (Node n : g.nodes()) b.append("  ").append(node(n)).append('\n');
        for (Value v : g.outputs()) b.append("  output %").append(Lexemes.name(v.name())).append('\n');
        return b.append("}\n").toString();
    }

    /** One node line (without indentation or newline). */
    public static String node(Node n) {
        List<String> ins = new ArrayList<>(), outs = new ArrayList<>();
        for (Value v : n.inputs()) ins.add("%" + Lexemes.name(v.name()));
        for (Value v : n.outputs()) outs.add(typedValue(v));
        return "node @" + Lexemes.name(n.name()) + " = " + n.op().opName() + AttributePrinter.attributes(n.op())
                + " (" + String.join(", ", ins) + ") -> (" + String.join(", ", outs) + ")";
    }

    /** A type such as {@code f32[?N,3,8,8]} or {@code i8[4]{scale = 0.5, zp = 0}}. */
    public static String type(TensorType t) {
        StringBuilder b = new StringBuilder(t.dtype().text()).append('[');
        Shape s = t.shape();
        for (int i = 0; i < s.rank(); i++) {
            if (i > 0) b.append(',');
            if (s.isSymbolic(i)) b.append('?').append(Lexemes.symbol(s.symbol(i)));
            else b.append(s.dim(i));
        }
        b.append(']');
        if (t.quant() != null) b.append(AttributePrinter.quant(t.quant()));
        return b.toString();
    }

    private static String typedValue(Value v) {
        return "%" + Lexemes.name(v.name()) + " : " + type(v.type());
    }
}
