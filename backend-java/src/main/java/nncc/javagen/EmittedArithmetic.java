package nncc.javagen;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Modifier;
import nncc.ir.Rounding;

/**
 * The nested {@code Fixed} class every generated program carries: TFLite's requantization arithmetic (gemmlowp's
 * doubling high multiply and rounding divide for {@code double_round}, the one-rounding 64-bit form for
 * {@code single_round}, the Q15 form for int64 accumulators), C's {@code round}, and the index maps the data-movement
 * layers build once at class initialization. It mirrors {@link nncc.ir.FixedPoint} line for line; the generated
 * program is checked against nncc's interpreter bit for bit.
 */
final class EmittedArithmetic {
    private EmittedArithmetic() {}

    static final String CLASS = "Fixed";

    /** The helper's method that requantizes an accumulator in {@code rounding} (int64 accumulators: the Q15 form). */
    static String requantize(Rounding rounding) {
        return switch (rounding) {
            case DOUBLE_ROUND -> CLASS + ".doubleRound";
            case SINGLE_ROUND -> CLASS + ".singleRound";
            case SINGLE_ROUND_Q15 -> CLASS + ".singleRoundQ15";
            // the generator refuses such nodes before emitting them (OnnxArithmetic.refusal)
            case ONNX_FLOAT32 -> throw new IllegalStateException("onnx_float32 has no emitted arithmetic");
        };
    }

