// nncc HLS kernel library: pooling and mean over NCHW planes.
//  - max_pool2d (MaxPool on integer data): the maximum of the in-bounds window elements (padding never wins);
//    a window with no element in bounds gives 0 (cpu/PoolKernels).
//  - avg_pool2d (QAveragePool; TFLite AVERAGE_POOL_2D): the int32 sum of the in-bounds elements over their count
//    n, rounded half away from zero as sum > 0 ? (sum + n/2) / n : (sum - n/2) / n, clamped to [act_min, act_max].
//  - mean (QMean, e.g. global average pool): over `reduce` elements, sum(x - input_zp) in int32, then
//    saturate(mbqm(sum, multiplier, shift) + output_zp) to out_t (cpu/QuantizedReductionKernels).
#ifndef NNCC_POOL_H
#define NNCC_POOL_H

#include "nncc_requant.h"

namespace nncc {

// CONFIG: in_t, out_t, channels, in_h, in_w, out_h, out_w, pool_h, pool_w, stride_h, stride_w, pad_top,
// pad_left, dilation_h, dilation_w, reuse_factor.
template <class CONFIG>
void max_pool2d(const typename CONFIG::in_t x[CONFIG::channels * CONFIG::in_h * CONFIG::in_w],
                typename CONFIG::out_t y[CONFIG::channels * CONFIG::out_h * CONFIG::out_w]) {
NNCC_LOOP(CHANNEL)
    for (int c = 0; c < CONFIG::channels; c++) {
    NNCC_LOOP(OUT_ROW)
        for (int oh = 0; oh < CONFIG::out_h; oh++) {
        NNCC_LOOP(OUT_COL)
            for (int ow = 0; ow < CONFIG::out_w; ow++) {
                NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
                typename CONFIG::in_t best = 0;
                bool found = false;
            NNCC_LOOP(WINDOW)
                for (int t = 0; t < CONFIG::pool_h * CONFIG::pool_w; t++) {
                    const int ih = oh * CONFIG::stride_h - CONFIG::pad_top + (t / CONFIG::pool_w) * CONFIG::dilation_h;
                    const int iw = ow * CONFIG::stride_w - CONFIG::pad_left + (t % CONFIG::pool_w) * CONFIG::dilation_w;
                    if (ih < 0 || ih >= CONFIG::in_h || iw < 0 || iw >= CONFIG::in_w) continue;
                    const typename CONFIG::in_t v = x[(c * CONFIG::in_h + ih) * CONFIG::in_w + iw];
                    if (!found || v > best) best = v;
                    found = true;
                }
                y[(c * CONFIG::out_h + oh) * CONFIG::out_w + ow] = typename CONFIG::out_t(best);
            }
        }
    }
}

// CONFIG: as max_pool2d without dilations, plus act_min, act_max.
template <class CONFIG>
void avg_pool2d(const typename CONFIG::in_t x[CONFIG::channels * CONFIG::in_h * CONFIG::in_w],
                typename CONFIG::out_t y[CONFIG::channels * CONFIG::out_h * CONFIG::out_w]) {
NNCC_LOOP(CHANNEL)
    for (int c = 0; c < CONFIG::channels; c++) {
    NNCC_LOOP(OUT_ROW)
        for (int oh = 0; oh < CONFIG::out_h; oh++) {
        NNCC_LOOP(OUT_COL)
            for (int ow = 0; ow < CONFIG::out_w; ow++) {
                NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
                ap_int<32> sum = 0;
                int count = 0;
            NNCC_LOOP(WINDOW)
                for (int t = 0; t < CONFIG::pool_h * CONFIG::pool_w; t++) {
                    const int ih = oh * CONFIG::stride_h - CONFIG::pad_top + t / CONFIG::pool_w;
                    const int iw = ow * CONFIG::stride_w - CONFIG::pad_left + t % CONFIG::pool_w;
                    if (ih < 0 || ih >= CONFIG::in_h || iw < 0 || iw >= CONFIG::in_w) continue;
                    sum += x[(c * CONFIG::in_h + ih) * CONFIG::in_w + iw];
                    count++;
                }
                // C's truncating division (count > 0: the generator only emits windows that cover the input)
                const int s = sum.to_int();
                const int avg = s > 0 ? (s + count / 2) / count : (s - count / 2) / count;
                y[(c * CONFIG::out_h + oh) * CONFIG::out_w + ow] =
                    typename CONFIG::out_t(clamp<32>(ap_int<32>(avg), CONFIG::act_min, CONFIG::act_max));
            }
        }
    }
}

// CONFIG: in_t, out_t, outer, reduce, inner (the input seen as [outer, reduce, inner], reduced over the middle),
// input_zp, output_zp, rounding, reuse_factor; multiplier and shift are arguments.
template <class CONFIG>
void mean(const typename CONFIG::in_t x[CONFIG::outer * CONFIG::reduce * CONFIG::inner],
          typename CONFIG::out_t y[CONFIG::outer * CONFIG::inner], mult_t multiplier, int shift) {
NNCC_LOOP(OUTER)
    for (int o = 0; o < CONFIG::outer; o++) {
    NNCC_LOOP(INNER)
        for (int i = 0; i < CONFIG::inner; i++) {
            ap_int<32> sum = 0;
        NNCC_LOOP(REDUCE)
            for (int r = 0; r < CONFIG::reduce; r++) {
                NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
                sum += ap_int<32>(x[(o * CONFIG::reduce + r) * CONFIG::inner + i]) - CONFIG::input_zp;
            }
            const ap_int<64> v = ap_int<64>(multiply_by_quantized_multiplier<CONFIG::rounding>(sum, multiplier, shift)) +
                                 ap_int<64>(CONFIG::output_zp);
            y[o * CONFIG::inner + i] = saturate<typename CONFIG::out_t, 64>(v);
        }
    }
}

}  // namespace nncc

#endif
