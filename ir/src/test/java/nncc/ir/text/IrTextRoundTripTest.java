package nncc.ir.text;

import static nncc.ir.text.TestGraphs.assertSameGraph;
import static nncc.ir.text.TestGraphs.input;
import static nncc.ir.text.TestGraphs.node;
import static nncc.ir.text.TestGraphs.quantNode;
import static nncc.ir.text.TestGraphs.sym;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.Node;
import nncc.ir.QuantParams;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.Verifier;
import nncc.ir.op.Clip;
import nncc.ir.op.Identity;
import nncc.ir.op.Op;
import nncc.ir.op.Pad;
import nncc.ir.op.QuantizeLinear;
import org.junit.jupiter.api.Test;

/** Print → parse → print round trips of hand-built graphs: every op, quantized types, names, constants. */
class IrTextRoundTripTest {

    /** Prints, parses, prints again: the texts must be identical and the parsed graph equal to the original. */
    private static String roundTrip(Graph g) {
        Verifier.verify(g);
        String text = IrPrinter.print(g);
        Graph parsed = IrParser.parse(text, "roundtrip.nnir");
        assertEquals(text, IrPrinter.print(parsed));
        assertSameGraph(g, parsed);
        return text;
    }

    @Test void everyOpRecordRoundTrips() {
        Graph g = AllOpsGraph.build();
        Set<String> used = g.nodes().stream().map(n -> n.op().opName()).collect(Collectors.toCollection(TreeSet::new));
        Set<String> all = Op.recordClasses().stream().map(Class::getSimpleName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(all, used, "AllOpsGraph must use every op record (add the new op there)");
        assertEquals(all, new TreeSet<>(AttributeReader.opNames()));
        String text = roundTrip(g);
        assertTrue(text.contains("node @Conv_0 = Conv {strides = [1, 1], pads = [1, 1, 1, 1], dilations = [1, 1], group = 1}"
                + " (%x, %conv.weight, %conv.bias) -> (%Conv_0.out : f32[?N,8,8,8])"), text);
        assertTrue(text.contains("= Relu (%Div_5.out) -> ("), text);
        assertTrue(text.contains("Pad {pads = [0, 0, 1, 1, 0, 0, 1, 1], mode = reflect, value = 0.0}"), text);
        assertTrue(text.contains("QuantizeLinear {axis = 1, outType = i8}"), text);
        assertTrue(text.contains("-> (%MaxPool_15.out0 : f32[?N,4,4,4], %MaxPool_15.out1 : i64[?N,4,4,4])"), text);
        assertTrue(text.contains("BatchNormalization {epsilon = 1.0E-5}"), text);
        assertTrue(text.contains("Reshape {shape = [0, -1], allowZero = false}"), text);
    }

    @Test void infinityAndNanAttributes() {
        Graph g = new Graph("specials");
        Value x = input(g, "x", TensorType.of(DType.F32, 2, 3));
        Value c = node(g, "clip", new Clip(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY), x);
        Value p = node(g, "pad", new Pad(java.util.List.of(0L, 1L, 0L, 1L), Pad.Mode.CONSTANT, Float.NaN), c);
        Value t = node(g, "tiny", new Clip(Float.MIN_VALUE, -0.0f), p);
        g.addOutput(t);
        String text = roundTrip(g);
        assertTrue(text.contains("Clip {min = -inf, max = inf}"), text);
        assertTrue(text.contains("Pad {pads = [0, 1, 0, 1], mode = constant, value = nan}"), text);
        assertTrue(text.contains("Clip {min = 1.4E-45, max = -0.0}"), text);
    }

    @Test void quantizedTypesPerTensorAndPerAxis() {
        Graph g = new Graph("quant");
        Value x = input(g, "x", new TensorType(DType.U8, sym("N", 3), QuantParams.perTensor(0.25f, 128)));
        QuantParams perAxis = QuantParams.perAxis(0, new float[] {0.5f, 0.125f, 3.0e-7f}, new long[] {0, -1, 7});
        Value w = g.addConstant("w", Tensor.ofLongs(DType.I8, Shape.of(3, 8), TestGraphs.longs(24, -128, 127, 3)), perAxis);
        Value y = quantNode(g, "id", new Identity(), QuantParams.perTensor(0.25f, 128), x);
        g.addOutput(y);
        g.addOutput(w);
        String text = roundTrip(g);
        assertTrue(text.contains("input %x : u8[?N,3]{scale = 0.25, zp = 128}"), text);
        assertTrue(text.contains("const %w : i8[3,8]{axis = 0, scale = [0.5, 0.125, 3.0E-7], zp = [0, -1, 7]} = b64\""), text);
        assertTrue(text.contains("-> (%id.out : u8[?N,3]{scale = 0.25, zp = 128})"), text);
    }

    @Test void symbolicDims() {
        Graph g = new Graph("symbols");
        Shape s = Shape.withSymbols(new long[] {0, 0, 4}, new String[] {"batch", "seq_len", null});
        Value x = input(g, "x", TensorType.of(DType.F32, s));
        Value odd = input(g, "y", TensorType.of(DType.F32, Shape.withSymbols(new long[] {0}, new String[] {"a b"})));
        g.addOutput(node(g, "id", new Identity(), x));
        g.addOutput(node(g, "id2", new Identity(), odd));
        String text = roundTrip(g);
        assertTrue(text.contains("input %x : f32[?batch,?seq_len,4]"), text);
        assertTrue(text.contains("input %y : f32[?\"a b\"]"), text);
    }

    @Test void namesStayBareOrGetQuoted() {
        Graph g = new Graph("my graph");
        String[] bare = {"input.1", "onnx::Conv_23", "/conv1/Conv_output_0", "23", "a-b"};
        String[] quoted = {"weird name", "q\"uote", "back\\slash", "tab\there", "a//b", "trailing/", ""};
        for (String n : bare) g.addOutput(node(g, "n" + n, new Identity(), input(g, n, TensorType.of(DType.F32, 1))));
        for (int i = 0; i < quoted.length; i++) {
            String n = quoted[i].isEmpty() ? "x" : quoted[i];
            Value in = input(g, n, TensorType.of(DType.F32, 1));
            Value out = new Value(n + "'out", in.type());
            g.addNode(new Node(quoted[i] + "#" + i, new Identity(), java.util.List.of(in), java.util.List.of(out)));
            g.addOutput(out);
        }
        String text = roundTrip(g);
        assertTrue(text.startsWith("graph @\"my graph\" {\n"), text);
        for (String n : bare) assertTrue(text.contains("input %" + n + " : f32[1]"), n + " in\n" + text);
        assertTrue(text.contains("input %\"weird name\" : "), text);
        assertTrue(text.contains("input %\"q\\\"uote\" : "), text);
        assertTrue(text.contains("input %\"back\\\\slash\" : "), text);
        assertTrue(text.contains("input %\"tab\\there\" : "), text);
        assertTrue(text.contains("input %\"a//b\" : "), text);
        assertTrue(text.contains("input %\"trailing/\" : "), text);
        assertTrue(text.contains("node @\"#6\" = Identity"), text);
    }

    @Test void constantsOfEveryDTypeSmallAndLarge() {
        Graph g = new Graph("constants");
        g.addConstant("f32s", Tensor.ofFloats(Shape.of(6), 0.1f, -0.0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, 3.4028235e38f));
        g.addConstant("f16s", Tensor.ofFloats(DType.F16, Shape.of(4), 0.1f, 65504f, Float.NEGATIVE_INFINITY, -2.5f));
        g.addConstant("bf16s", Tensor.ofFloats(DType.BF16, Shape.of(3), 0.1f, 1e30f, Float.NaN));
        g.addConstant("f64s", Tensor.ofDoubles(Shape.of(4), 0.1, 1e-300, Double.NaN, Double.NEGATIVE_INFINITY));
        g.addConstant("i64s", Tensor.ofLongs(DType.I64, Shape.of(3), Long.MIN_VALUE, -1, Long.MAX_VALUE));
        g.addConstant("i32s", Tensor.ofLongs(DType.I32, Shape.of(2), Integer.MIN_VALUE, Integer.MAX_VALUE));
        g.addConstant("i16s", Tensor.ofLongs(DType.I16, Shape.of(2), Short.MIN_VALUE, Short.MAX_VALUE));
        g.addConstant("i8s", Tensor.ofLongs(DType.I8, Shape.of(4), -128, -1, 0, 127));
        g.addConstant("u8s", Tensor.ofLongs(DType.U8, Shape.of(3), 0, 128, 255));
        g.addConstant("i4s", Tensor.ofLongs(DType.I4, Shape.of(3), -8, 7, -1));
        g.addConstant("bools", Tensor.ofLongs(DType.BOOL, Shape.of(2, 2), 1, 0, 0, 1));
        g.addConstant("scalar", Tensor.scalar(0.5f));
        g.addConstant("sixteen", Tensor.ofFloats(Shape.of(4, 4), TestGraphs.floats(16, 1)));
        for (DType dt : DType.values()) {
            int n = 17 + dt.ordinal(); // every large size, odd ones too (i4 packing)
            Tensor t = dt.isFloat()
                    ? (dt == DType.F64 ? Tensor.ofDoubles(Shape.of(n), TestGraphs.doubles(n, 2))
                    : Tensor.ofFloats(dt, Shape.of(n), TestGraphs.floats(n, 2)))
                    : Tensor.ofLongs(dt, Shape.of(n), TestGraphs.longs(n, dt.minValue(), dt.maxValue(), 3));
            g.addConstant("large_" + dt.text(), t);
        }
        g.addOutput(g.constants().get(0).value()); // a graph needs an output to be read back
        String text = roundTrip(g);
        assertTrue(text.contains("const %f32s : f32[6] = [0.1, -0.0, nan, inf, 1.4E-45, 3.4028235E38]"), text);
        assertTrue(text.contains("const %f16s : f16[4] = [0.099975586, 65504.0, -inf, -2.5]"), text);
        assertTrue(text.contains("const %bf16s : bf16[3] = [0.100097656, 1.00025555E30, nan]"), text);
        assertTrue(text.contains("const %f64s : f64[4] = [0.1, 1.0E-300, nan, -inf]"), text);
        assertTrue(text.contains("const %i64s : i64[3] = [-9223372036854775808, -1, 9223372036854775807]"), text);
        assertTrue(text.contains("const %i32s : i32[2] = [-2147483648, 2147483647]"), text);
        assertTrue(text.contains("const %i16s : i16[2] = [-32768, 32767]"), text);
        assertTrue(text.contains("const %i8s : i8[4] = [-128, -1, 0, 127]"), text);
        assertTrue(text.contains("const %u8s : u8[3] = [0, 128, 255]"), text);
        assertTrue(text.contains("const %i4s : i4[3] = [-8, 7, -1]"), text);
        assertTrue(text.contains("const %bools : bool[2,2] = [1, 0, 0, 1]"), text);
        assertTrue(text.contains("const %scalar : f32[] = [0.5]"), text);
        assertTrue(text.contains("const %sixteen : f32[4,4] = ["), text);
        for (DType dt : DType.values()) assertTrue(text.contains("const %large_" + dt.text() + " : " + dt.text() + "["
                + (17 + dt.ordinal()) + "] = b64\""), dt + " in\n" + text);
    }

    @Test void largeConstantIsBase64OfRawBytes() {
        Graph g = new Graph("b64");
        Tensor t = Tensor.ofLongs(DType.U8, Shape.of(17), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 255);
        g.addConstant("w", t);
        g.addOutput(g.constants().get(0).value()); // a graph needs an output to be read back
        String text = roundTrip(g);
        assertEquals("graph @b64 {\n  const %w : u8[17] = b64\"AAECAwQFBgcICQoLDA0OD/8=\"\n  output %w\n}\n", text);
    }

    @Test void parserAcceptsEitherDataFormAtAnySizeAndNormalizes() {
        String text = """
                // hand-written: a large literal and a small b64 constant
                graph @g {
                  const %big : i8[17] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, -17]
                  const %small : f32[2] = b64"AACAPwAAAMA="   // 1.0, -2.0
                  const %ints_as_floats : f32[2] = [1, -2]
                  output %small
                }
                """;
        Graph g = IrParser.parse(text, "mixed.nnir");
        assertEquals(-17, g.constant("big").data().toLongs()[16]);
        assertEquals(1.0f, g.constant("small").data().toFloats()[0], 0f);
        assertEquals(-2.0f, g.constant("small").data().toFloats()[1], 0f);
        assertEquals(g.constant("small").data(), g.constant("ints_as_floats").data());
        String printed = IrPrinter.print(g);
        assertTrue(printed.contains("const %big : i8[17] = b64\""), printed);
        assertTrue(printed.contains("const %small : f32[2] = [1.0, -2.0]"), printed);
        assertEquals(printed, IrPrinter.print(IrParser.parse(printed, "again.nnir")));
    }

    @Test void attributeOrderEnumCaseAndLayoutAreFreeOnInput() {
        String text = """
                graph @g { input %x : f32[1,4,3,3]   const %s : f32[] = [0.5]
                  node @p = Pad {value = 1, mode = EDGE, pads = [0, 0, 1, 1, 0, 0, 1, 1]} (%x) -> (%y : f32[1,4,5,5])
                  node @q = QuantizeLinear {outType = u8, axis = 1}
                      (%y, %s) -> (%z : u8[1,4,5,5]) output %z }
                """;
        Graph g = IrParser.parse(text, "free.nnir");
        assertEquals(new Pad(java.util.List.of(0L, 0L, 1L, 1L, 0L, 0L, 1L, 1L), Pad.Mode.EDGE, 1f), g.nodes().get(0).op());
        assertEquals(new QuantizeLinear(1, DType.U8), g.nodes().get(1).op());
        String printed = IrPrinter.print(g);
        assertTrue(printed.contains("Pad {pads = [0, 0, 1, 1, 0, 0, 1, 1], mode = edge, value = 1.0} (%x)"), printed);
        assertEquals(printed, IrPrinter.print(IrParser.parse(printed, "again.nnir")));
    }
}
