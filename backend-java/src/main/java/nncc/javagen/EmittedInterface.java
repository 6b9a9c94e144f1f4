package nncc.javagen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import java.util.List;
import javax.lang.model.element.Modifier;
import nncc.ir.QuantParams;
import nncc.ir.Value;

/**
 * The generated program's edges: constants describing its inputs and outputs (shapes, nncc type names, scales and
 * zero points), {@code input(k)}/{@code output(k)} giving their arrays, the resource readers, and a {@code main} that
 * reads .npy inputs (integers taken as they are, as {@code nncc run --raw}; floats quantized with the input's
 * parameters) and writes .npy outputs (raw integers, or dequantized with {@code --dequantize}).
 */
final class EmittedInterface {
    private EmittedInterface() {}

    static void add(JavaTargetGenerator gen) {
        edges(gen, "INPUT", gen.graph.inputs());
        edges(gen, "OUTPUT", gen.graph.outputs());
        accessor(gen, "input", gen.graph.inputs());
        accessor(gen, "output", gen.graph.outputs());
        gen.type.addMethod(EmittedArithmetic.method("""
                /** The parameter resource, beside this class on the class path. */
                private static java.io.DataInputStream openParameters() throws java.io.IOException {
                    String name = RESOURCE;
                    java.io.InputStream in = MODEL_CLASS.getResourceAsStream(name);
                    if (in == null) throw new java.io.FileNotFoundException(name + " is not on the class path beside the class");
                    java.io.DataInputStream d = new java.io.DataInputStream(new java.io.BufferedInputStream(in));
                    if (d.readInt() != MAGIC) throw new java.io.IOException("not an nncc parameter file");
                    if (d.readInt() != ARRAYS) throw new java.io.IOException("array count differs from the generated class");
                    return d;
                }""".replace("RESOURCE", '"' + gen.options.className() + ".bin\"").replace("MODEL_CLASS", gen.options.className() + ".class")
                .replace("MAGIC", "0x" + Integer.toHexString(ParameterFile.MAGIC)).replace("ARRAYS", String.valueOf(gen.parameters.entries().size()))));
        for (String kind : new String[] {"Bytes:byte:1:readByte", "Ints:int:2:readInt", "Longs:long:3:readLong", "Floats:float:4:readFloat", "WideBytes:int:5:readByte"}) {
            String[] k = kind.split(":");
            gen.type.addMethod(EmittedArithmetic.method("""
                    private static T[] readK(java.io.DataInputStream in, int length) throws java.io.IOException {
                        if (in.readByte() != CODE || in.readInt() != length) throw new java.io.IOException("array layout differs from the generated class");
                        T[] a = new T[length];
                        for (int i = 0; i < length; i++) a[i] = in.READ();
                        return a;
                    }""".replace("T[]", k[1] + "[]").replace("new T", "new " + k[1]).replace("readK", "read" + k[0])
                    .replace("CODE", k[2]).replace("READ", k[3])));
        }
        EmittedMain.add(gen);
    }

    private static void edges(JavaTargetGenerator gen, String prefix, List<Value> values) {
        StringBuilder shapes = new StringBuilder("{"), types = new StringBuilder("{"), scales = new StringBuilder("{"), zps = new StringBuilder("{");
        for (int k = 0; k < values.size(); k++) {
            Value v = values.get(k);
            String sep = k == 0 ? "" : ", ";
            shapes.append(sep).append(JavaTargetGenerator.ints(JavaTargetGenerator.shapeOf(null, v)).replace("new int[] ", ""));
            types.append(sep).append('"').append(v.type().dtype().text()).append('"');
            QuantParams q = v.type().quant();
            if (q != null && q.isPerAxis()) throw new nncc.ir.ModelException(null, v.name(), "graph edge " + v.name() + " is quantized per axis");
            scales.append(sep).append(q == null ? "0f" : JavaTargetGenerator.floatLiteral(q.scale(0)));
            zps.append(sep).append(q == null ? 0 : q.zeroPoint(0)).append('L');
        }
        Modifier[] m = {Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL};
        gen.type.addField(FieldSpec.builder(int[][].class, prefix + "_SHAPES", m).addJavadoc("Shapes (batch bound to 1).\n")
                .initializer("$L", "new int[][] " + shapes + "}").build());
        gen.type.addField(FieldSpec.builder(String[].class, prefix + "_TYPES", m).addJavadoc("nncc element types (f32, i8, u8, i16, i32).\n")
                .initializer("$L", "new String[] " + types + "}").build());
        gen.type.addField(FieldSpec.builder(float[].class, prefix + "_SCALES", m).addJavadoc("Quantization scales (0 for float edges).\n")
                .initializer("$L", "new float[] " + scales + "}").build());
        gen.type.addField(FieldSpec.builder(long[].class, prefix + "_ZERO_POINTS", m).addJavadoc("Quantization zero points.\n")
                .initializer("$L", "new long[] " + zps + "}").build());
    }

    private static void accessor(JavaTargetGenerator gen, String name, List<Value> values) {
        CodeBlock.Builder b = CodeBlock.builder().beginControlFlow("return switch (k)");
        for (int k = 0; k < values.size(); k++) b.addStatement("case $L -> $L", k, gen.buffers().get(values.get(k).name()).field());
        b.addStatement("default -> throw new IndexOutOfBoundsException($S + k)", name + " ");
        b.endControlFlow("");
        gen.type.addMethod(MethodSpec.methodBuilder(name).addModifiers(Modifier.PUBLIC).returns(Object.class).addParameter(int.class, "k")
                .addJavadoc("The array of $L k ({@code int[]} for integer types, {@code float[]} for f32), reused by every {@link #run}.\n", name)
                .addCode(b.build()).build());
    }
}
