// nncc HLS kernel library: integer element-wise ops with numpy broadcasting (up to rank 4; the generator
// gives each input's strides over the output dims, 0 where the input is broadcast).
//  - add (QAdd; TFLite ADD): a' = mbqm((a - zp_a) << left_shift, multiplier_a, shift_a), likewise b',
//    y = clamp(mbqm(a' + b', multiplier, shift) + output_zp, act_min, act_max), all in int32.
//  - mul (QMul; TFLite MUL): y = clamp(mbqm((a - zp_a) * (b - zp_b), multiplier, shift) + output_zp, ...).
//  - requantize (Requantize): y = saturate(mbqm(x - input_zp, multiplier, shift) + output_zp).
//  - lut (QLut): y = table[x - min(in_t)].
// Mirrors cpu/QuantizedElementwiseKernels and cpu/ConversionKernels.requantize.
#ifndef NNCC_ELEMENTWISE_H
#define NNCC_ELEMENTWISE_H

#include "nncc_requant.h"

namespace nncc {

// Broadcast CONFIG: a_t, b_t, out_t, d0..d3 (output dims), a_s0..a_s3 and b_s0..b_s3 (input strides), n_a,
// n_b, n_out (element counts), reuse_factor.
#define NNCC_BROADCAST_LOOP(CONFIG, BODY)                                                                  \
    for (int i0 = 0; i0 < CONFIG::d0; i0++)                                                             \
        for (int i1 = 0; i1 < CONFIG::d1; i1++)                                                         \
            for (int i2 = 0; i2 < CONFIG::d2; i2++)                                                     \
                for (int i3 = 0; i3 < CONFIG::d3; i3++) {                                               \
                    NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)                                          \
                    const int o = ((i0 * CONFIG::d1 + i1) * CONFIG::d2 + i2) * CONFIG::d3 + i3;         \
                    const int ia = i0 * CONFIG::a_s0 + i1 * CONFIG::a_s1 + i2 * CONFIG::a_s2 + i3 * CONFIG::a_s3; \
                    const int ib = i0 * CONFIG::b_s0 + i1 * CONFIG::b_s1 + i2 * CONFIG::b_s2 + i3 * CONFIG::b_s3; \
                    BODY                                                                                \
                }

// CONFIG additionally: input_zp_a, input_zp_b, left_shift, multiplier_a, shift_a, multiplier_b, shift_b,
// multiplier, shift, output_zp, act_min, act_max, rounding.
template <class CONFIG>
void add(const typename CONFIG::a_t a[CONFIG::n_a], const typename CONFIG::b_t b[CONFIG::n_b],
         typename CONFIG::out_t y[CONFIG::n_out]) {
    NNCC_BROADCAST_LOOP(CONFIG, {
        const ap_int<32> xa = ap_int<64>(ap_int<32>(a[ia]) - CONFIG::input_zp_a) << CONFIG::left_shift;
        const ap_int<32> xb = ap_int<64>(ap_int<32>(b[ib]) - CONFIG::input_zp_b) << CONFIG::left_shift;
        const ap_int<32> sa = multiply_by_quantized_multiplier<CONFIG::rounding>(xa, CONFIG::multiplier_a, CONFIG::shift_a);
        const ap_int<32> sb = multiply_by_quantized_multiplier<CONFIG::rounding>(xb, CONFIG::multiplier_b, CONFIG::shift_b);
        const ap_int<32> sum = sa + sb;
        const ap_int<32> v = multiply_by_quantized_multiplier<CONFIG::rounding>(sum, CONFIG::multiplier, CONFIG::shift) +
                             ap_int<32>(CONFIG::output_zp);
        y[o] = typename CONFIG::out_t(clamp<32>(v, CONFIG::act_min, CONFIG::act_max));
    })
}

// CONFIG additionally: input_zp_a, input_zp_b, multiplier, shift, output_zp, act_min, act_max, rounding.
template <class CONFIG>
void mul(const typename CONFIG::a_t a[CONFIG::n_a], const typename CONFIG::b_t b[CONFIG::n_b],
         typename CONFIG::out_t y[CONFIG::n_out]) {
    NNCC_BROADCAST_LOOP(CONFIG, {
        const ap_int<32> product = (ap_int<32>(a[ia]) - CONFIG::input_zp_a) * (ap_int<32>(b[ib]) - CONFIG::input_zp_b);
        const ap_int<32> v = multiply_by_quantized_multiplier<CONFIG::rounding>(product, CONFIG::multiplier, CONFIG::shift) +
                             ap_int<32>(CONFIG::output_zp);
        y[o] = typename CONFIG::out_t(clamp<32>(v, CONFIG::act_min, CONFIG::act_max));
    })
}

// CONFIG: in_t, out_t, n, input_zp, multiplier, shift, output_zp, rounding, reuse_factor.
template <class CONFIG>
void requantize(const typename CONFIG::in_t x[CONFIG::n], typename CONFIG::out_t y[CONFIG::n]) {
    for (int i = 0; i < CONFIG::n; i++) {
        NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
        const ap_int<32> d = ap_int<64>(x[i]) - ap_int<64>(CONFIG::input_zp);
        const ap_int<64> v = ap_int<64>(multiply_by_quantized_multiplier<CONFIG::rounding>(d, CONFIG::multiplier, CONFIG::shift)) +
                             ap_int<64>(CONFIG::output_zp);
        y[i] = saturate<typename CONFIG::out_t, 64>(v);
    }
}

// CONFIG: in_t, out_t, n, table_size, reuse_factor.
template <class CONFIG, class T>
void lut(const typename CONFIG::in_t x[CONFIG::n], typename CONFIG::out_t y[CONFIG::n], const T table[CONFIG::table_size]) {
    for (int i = 0; i < CONFIG::n; i++) {
        NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
        y[i] = typename CONFIG::out_t(table[(ap_int<32>(x[i]) - ap_int<32>(type_range<typename CONFIG::in_t>::min)).to_int()]);
    }
}

}  // namespace nncc

#endif
