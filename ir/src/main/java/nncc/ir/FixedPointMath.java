package nncc.ir;

/**
 * gemmlowp's fixed-point functions (exp on negative values, 1/(1+x), rescaling between Q formats) and TFLite's
 * softmax scaling helpers, on raw int32 values. A value in format Qm (m integer bits, 31 - m fractional bits) with
 * raw integer r stands for {@code r * 2^(m - 31)}. The pass that computes {@code QSoftmax}'s numbers and the kernels
 * that evaluate it share this class, so they cannot disagree. Every operation has C++'s semantics: int32 addition
 * and subtraction wrap where gemmlowp's do, products go through {@link FixedPoint#saturatingRoundingDoublingHighMul}.
 */
public final class FixedPointMath {
    private FixedPointMath() {}

    /** Integer bits of the scaled input differences of TFLite's quantized softmax (Q5.26). */
    public static final int SOFTMAX_SCALED_DIFF_INTEGER_BITS = 5;
    /** Integer bits of the sum of exponentials in TFLite's quantized softmax (Q12.19). */
    public static final int SOFTMAX_ACCUMULATION_INTEGER_BITS = 12;

    /** gemmlowp's {@code One()} of Q0: the largest raw value (1 itself is not representable). */
    public static final int Q0_ONE = Integer.MAX_VALUE;

    /**
     * gemmlowp SaturatingRoundingMultiplyByPOT: {@code x * 2^exponent}; a positive exponent shifts left and saturates,
     * a negative one divides rounding half away from zero.
     */
    public static int saturatingRoundingMultiplyByPOT(int x, int exponent) {
        if (exponent == 0) return x;
        if (exponent < 0) return FixedPoint.roundingDivideByPOT(x, -exponent);
        if (exponent > 30) throw new IllegalArgumentException("exponent " + exponent + " outside [-31, 30]");
        int threshold = (1 << (31 - exponent)) - 1;
        if (x > threshold) return Integer.MAX_VALUE;
        if (x < -threshold) return Integer.MIN_VALUE;
        return x << exponent;
    }

    /** gemmlowp Rescale: the same real value moved from Q{@code srcIntegerBits} to Q{@code dstIntegerBits}. */
    public static int rescale(int raw, int srcIntegerBits, int dstIntegerBits) {
        return saturatingRoundingMultiplyByPOT(raw, srcIntegerBits - dstIntegerBits);
    }

    /** gemmlowp RoundingHalfSum for int32: (a + b) / 2 rounded half away from zero, in 64 bits. */
    public static int roundingHalfSum(int a, int b) {
        long sum = (long) a + b;
        long sign = sum >= 0 ? 1 : -1;
        return (int) ((sum + sign) / 2);
    }

