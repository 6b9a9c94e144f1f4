package nncc.javagen;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import javax.lang.model.element.Modifier;
import nncc.ir.DType;
import nncc.ir.Node;
import nncc.ir.op.QSoftmax;

/**
 * QSoftmax for {@code --target java}: TFLite's 8-bit reference softmax in gemmlowp fixed point. The layer method calls
 * {@code Softmax.rows} with the IR's inputMultiplier, inputLeftShift and diffMin; the nested {@code Softmax} class
 * (emitted once, only into programs that use it) carries gemmlowp's exp on negative values, 1/(1+x) and TFLite's
 * GetReciprocal, mirroring {@link nncc.ir.FixedPointMath} line for line (Java's int arithmetic wraps as gemmlowp's).
 */
final class SoftmaxLayers {
    private SoftmaxLayers() {}

    static final String CLASS = "Softmax";

    static void softmax(JavaTargetGenerator gen, int index, Node n, QSoftmax op) {
        JavaTargetGenerator.Buffer x = gen.buffer(n, 0);
        if (x.floats()) throw JavaTargetGenerator.refuse(n, "input " + n.input(0).name() + " is not an integer type");
        DType in = n.input(0).type().dtype(), out = op.outType();
        if (in != DType.I8 && in != DType.U8) throw JavaTargetGenerator.refuse(n, "input type " + in.text() + " is not i8 or u8");
        if (out != DType.I8 && out != DType.U8 && out != DType.I16)
            throw JavaTargetGenerator.refuse(n, "output type " + out.text() + " is not i8, u8 or i16");
        JavaTargetGenerator.Buffer y = gen.output(n);
        int[] s = x.shape();
        int axis = op.axis() < 0 ? op.axis() + s.length : op.axis();
        int outer = product(s, 0, axis), rowLength = s[axis], inner = product(s, axis + 1, s.length);
        gen.scratchInts = Math.max(gen.scratchInts, rowLength);
        // the helper class once, with the graph's first softmax
        if (gen.graph.nodes().stream().filter(m -> m.op() instanceof QSoftmax).findFirst().orElseThrow() == n) gen.type.addType(type());
        CodeBlock.Builder b = CodeBlock.builder();
        b.addStatement("$L.rows($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L, scratch)", CLASS, x.field(), y.field(), outer, rowLength,
                inner, op.inputMultiplier(), op.inputLeftShift(), op.diffMin(), (int) in.minValue(), (int) out.minValue(), (int) out.maxValue(), out.bits());
        gen.layer(index, n, b.build());
    }

    private static int product(int[] s, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= s[i];
        return p;
    }

