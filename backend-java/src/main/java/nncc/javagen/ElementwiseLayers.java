package nncc.javagen;

import com.palantir.javapoet.CodeBlock;
import java.util.Arrays;
import nncc.ir.DType;
import nncc.ir.Node;
import nncc.ir.op.Dequantize;
import nncc.ir.op.QAdd;
import nncc.ir.op.QLut;
import nncc.ir.op.QMul;
import nncc.ir.op.Quantize;
import nncc.ir.op.Requantize;

/**
 * Elementwise layers: QAdd/QMul (TFLite ADD/SUB/MUL arithmetic; flat loops for same-shape inputs, index maps built
 * once for broadcasting), QLut (table from the resource), Requantize, and the float edges Quantize and Dequantize.
 */
final class ElementwiseLayers {
    private ElementwiseLayers() {}

    static void add(JavaTargetGenerator gen, int index, Node n, QAdd op) {
        String r = EmittedArithmetic.requantize(op.rounding());
        binary(gen, index, n, (a, b) -> CodeBlock.builder()
                .addStatement("final int sa = $L(($L - ($L)) * (1 << $L), $L, $L)", r, a, op.inputZpA(), op.leftShift(), op.multiplierA(), op.shiftA())
                .addStatement("final int sb = $L(($L - ($L)) * (1 << $L), $L, $L)", r, b, op.inputZpB(), op.leftShift(), op.multiplierB(), op.shiftB())
                .addStatement("return Fixed.clamp($L(sa $L sb, $L, $L) + ($L), $L, $L)", r, op.subtract() ? "-" : "+", op.multiplier(), op.shift(),
                        op.outputZp(), op.actMin(), op.actMax()).build());
    }

    static void mul(JavaTargetGenerator gen, int index, Node n, QMul op) {
        String r = EmittedArithmetic.requantize(op.rounding());
        binary(gen, index, n, (a, b) -> CodeBlock.builder()
                .addStatement("final int product = ($L - ($L)) * ($L - ($L))", a, op.inputZpA(), b, op.inputZpB())
                .addStatement("return Fixed.clamp($L(product, $L, $L) + ($L), $L, $L)", r, op.multiplier(), op.shift(),
                        op.outputZp(), op.actMin(), op.actMax()).build());
    }

    /** The value of one output element from the input elements {@code a} and {@code b} (Java expressions). */
    private interface ElementCode {
        CodeBlock body(String a, String b);
    }

    /**
     * A broadcasting binary layer: the element function becomes a static method {@code e<index>(a, b)}, called in a flat
     * loop (same shapes) or through index maps built at class initialization.
     */
    private static void binary(JavaTargetGenerator gen, int index, Node n, ElementCode f) {
        JavaTargetGenerator.Buffer a = gen.buffer(n, 0), b = gen.buffer(n, 1);
        JavaTargetGenerator.Buffer y = gen.output(n);
        requireInts(n, a, b);
        gen.type.addMethod(com.palantir.javapoet.MethodSpec.methodBuilder("e" + index)
                .addModifiers(javax.lang.model.element.Modifier.PRIVATE, javax.lang.model.element.Modifier.STATIC)
                .returns(int.class).addParameter(int.class, "a").addParameter(int.class, "b")
                .addCode(f.body("a", "b")).build());
        String ia = index(gen, index, "A", y, a), ib = index(gen, index, "B", y, b);
        CodeBlock.Builder c = CodeBlock.builder();
        c.addStatement("final int[] a = $L, b = $L, y = $L", a.field(), b.field(), y.field());
        c.addStatement("for (int i = 0; i < $L; i++) y[i] = e$L(a[$L], b[$L])", y.size(), index, ia, ib);
        gen.layer(index, n, c.build());
    }

    /** The index expression of input {@code in} at output element i: i itself for the same shape, else a map. */
    private static String index(JavaTargetGenerator gen, int index, String which, JavaTargetGenerator.Buffer y, JavaTargetGenerator.Buffer in) {
        if (Arrays.equals(in.shape(), y.shape())) return "i";
        if (in.size() == 1) return "0";
        return gen.mapField(index, which, "Fixed.broadcastMap(" + JavaTargetGenerator.ints(y.shape()) + ", "
                + JavaTargetGenerator.ints(in.shape()) + ")") + "[i]";
    }

    static void lut(JavaTargetGenerator gen, int index, Node n, QLut op) {
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0), table = gen.buffer(n, 1);
        JavaTargetGenerator.Buffer y = gen.output(n);
        requireInts(n, x, table);
        gen.layer(index, n, CodeBlock.builder()
                .addStatement("for (int i = 0; i < $L; i++) $L[i] = $L[$L[i] - ($L)]", y.size(), y.field(), table.field(), x.field(),
                        x.dtype().minValue()).build());
    }

    static void requantize(JavaTargetGenerator gen, int index, Node n, Requantize op) {
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0);
        JavaTargetGenerator.Buffer y = gen.output(n);
        requireInts(n, x);
        DType t = op.outType();
        gen.layer(index, n, CodeBlock.builder()
                .beginControlFlow("for (int i = 0; i < $L; i++)", y.size())
                .addStatement("final long v = (long) $L($L[i] - ($L), $L, $L) + ($LL)", EmittedArithmetic.requantize(op.rounding()), x.field(),
                        op.inputZp(), op.multiplier(), op.shift(), op.outputZp())
                .addStatement("$L[i] = (int) Math.max($LL, Math.min($LL, v))", y.field(), t.minValue(), t.maxValue())
                .endControlFlow().build());
    }

    static void quantize(JavaTargetGenerator gen, int index, Node n, Quantize op) {
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0);
        JavaTargetGenerator.Buffer y = gen.output(n);
        if (!x.floats()) throw JavaTargetGenerator.refuse(n, "input " + n.input(0).name() + " is not f32");
        DType t = op.outType();
        gen.layer(index, n, CodeBlock.builder()
                .addStatement("for (int i = 0; i < $L; i++) $L[i] = Fixed.quantize($L[i] / $L, $LL, $LL, $LL)", y.size(), y.field(), x.field(),
                        JavaTargetGenerator.floatLiteral(op.scale()), op.zeroPoint(), t.minValue(), t.maxValue()).build());
    }

    static void dequantize(JavaTargetGenerator gen, int index, Node n, Dequantize op) {
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0);
        JavaTargetGenerator.Buffer y = gen.output(n);
        requireInts(n, x);
        gen.layer(index, n, CodeBlock.builder()
                .addStatement("for (int i = 0; i < $L; i++) $L[i] = (float) ((double) $L * ($L[i] - ($LL)))", y.size(), y.field(),
                        JavaTargetGenerator.floatLiteral(op.scale()), x.field(), op.zeroPoint()).build());
    }

    private static void requireInts(Node n, JavaTargetGenerator.Buffer... in) {
        for (JavaTargetGenerator.Buffer b : in)
            if (b.floats()) throw JavaTargetGenerator.refuse(n, "an input is " + b.dtype().text() + ", not an integer type");
    }
}