    /** gemmlowp's Q0 constant e^(-1/8). */
    static final int EXP_MINUS_ONE_EIGHTH = 1895147668;
    /** gemmlowp's Q0 constant 1/3. */
    static final int ONE_THIRD = 715827883;
    /** e^(-2^k) in Q0 for k = -2..4: the multipliers of gemmlowp's exp barrel shifter. */
    private static final int[] EXP_OF_MINUS_POWER_OF_TWO = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};

    /**
     * gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl: e^a for a Q0 value in [-1/4, 0), by a
     * fourth-order Taylor expansion around -1/8.
     */
    public static int expOnIntervalBetweenNegativeOneQuarterAnd0Excl(int a) {
        int x = a + (1 << 28); // a + 1/8
        int x2 = mul(x, x);
        int x3 = mul(x2, x);
        int x4 = mul(x2, x2);
        int x4Over4 = saturatingRoundingMultiplyByPOT(x4, -2);
        int x4Over24PlusX3Over6PlusX2Over2 = saturatingRoundingMultiplyByPOT(mul(x4Over4 + x3, ONE_THIRD) + x2, -1);
        return EXP_MINUS_ONE_EIGHTH + mul(EXP_MINUS_ONE_EIGHTH, x + x4Over24PlusX3Over6PlusX2Over2);
    }

    /**
     * gemmlowp exp_on_negative_values: e^a for a value a &le; 0 in Q{@code integerBits}, as a Q0 value. The fraction
     * modulo 1/4 goes through the Taylor expansion, the rest through a barrel shifter of e^(-2^k) factors.
     */
    public static int expOnNegativeValues(int a, int integerBits) {
        if (integerBits < 0 || integerBits > 30) throw new IllegalArgumentException("integer bits " + integerBits + " outside [0, 30]");
        int fractionalBits = 31 - integerBits;
        int oneQuarter = 1 << (fractionalBits - 2);
        int mask = oneQuarter - 1;
        int aModQuarterMinusOneQuarter = (a & mask) - oneQuarter;
        int result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(rescale(aModQuarterMinusOneQuarter, integerBits, 0));
        int remainder = aModQuarterMinusOneQuarter - a;
        for (int exponent = -2; exponent <= 4; exponent++) {
            if (integerBits <= exponent) continue;
            int shiftAmount = fractionalBits + exponent;
            if ((remainder & (1 << shiftAmount)) != 0) result = mul(result, EXP_OF_MINUS_POWER_OF_TWO[exponent + 2]);
        }
        if (integerBits > 5) {
            int clamp = -(1 << (36 - integerBits)); // -32
            if (a < clamp) result = 0;
        }
        return a == 0 ? Q0_ONE : result;
    }

    /** gemmlowp's Q2 constants of the Newton-Raphson start 48/17 - 32/17 * d. */
    static final int FORTY_EIGHT_OVER_SEVENTEEN = 1515870810;
    static final int MINUS_THIRTY_TWO_OVER_SEVENTEEN = -1010580540;

    /**
     * gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a Q0 value a in [0, 1), as a Q0 value, by three
     * Newton-Raphson steps on the half denominator in Q2.
     */
    public static int oneOverOnePlusXForXIn01(int a) {
        int halfDenominator = roundingHalfSum(a, Q0_ONE); // Q0
        int x = FORTY_EIGHT_OVER_SEVENTEEN + mul(halfDenominator, MINUS_THIRTY_TWO_OVER_SEVENTEEN); // Q2
        int oneQ2 = 1 << 29;
        for (int i = 0; i < 3; i++) {
            int halfDenominatorTimesX = mul(halfDenominator, x); // Q2
            int oneMinusHalfDenominatorTimesX = oneQ2 - halfDenominatorTimesX; // Q2
            x = x + rescale(mul(x, oneMinusHalfDenominatorTimesX), 4, 2);
        }
        // ExactMulByPot<-1> reinterprets the Q2 raw value as Q1 (halving it); then Rescale Q1 -> Q0
        return rescale(x, 1, 0);
    }

    /** The reciprocal of a positive fixed-point value as TFLite's GetReciprocal returns it. */
    public record Reciprocal(int scale, int numBitsOverUnit) {}

    /**
     * TFLite GetReciprocal: for x &gt; 0 in Q{@code xIntegerDigits}, normalizes x to [1, 2) and returns
     * {@code scale} = 1 / normalized x in Q0 together with how many bits x was shifted ({@code numBitsOverUnit}),
     * so that 1/x = scale * 2^-numBitsOverUnit.
     */
    public static Reciprocal reciprocal(int x, int xIntegerDigits) {
        if (x <= 0) throw new IllegalArgumentException("reciprocal of non-positive raw value " + x);
        int headroomPlusOne = Integer.numberOfLeadingZeros(x);
        int numBitsOverUnit = xIntegerDigits - headroomPlusOne;
        int shiftedSumMinusOne = (x << headroomPlusOne) - Integer.MIN_VALUE; // uint32 arithmetic, wrapped
        return new Reciprocal(oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit);
    }

    /** TFLite MultiplyByQuantizedMultiplierGreaterThanOne: SRDHM(x * 2^leftShift, multiplier). */
    public static int multiplyByQuantizedMultiplierGreaterThanOne(int x, int multiplier, int leftShift) {
        return FixedPoint.saturatingRoundingDoublingHighMul(x * (1 << leftShift), multiplier);
    }

    /** The three numbers of a quantized softmax, computed once by a pass and read by kernels. */
    public record SoftmaxScaling(int inputMultiplier, int inputLeftShift, int diffMin) {}

    /**
     * TFLite's softmax Prepare for 8-bit input: PreprocessSoftmaxScaling turns {@code beta * inputScale} into a Q31
     * multiplier and left shift that bring an input difference into Q5.26 (the real multiplier capped at 2^31 - 1),
     * and CalculateInputRadius gives {@code diffMin}, the most negative difference that does not overflow Q5.26.
     */
    public static SoftmaxScaling softmaxScaling(double beta, double inputScale) {
        int integerBits = SOFTMAX_SCALED_DIFF_INTEGER_BITS;
        double real = Math.min(beta * inputScale * (double) (1L << (31 - integerBits)), (double) ((1L << 31) - 1));
        if (!(real > 1.0)) throw new IllegalArgumentException("softmax multiplier beta * input scale * 2^26 = " + real + " must exceed 1");
        FixedPoint.Multiplier m = FixedPoint.quantizeMultiplier(real, Rounding.DOUBLE_ROUND);
        int leftShift = m.shift();
        if (leftShift < 0) throw new IllegalArgumentException("softmax left shift " + leftShift + " is negative");
        return new SoftmaxScaling(m.multiplier(), leftShift, -calculateInputRadius(integerBits, leftShift, 31));
    }

    /**
     * TFLite CalculateInputRadius: the largest input difference whose rescaled value still fits
     * Q{@code inputIntegerBits}, floor((2^bits - 1) * 2^(totalSignedBits - bits) / 2^leftShift).
     */
    public static int calculateInputRadius(int inputIntegerBits, int inputLeftShift, int totalSignedBits) {
        double maxInputRescaled = 1.0 * ((1 << inputIntegerBits) - 1) * (double) (1L << (totalSignedBits - inputIntegerBits))
                / (double) (1L << inputLeftShift);
        return (int) Math.floor(maxInputRescaled);
    }

    private static int mul(int a, int b) { return FixedPoint.saturatingRoundingDoublingHighMul(a, b); }
}
