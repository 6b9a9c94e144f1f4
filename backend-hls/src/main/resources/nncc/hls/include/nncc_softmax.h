// nncc HLS kernel library: TFLite's 8-bit reference SOFTMAX in gemmlowp fixed point (QSoftmax), bit-exact with
// nncc's CPU reference (cpu/QuantizedReductionKernels.qSoftmax over ir/FixedPointMath.java).
//  - the gemmlowp helpers on raw int32 values of format Qm (m integer bits): saturating_rounding_multiply_by_pot,
//    rescale, exp_on_negative_values (Taylor expansion on [-1/4, 0) plus a barrel shifter of e^(-2^k)),
//    one_over_one_plus_x_for_x_in_0_1 (three Newton-Raphson steps) and TFLite's GetReciprocal;
//  - softmax: per row, d = x - max(row); d < diff_min gives the output minimum; else d times (input_multiplier,
//    input_left_shift) is a Q5.26 value, its exponential is summed in Q12.19, and each exponential is divided by the
//    sum through the reciprocal. A sum whose final shift passes 31 (512 or more) gives the output minimum for the
//    whole row (see ir/op/QSoftmax.java). The three numbers come from the IR; nothing is computed here at build time.
// Additions and subtractions wrap to 32 bits as gemmlowp's int32 ones do (ap_int<32> assignment truncates).
#ifndef NNCC_SOFTMAX_H
#define NNCC_SOFTMAX_H

#include "nncc_requant.h"

namespace nncc {

typedef ap_int<32> fixed_raw_t;  // the raw value of a gemmlowp fixed-point number

// gemmlowp SaturatingRoundingMultiplyByPOT: x * 2^exponent; positive exponents saturate, negative ones round half
// away from zero (exponent in [-31, 30]).
inline fixed_raw_t saturating_rounding_multiply_by_pot(fixed_raw_t x, int exponent) {
    if (exponent == 0) return x;
    if (exponent < 0) return rounding_divide_by_pot(x, -exponent);
    const fixed_raw_t threshold = fixed_raw_t((1LL << (31 - exponent)) - 1);
    if (x > threshold) return fixed_raw_t(0x7FFFFFFF);
    if (x < -threshold) return fixed_raw_t(1) << 31;
    return x << exponent;
}

// gemmlowp Rescale: the same real value moved from Q(SRC_BITS) to Q(DST_BITS).
template <int SRC_BITS, int DST_BITS>
fixed_raw_t rescale(fixed_raw_t raw) {
    return saturating_rounding_multiply_by_pot(raw, SRC_BITS - DST_BITS);
}

// gemmlowp RoundingHalfSum: (a + b) / 2 rounded half away from zero, in 64 bits.
inline fixed_raw_t rounding_half_sum(fixed_raw_t a, fixed_raw_t b) {
    const long long sum = a.to_int64() + b.to_int64();
    const long long sign = sum >= 0 ? 1 : -1;
    return fixed_raw_t((sum + sign) / 2);  // C++ division truncates toward zero
}

// gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl: e^a for a Q0 value a in [-1/4, 0).
inline fixed_raw_t exp_on_interval_between_negative_one_quarter_and_0_excl(fixed_raw_t a) {
    const fixed_raw_t exp_minus_one_eighth = 1895147668;  // e^(-1/8) in Q0
    const fixed_raw_t one_third = 715827883;               // 1/3 in Q0
    const fixed_raw_t x = a + fixed_raw_t(1 << 28);        // a + 1/8
    const fixed_raw_t x2 = saturating_rounding_doubling_high_mul(x, x);
    const fixed_raw_t x3 = saturating_rounding_doubling_high_mul(x2, x);
    const fixed_raw_t x4 = saturating_rounding_doubling_high_mul(x2, x2);
    const fixed_raw_t x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2);
    const fixed_raw_t x4_over_4_plus_x3 = x4_over_4 + x3;
    const fixed_raw_t taylor = saturating_rounding_multiply_by_pot(
        fixed_raw_t(saturating_rounding_doubling_high_mul(x4_over_4_plus_x3, one_third) + x2), -1);
    const fixed_raw_t x_plus_taylor = x + taylor;
    return fixed_raw_t(exp_minus_one_eighth + saturating_rounding_doubling_high_mul(exp_minus_one_eighth, x_plus_taylor));
}

