// nncc HLS kernel library: TFLite's fixed-point requantization (ir/FixedPoint.java), bit-exact.
//  - saturating_rounding_doubling_high_mul / rounding_divide_by_pot: gemmlowp's primitives
//  - multiply_by_quantized_multiplier<DOUBLE_ROUND|SINGLE_ROUND>: int32 accumulators
//  - multiply_by_quantized_multiplier_wide: int64 accumulators (int16 activations), multiplier reduced to Q15,
//    one rounding
#ifndef NNCC_REQUANT_H
#define NNCC_REQUANT_H

#include "nncc_common.h"

namespace nncc {

// High 32 bits of 2ab rounded half away from zero; INT32_MIN * INT32_MIN saturates to INT32_MAX.
inline ap_int<32> saturating_rounding_doubling_high_mul(ap_int<32> a, ap_int<32> b) {
    const ap_int<32> int_min = ap_int<32>(1) << 31;
    if (a == int_min && b == int_min) return ap_int<32>(0x7FFFFFFF);
    ap_int<64> ab = ap_int<64>(a) * ap_int<64>(b);
    ap_int<64> nudge = ab >= 0 ? ap_int<64>(1LL << 30) : ap_int<64>(1 - (1LL << 30));
    ap_int<64> s = ab + nudge;
    // division by 2^31 truncating toward zero, as C++ '/': arithmetic shift, plus one for an inexact negative
    ap_int<64> q = s >> 31;
    if (s < 0 && (s & ap_int<64>(0x7FFFFFFFLL)) != 0) q += 1;
    return ap_int<32>(q);
}

// x / 2^exponent rounded half away from zero, exponent in [0, 31].
inline ap_int<32> rounding_divide_by_pot(ap_int<32> x, int exponent) {
    ap_int<32> mask = ap_int<32>((1LL << exponent) - 1);
    ap_int<32> remainder = x & mask;
    ap_int<32> threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite MultiplyByQuantizedMultiplier for an int32 accumulator x: x * multiplier * 2^(shift - 31), rounded as
// ROUNDING says. DOUBLE_ROUND: (x << max(shift, 0)) wraps to 32 bits, then the doubling high multiply and a
// rounding right shift by max(-shift, 0). SINGLE_ROUND: one 64-bit product, add half, shift by 31 - shift
// (shift in [-31, 30]).
template <rounding_t ROUNDING>
ap_int<32> multiply_by_quantized_multiplier(ap_int<32> x, mult_t multiplier, int shift) {
    if (ROUNDING == SINGLE_ROUND) {
        int total_shift = 31 - shift;
        ap_int<64> round = ap_int<64>(1) << (total_shift - 1);
        ap_int<64> result = (ap_int<64>(x) * ap_int<64>(multiplier) + round) >> total_shift;
        return ap_int<32>(result);
    }
    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    ap_int<32> shifted = ap_int<64>(x) << left;  // wraps to 32 bits, as the int32 product does
    return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier), right);
}

// TFLite's 64-bit-accumulator MultiplyByQuantizedMultiplier (int16x8 kernels): the multiplier reduced to Q15
// (rounded; 0x7FFF at the top), one rounding; x in [-2^47, 2^47), shift in [-31, 7].
inline ap_int<32> multiply_by_quantized_multiplier_wide(ap_int<64> x, mult_t multiplier, int shift) {
    ap_int<64> reduced = multiplier < mult_t(0x7FFF0000) ? ap_int<64>((ap_int<64>(multiplier) + (1 << 15)) >> 16)
                                                         : ap_int<64>(0x7FFF);
    int total_shift = 15 - shift;
    ap_int<64> r = x * reduced + (ap_int<64>(1) << (total_shift - 1));
    return ap_int<32>(r >> total_shift);
}

// The output stage of conv and dense (cpu/Requantizer.java): accumulator -> multiplier/shift -> + output zero
// point -> clamp to [act_min, act_max]. int64 accumulators (CONFIG::wide_accumulator) take the 64-bit variant,
// which has its own single rounding; int32 ones round as CONFIG::rounding.
template <class CONFIG>
typename CONFIG::out_t requantize_output(typename CONFIG::accum_t acc, mult_t multiplier, int shift) {
    ap_int<32> scaled = CONFIG::wide_accumulator
                            ? multiply_by_quantized_multiplier_wide(ap_int<64>(acc), multiplier, shift)
                            : multiply_by_quantized_multiplier<CONFIG::rounding>(ap_int<32>(acc), multiplier, shift);
    ap_int<32> v = scaled + ap_int<32>(CONFIG::output_zp);  // int32 addition, as the reference
    return typename CONFIG::out_t(clamp<32>(v, CONFIG::act_min, CONFIG::act_max));
}

}  // namespace nncc

#endif