    private static TypeSpec type() {
        TypeSpec.Builder t = TypeSpec.classBuilder(CLASS).addModifiers(Modifier.STATIC, Modifier.FINAL)
                .addJavadoc("TFLite's 8-bit reference softmax in gemmlowp fixed point, as nncc's FixedPointMath defines it.\n");
        t.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PRIVATE).build());
        t.addMethod(EmittedArithmetic.method("""
                /** gemmlowp SaturatingRoundingMultiplyByPOT: x * 2^exponent, saturating left, rounding half away right. */
                static int multiplyByPot(int x, int exponent) {
                    if (exponent == 0) return x;
                    if (exponent < 0) return Fixed.roundingDivideByPot(x, -exponent);
                    int threshold = (1 << (31 - exponent)) - 1;
                    if (x > threshold) return Integer.MAX_VALUE;
                    if (x < -threshold) return Integer.MIN_VALUE;
                    return x << exponent;
                }"""));
        t.addMethod(EmittedArithmetic.method("""
                /** gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl: Taylor expansion around -1/8, Q0. */
                static int expOnQuarter(int a) {
                    int x = a + (1 << 28);
                    int x2 = Fixed.doublingHighMul(x, x);
                    int x3 = Fixed.doublingHighMul(x2, x);
                    int x4 = Fixed.doublingHighMul(x2, x2);
                    int x4Over4 = multiplyByPot(x4, -2);
                    int taylor = multiplyByPot(Fixed.doublingHighMul(x4Over4 + x3, 715827883) + x2, -1);
                    return 1895147668 + Fixed.doublingHighMul(1895147668, x + taylor);
                }"""));
        t.addMethod(EmittedArithmetic.method("""
                /** gemmlowp exp_on_negative_values for a Q5.26 value a <= 0, as Q0: the quarter remainder, then e^(-2^k) factors. */
                static int expOnNegativeValues(int a) {
                    int oneQuarter = 1 << 24;
                    int aModQuarterMinusOneQuarter = (a & (oneQuarter - 1)) - oneQuarter;
                    int result = expOnQuarter(multiplyByPot(aModQuarterMinusOneQuarter, 5));
                    int remainder = aModQuarterMinusOneQuarter - a;
                    if ((remainder & (1 << 24)) != 0) result = Fixed.doublingHighMul(result, 1672461947);
                    if ((remainder & (1 << 25)) != 0) result = Fixed.doublingHighMul(result, 1302514674);
                    if ((remainder & (1 << 26)) != 0) result = Fixed.doublingHighMul(result, 790015084);
                    if ((remainder & (1 << 27)) != 0) result = Fixed.doublingHighMul(result, 290630308);
                    if ((remainder & (1 << 28)) != 0) result = Fixed.doublingHighMul(result, 39332535);
                    if ((remainder & (1 << 29)) != 0) result = Fixed.doublingHighMul(result, 720401);
                    if ((remainder & (1 << 30)) != 0) result = Fixed.doublingHighMul(result, 242);
                    return a == 0 ? Integer.MAX_VALUE : result;
                }"""));
        t.addMethod(EmittedArithmetic.method("""
                /** gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a Q0 value in [0, 1), three Newton-Raphson steps in Q2. */
                static int oneOverOnePlusX(int a) {
                    long sum = (long) a + Integer.MAX_VALUE;
                    int halfDenominator = (int) ((sum + (sum >= 0 ? 1 : -1)) / 2);
                    int x = 1515870810 + Fixed.doublingHighMul(halfDenominator, -1010580540);
                    for (int i = 0; i < 3; i++) {
                        int oneMinusHalfDenominatorTimesX = (1 << 29) - Fixed.doublingHighMul(halfDenominator, x);
                        x = x + multiplyByPot(Fixed.doublingHighMul(x, oneMinusHalfDenominatorTimesX), 2);
                    }
                    return multiplyByPot(x, 1);
                }"""));
        t.addMethod(EmittedArithmetic.method("""
                /**
                 * Softmax over the middle axis of x seen as [outer, n, inner]: differences below diffMin give outMin; the
                 * others, scaled into Q5.26, are exponentiated and summed in Q12.19, then divided by the sum through its
                 * reciprocal to bits bits; a sum of 512 or more (shift past 31) gives outMin for the whole row.
                 */
                static void rows(int[] x, int[] y, int outer, int n, int inner, int inputMultiplier, int inputLeftShift, int diffMin, int inMin, int outMin, int outMax, int bits, int[] exps) {
                    for (int o = 0; o < outer; o++)
                        for (int i = 0; i < inner; i++) {
                            int base = o * n * inner + i;
                            int max = inMin;
                            for (int k = 0; k < n; k++) max = Math.max(max, x[base + k * inner]);
                            int sum = 0;
                            for (int k = 0; k < n; k++) {
                                int diff = x[base + k * inner] - max;
                                if (diff < diffMin) { exps[k] = -1; continue; }
                                int scaled = Fixed.doublingHighMul(diff * (1 << inputLeftShift), inputMultiplier);
                                exps[k] = expOnNegativeValues(scaled);
                                sum += multiplyByPot(exps[k], -12);
                            }
                            int headroomPlusOne = Integer.numberOfLeadingZeros(sum);
                            int numBitsOverUnit = 12 - headroomPlusOne;
                            int scale = oneOverOnePlusX((sum << headroomPlusOne) - Integer.MIN_VALUE);
                            int exponent = numBitsOverUnit + 31 - bits;
                            boolean belowHalf = exponent > 31;
                            for (int k = 0; k < n; k++) {
                                int v = exps[k] < 0 || belowHalf ? outMin
                                        : Fixed.roundingDivideByPot(Fixed.doublingHighMul(scale, exps[k]), exponent) + outMin;
                                y[base + k * inner] = Fixed.clamp(v, outMin, outMax);
                            }
                        }
                }"""));
        return t.build();
    }
}