// gemmlowp exp_on_negative_values: e^a for a value a <= 0 in Q(INTEGER_BITS), as a Q0 value.
template <int INTEGER_BITS>
fixed_raw_t exp_on_negative_values(fixed_raw_t a) {
    static const int fractional_bits = 31 - INTEGER_BITS;
    static const int one_quarter = 1 << (fractional_bits - 2);
    // e^(-2^k) in Q0 for k = -2..4
    static const int exp_of_minus_power_of_two[7] = {1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242};
    const fixed_raw_t a_mod_quarter_minus_one_quarter = (a & fixed_raw_t(one_quarter - 1)) - fixed_raw_t(one_quarter);
    fixed_raw_t result = exp_on_interval_between_negative_one_quarter_and_0_excl(
        rescale<INTEGER_BITS, 0>(a_mod_quarter_minus_one_quarter));
    const fixed_raw_t remainder = a_mod_quarter_minus_one_quarter - a;
NNCC_LOOP(BARREL)
    for (int exponent = -2; exponent <= 4; exponent++) {
        if (INTEGER_BITS <= exponent) continue;
        const int shift_amount = fractional_bits + exponent;
        if (remainder[shift_amount] != 0)
            result = saturating_rounding_doubling_high_mul(result, fixed_raw_t(exp_of_minus_power_of_two[exponent + 2]));
    }
    if (INTEGER_BITS > 5) {
        const fixed_raw_t clamp_below = -(fixed_raw_t(1) << (INTEGER_BITS > 5 ? 36 - INTEGER_BITS : 0));  // -32
        if (a < clamp_below) result = 0;
    }
    return a == 0 ? fixed_raw_t(0x7FFFFFFF) : result;
}

// gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a Q0 value a in [0, 1), as Q0.
inline fixed_raw_t one_over_one_plus_x_for_x_in_0_1(fixed_raw_t a) {
    const fixed_raw_t half_denominator = rounding_half_sum(a, fixed_raw_t(0x7FFFFFFF));  // Q0
    const fixed_raw_t forty_eight_over_seventeen = 1515870810;                          // Q2
    const fixed_raw_t minus_thirty_two_over_seventeen = -1010580540;                   // Q2
    fixed_raw_t x = forty_eight_over_seventeen + saturating_rounding_doubling_high_mul(half_denominator, minus_thirty_two_over_seventeen);
NNCC_LOOP(NEWTON)
    for (int i = 0; i < 3; i++) {
        const fixed_raw_t half_denominator_times_x = saturating_rounding_doubling_high_mul(half_denominator, x);  // Q2
        const fixed_raw_t one_minus_half_denominator_times_x = fixed_raw_t(1 << 29) - half_denominator_times_x;  // Q2
        x = x + rescale<4, 2>(saturating_rounding_doubling_high_mul(x, one_minus_half_denominator_times_x));
    }
    // ExactMulByPot<-1> reads the Q2 raw value as Q1 (halving it); then Q1 -> Q0
    return rescale<1, 0>(x);
}

// TFLite GetReciprocal for x > 0 in Q(X_INTEGER_BITS): 1/x = scale * 2^-num_bits_over_unit.
template <int X_INTEGER_BITS>
fixed_raw_t reciprocal(fixed_raw_t x, int &num_bits_over_unit) {
    int headroom_plus_one = 0;  // leading zeros of x (x > 0: 1 to 31)
NNCC_LOOP(LEADING_ZEROS)
    for (int b = 31; b >= 0 && x[b] == 0; b--) headroom_plus_one++;
    num_bits_over_unit = X_INTEGER_BITS - headroom_plus_one;
    const ap_uint<32> shifted = ap_uint<32>(x) << headroom_plus_one;
    const fixed_raw_t shifted_sum_minus_one = fixed_raw_t(shifted ^ ap_uint<32>(0x80000000u));  // minus 2^31, wrapped
    return one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
}