    static TypeSpec type() {
        TypeSpec.Builder t = TypeSpec.classBuilder(CLASS).addModifiers(Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("Integer arithmetic of TFLite's reference kernels, as nncc's FixedPoint defines it.\n");
        t.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
        t.addMethod(method("""
                /** gemmlowp SaturatingRoundingDoublingHighMul: high 32 bits of 2ab, ties toward +infinity. */
                static int doublingHighMul(int a, int b) {
                    if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) return Integer.MAX_VALUE;
                    long ab = (long) a * (long) b;
                    long nudge = ab >= 0 ? (1L << 30) : (1 - (1L << 30));
                    return (int) ((ab + nudge) / (1L << 31));
                }"""));
        t.addMethod(method("""
                /** gemmlowp RoundingDivideByPOT: x / 2^exponent, ties away from zero. */
                static int roundingDivideByPot(int x, int exponent) {
                    int mask = (int) ((1L << exponent) - 1);
                    int remainder = x & mask;
                    int threshold = (mask >> 1) + (x < 0 ? 1 : 0);
                    return (x >> exponent) + (remainder > threshold ? 1 : 0);
                }"""));
        t.addMethod(method("""
                /** MultiplyByQuantizedMultiplier with two roundings (double_round). */
                static int doubleRound(int x, int multiplier, int shift) {
                    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
                    return roundingDivideByPot(doublingHighMul(x * (1 << left), multiplier), right);
                }"""));
        t.addMethod(method("""
                /** MultiplyByQuantizedMultiplier with one rounding (single_round, TFLITE_SINGLE_ROUNDING). */
                static int singleRound(int x, int multiplier, int shift) {
                    int totalShift = 31 - shift;
                    return (int) (((long) x * multiplier + (1L << (totalShift - 1))) >> totalShift);
                }"""));
        t.addMethod(method("""
                /** The int64-accumulator MultiplyByQuantizedMultiplier: multiplier reduced to Q15, one rounding. */
                static int singleRoundQ15(long x, int multiplier, int shift) {
                    int reduced = multiplier < 0x7FFF0000 ? (multiplier + (1 << 15)) >> 16 : 0x7FFF;
                    int totalShift = 15 - shift;
                    return (int) ((x * reduced + (1L << (totalShift - 1))) >> totalShift);
                }"""));
        t.addMethod(method("""
                static int clamp(int v, int lo, int hi) { return v < lo ? lo : Math.min(v, hi); }"""));
        t.addMethod(method("""
                /** C's round (ties away from zero), exact for every double; NaN gives 0. */
                static long roundHalfAway(double v) {
                    if (Double.isNaN(v)) return 0;
                    double a = Math.abs(v), whole = Math.floor(a);
                    long r = (long) whole + (a - whole >= 0.5 ? 1 : 0);
                    return v < 0 ? -r : r;
                }"""));
        t.addMethod(method("""
                /** TFLite QUANTIZE of an already divided value: round half away, add the zero point, saturate; NaN gives zp. */
                static int quantize(double q, long zeroPoint, long lo, long hi) {
                    if (Double.isNaN(q)) return (int) zeroPoint;
                    double bounded = Math.max(-0x1p62, Math.min(0x1p62, q));
                    long code = roundHalfAway(bounded) + zeroPoint;
                    return (int) Math.max(lo, Math.min(hi, code));
                }"""));
        t.addMethod(method("""
                /** Row-major strides of a shape. */
                static int[] strides(int[] shape) {
                    int[] s = new int[shape.length];
                    for (int i = shape.length - 1, acc = 1; i >= 0; i--) { s[i] = acc; acc *= shape[i]; }
                    return s;
                }"""));
        t.addMethod(method("""
                /** For each element of outShape, the element of an input of inShape it reads under numpy broadcasting. */
                static int[] broadcastMap(int[] outShape, int[] inShape) {
                    int r = outShape.length, n = 1;
                    for (int d : outShape) n *= d;
                    int[] in = new int[r];
                    for (int i = 0; i < inShape.length; i++) in[r - inShape.length + i] = inShape[i];
                    for (int i = 0; i < r - inShape.length; i++) in[i] = 1;
                    int[] st = strides(in), map = new int[n], pos = new int[r];
                    for (int i = 0; i < n; i++) {
                        int o = 0;
                        for (int d = 0; d < r; d++) if (in[d] != 1) o += pos[d] * st[d];
                        map[i] = o;
                        for (int d = r - 1; d >= 0 && ++pos[d] == outShape[d]; d--) pos[d] = 0;
                    }
                    return map;
                }"""));
        t.addMethod(method("""
                /** For each element of inShape, the output element it is summed into when the axes marked in reduced are reduced. */
                static int[] reduceMap(int[] inShape, boolean[] reduced) {
                    int r = inShape.length, n = 1;
                    int[] kept = new int[r];
                    for (int d = 0; d < r; d++) { kept[d] = reduced[d] ? 1 : inShape[d]; n *= inShape[d]; }
                    int[] st = strides(kept), map = new int[n], pos = new int[r];
                    for (int i = 0; i < n; i++) {
                        int o = 0;
                        for (int d = 0; d < r; d++) if (!reduced[d]) o += pos[d] * st[d];
                        map[i] = o;
                        for (int d = r - 1; d >= 0 && ++pos[d] == inShape[d]; d--) pos[d] = 0;
                    }
                    return map;
                }"""));
        t.addMethod(method("""
                /** For each output element of a transpose by perm, the input element it copies. */
                static int[] transposeMap(int[] inShape, int[] perm) {
                    int r = inShape.length, n = 1;
                    int[] out = new int[r];
                    for (int d = 0; d < r; d++) { out[d] = inShape[perm[d]]; n *= out[d]; }
                    int[] st = strides(inShape), map = new int[n], pos = new int[r];
                    for (int i = 0; i < n; i++) {
                        int o = 0;
                        for (int d = 0; d < r; d++) o += pos[d] * st[perm[d]];
                        map[i] = o;
                        for (int d = r - 1; d >= 0 && ++pos[d] == out[d]; d--) pos[d] = 0;
                    }
                    return map;
                }"""));
        t.addMethod(method("""
                /** For each output element of a constant pad (begin pads, negative crops), the input element it copies or -1. */
                static int[] padMap(int[] inShape, int[] outShape, int[] begin) {
                    int r = inShape.length, n = 1;
                    for (int d : outShape) n *= d;
                    int[] st = strides(inShape), map = new int[n], pos = new int[r];
                    for (int i = 0; i < n; i++) {
                        int o = 0;
                        for (int d = 0; d < r && o >= 0; d++) {
                            int p = pos[d] - begin[d];
                            o = p < 0 || p >= inShape[d] ? -1 : o + p * st[d];
                        }
                        map[i] = o;
                        for (int d = r - 1; d >= 0 && ++pos[d] == outShape[d]; d--) pos[d] = 0;
                    }
                    return map;
                }"""));
        return t.build();
    }

    /** A static method given as Java text (a Javadoc comment, then the declaration). */
    static MethodSpec method(String text) {
        String javadoc = null, body = text.strip();
        if (body.startsWith("/**")) {
            int end = body.indexOf("*/");
            javadoc = body.substring(3, end).strip();
            body = body.substring(end + 2).strip();
        }
        int paren = body.indexOf('('), brace = body.indexOf('{');
        String[] head = body.substring(0, paren).trim().split("\\s+");
        String name = head[head.length - 1], returns = head[head.length - 2];
        String params = body.substring(paren + 1, body.lastIndexOf(')', brace)).trim();
        String code = body.substring(brace + 1, body.lastIndexOf('}')).strip();
        MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.STATIC);
        for (String h : head) if (h.equals("public")) m.addModifiers(Modifier.PUBLIC); else if (h.equals("private")) m.addModifiers(Modifier.PRIVATE);
        m.returns(JavaTypes.of(returns));
        if (!params.isEmpty())
            for (String p : splitParams(params)) {
                String[] pt = p.trim().split("\\s+");
                m.addParameter(JavaTypes.of(pt[0]), pt[1]);
            }
        String tail = body.substring(body.lastIndexOf(')', brace) + 1, brace).trim();
        if (tail.startsWith("throws "))
            for (String e : tail.substring(7).split(",")) m.addException(JavaTypes.of(e.trim()));
        if (javadoc != null) m.addJavadoc(javadoc.replace("$", "$$") + "\n");
        for (String line : code.split("\n")) m.addCode((line.startsWith("    ") ? line.substring(4) : line.strip()).replace("$", "$$") + "\n");
        return m.build();
    }

    private static String[] splitParams(String params) { return params.split(",\\s*(?![^<]*>)"); }
}
