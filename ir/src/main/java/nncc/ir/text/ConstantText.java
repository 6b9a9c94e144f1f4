package nncc.ir.text;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import nncc.ir.DType;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Constant data in the text form: small tensors (at most {@value #LITERAL_LIMIT} elements) as a literal list in
 * the element type, larger ones as {@code b64"..."}, the standard Base64 of the little-endian bytes. Reading
 * accepts either form at any size and checks the element or byte count against the declared type.
 */
final class ConstantText {
    /** Tensors with at most this many elements print as a literal list. */
    static final int LITERAL_LIMIT = 16;

    private ConstantText() {}

    static String print(Tensor t) {
        if (t.numElements() > LITERAL_LIMIT) return "b64\"" + Base64.getEncoder().encodeToString(t.rawBytes()) + "\"";
        List<String> items = new ArrayList<>();
        switch (t.dtype()) {
            case F64 -> { for (double d : t.toDoubles()) items.add(Lexemes.formatDouble(d)); }
            case F32, F16, BF16 -> { for (float f : t.toFloats()) items.add(Lexemes.formatFloat(f)); }
            case BOOL -> { for (long l : t.toLongs()) items.add(l != 0 ? "1" : "0"); }
            default -> { for (long l : t.toLongs()) items.add(Long.toString(l)); }
        }
        return "[" + String.join(", ", items) + "]";
    }

    /** Decodes Base64 data; throws IllegalArgumentException when it is not Base64 or not {@code bytes} long. */
    static Tensor fromBase64(DType dtype, Shape shape, String token) {
        String body = token.substring(4, token.length() - 1).replaceAll("\\s", "");
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("b64 data is not valid Base64: " + e.getMessage());
        }
        long need = dtype.storageBytes(shape.numElements());
        if (raw.length != need)
            throw new IllegalArgumentException(dtype.text() + shape + " needs " + need + " bytes, b64 data has " + raw.length);
        return Tensor.ofRaw(dtype, shape, raw);
    }

    /** Builds a tensor from literal number tokens; throws IllegalArgumentException on a count or value problem. */
    static Tensor fromLiteral(DType dtype, Shape shape, List<TerminalNode> numbers) {
        long need = shape.numElements();
        if (numbers.size() != need)
            throw new IllegalArgumentException(dtype.text() + shape + " needs " + need + " elements, literal has " + numbers.size());
        int n = numbers.size();
        if (dtype == DType.F64) {
            double[] d = new double[n];
            for (int i = 0; i < n; i++) d[i] = Lexemes.parseDouble(numbers.get(i).getText());
            return Tensor.ofDoubles(shape, d);
        }
        if (dtype.isFloat()) {
            float[] f = new float[n];
            for (int i = 0; i < n; i++) f[i] = Lexemes.parseFloat(numbers.get(i).getText());
            return Tensor.ofFloats(dtype, shape, f);
        }
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            TerminalNode t = numbers.get(i);
            if (t.getSymbol().getType() != NnirLexer.INT)
                throw new IllegalArgumentException(dtype.text() + " element " + i + " must be an integer, got " + t.getText());
            try {
                l[i] = Long.parseLong(t.getText());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("element " + i + " " + t.getText() + " is out of range for " + dtype.text());
            }
        }
        return Tensor.ofLongs(dtype, shape, l);
    }
}