// TFLite MultiplyByQuantizedMultiplierGreaterThanOne: SRDHM(x * 2^left_shift, multiplier); the product wraps.
inline fixed_raw_t multiply_by_quantized_multiplier_greater_than_one(fixed_raw_t x, mult_t multiplier, int left_shift) {
    const fixed_raw_t shifted = ap_int<64>(x) << left_shift;
    return saturating_rounding_doubling_high_mul(shifted, multiplier);
}

// Integer softmax over the middle axis of the input seen as [outer, n, inner].
// CONFIG: in_t, out_t, outer, n, inner, input_multiplier, input_left_shift, diff_min, out_bits (of the output type:
// the division by the sum leaves out_bits bits), reuse_factor.
template <class CONFIG>
void softmax(const typename CONFIG::in_t x[CONFIG::outer * CONFIG::n * CONFIG::inner],
             typename CONFIG::out_t y[CONFIG::outer * CONFIG::n * CONFIG::inner]) {
    static const int scaled_diff_integer_bits = 5;  // Q5.26 differences
    static const int accumulation_integer_bits = 12;  // Q12.19 sum
    const int out_min = int(type_range<typename CONFIG::out_t>::min), out_max = int(type_range<typename CONFIG::out_t>::max);
NNCC_LOOP(OUTER)
    for (int o = 0; o < CONFIG::outer; o++) {
    NNCC_LOOP(INNER)
        for (int i = 0; i < CONFIG::inner; i++) {
            const int base = o * CONFIG::n * CONFIG::inner + i;
            fixed_raw_t max = fixed_raw_t(type_range<typename CONFIG::in_t>::min);
        NNCC_LOOP(ROW_MAX)
            for (int k = 0; k < CONFIG::n; k++) {
                NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
                const fixed_raw_t v = x[base + k * CONFIG::inner];
                if (v > max) max = v;
            }
            fixed_raw_t exps[CONFIG::n];
            bool cut[CONFIG::n];
            fixed_raw_t sum = 0;  // Q12.19
        NNCC_LOOP(EXPONENTIALS)
            for (int k = 0; k < CONFIG::n; k++) {
                NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
                const fixed_raw_t diff = fixed_raw_t(x[base + k * CONFIG::inner]) - max;
                cut[k] = diff < CONFIG::diff_min;
                exps[k] = 0;
                if (cut[k]) continue;
                const fixed_raw_t scaled = multiply_by_quantized_multiplier_greater_than_one(diff, CONFIG::input_multiplier,
                                                                                              CONFIG::input_left_shift);
                exps[k] = exp_on_negative_values<scaled_diff_integer_bits>(scaled);
                sum += rescale<0, accumulation_integer_bits>(exps[k]);
            }
            int num_bits_over_unit = 0;
            const fixed_raw_t scale = reciprocal<accumulation_integer_bits>(sum, num_bits_over_unit);
            const int exponent = num_bits_over_unit + 31 - CONFIG::out_bits;
            const bool below_half = exponent > 31;  // a sum of 512 or more: every quotient is below half a step
        NNCC_LOOP(DIVIDE)
            for (int k = 0; k < CONFIG::n; k++) {
                NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
                fixed_raw_t v = out_min;
                if (!cut[k] && !below_half)
                    v = rounding_divide_by_pot(saturating_rounding_doubling_high_mul(scale, exps[k]), exponent) + fixed_raw_t(out_min);
                y[base + k * CONFIG::inner] = typename CONFIG::out_t(clamp<32>(v, out_min, out_max));
            }
        }
    }
}

}  // namespace nncc

#endif
