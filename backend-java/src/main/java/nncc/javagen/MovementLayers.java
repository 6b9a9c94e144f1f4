package nncc.javagen;

import com.palantir.javapoet.CodeBlock;
import nncc.ir.Node;
import nncc.ir.op.Concat;
import nncc.ir.op.Pad;
import nncc.ir.op.Transpose;

/** Data movement that moves elements: Concat (block copies), Transpose and constant Pad (index maps built once). */
final class MovementLayers {
    private MovementLayers() {}

    static void concat(JavaTargetGenerator gen, int index, Node n, Concat op) {
        JavaTargetGenerator.Buffer y = gen.output(n);
        int r = y.shape().length, axis = op.axis() < 0 ? op.axis() + r : op.axis();
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= y.shape()[d];
        for (int d = axis + 1; d < r; d++) inner *= y.shape()[d];
        int outBlock = y.shape()[axis] * inner, offset = 0;
        CodeBlock.Builder b = CodeBlock.builder();
        for (int k = 0; k < n.inputs().size(); k++) {
            JavaTargetGenerator.Buffer x = gen.buffer(n, k);
            if (x.floats() != y.floats()) throw JavaTargetGenerator.refuse(n, "inputs mix float and integer types");
            int block = x.shape()[axis] * inner;
            b.addStatement("for (int o = 0; o < $L; o++) System.arraycopy($L, o * $L, $L, o * $L + $L, $L)", outer, x.field(), block,
                    y.field(), outBlock, offset, block);
            offset += block;
        }
        gen.layer(index, n, b.build());
    }

    static void transpose(JavaTargetGenerator gen, int index, Node n, Transpose op) {
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0);
        JavaTargetGenerator.Buffer y = gen.output(n);
        int[] perm = op.perm().isEmpty() ? reversed(x.shape().length) : op.perm().stream().mapToInt(Integer::intValue).toArray();
        String map = gen.mapField(index, "", "Fixed.transposeMap(" + JavaTargetGenerator.ints(x.shape()) + ", " + JavaTargetGenerator.ints(perm) + ")");
        gen.layer(index, n, CodeBlock.builder()
                .addStatement("for (int i = 0; i < $L; i++) $L[i] = $L[$L[i]]", y.size(), y.field(), x.field(), map).build());
    }

    static void pad(JavaTargetGenerator gen, int index, Node n, Pad op) {
        if (op.mode() != Pad.Mode.CONSTANT) throw JavaTargetGenerator.refuse(n, "only constant padding is emitted, got " + op.mode());
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0);
        JavaTargetGenerator.Buffer y = gen.output(n);
        int r = x.shape().length;
        int[] begin = new int[r];
        for (int d = 0; d < r; d++) begin[d] = Math.toIntExact(op.pads().get(d));
        String map = gen.mapField(index, "", "Fixed.padMap(" + JavaTargetGenerator.ints(x.shape()) + ", " + JavaTargetGenerator.ints(y.shape())
                + ", " + JavaTargetGenerator.ints(begin) + ")");
        String fill = x.floats() ? JavaTargetGenerator.floatLiteral(op.value()) : String.valueOf((long) op.value());
        gen.layer(index, n, CodeBlock.builder()
                .addStatement("for (int i = 0; i < $L; i++) $L[i] = $L[i] < 0 ? $L : $L[$L[i]]", y.size(), y.field(), map, fill, x.field(), map).build());
    }

    private static int[] reversed(int rank) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) p[i] = rank - 1 - i;
        return p;
    }
}
