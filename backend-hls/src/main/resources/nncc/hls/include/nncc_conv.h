// nncc HLS kernel library: integer 2-D convolution with requantization (QConv; TFLite CONV_2D and
// DEPTHWISE_CONV_2D arithmetic), NCHW as nncc's IR, with groups (depthwise = groups == channels), strides,
// pads and dilations. Mirrors cpu/QuantizedLinearKernels.qConv + cpu/Requantizer:
//   acc = bias[c] + sum((x - input_zp) * w)   in CONFIG::accum_t (int32, or int64 for int16 input)
//   y   = clamp(mbqm(acc, multiplier[c], shift[c]) + output_zp, act_min, act_max)
// Padding taps contribute nothing. One multiplier/shift (n_multipliers == 1) means per tensor.
// conv2d is the latency strategy (hls4ml's): each output pipelined at II = reuse_factor with its taps unrolled onto
// ceil(taps / reuse_factor) multipliers; conv2d_resource (below) the resource strategy.
//
// CONFIG (a struct the generator writes) provides:
//   types   in_t, out_t, weight_t, bias_t, accum_t
//   sizes   in_c, in_h, in_w, out_c, out_h, out_w, kernel_h, kernel_w, stride_h, stride_w, pad_top, pad_left,
//           dilation_h, dilation_w, groups, n_multipliers, has_bias
//   numbers input_zp, output_zp, act_min, act_max, rounding, wide_accumulator
//   schedule reuse_factor
#ifndef NNCC_CONV_H
#define NNCC_CONV_H

#include "nncc_requant.h"

namespace nncc {

// Tap t (input channel, kernel row, kernel column) of output (oc, oh, ow): (x - input_zp) * w in accum_t, or 0
// where the tap falls in the padding.
template <class CONFIG, class W>
typename CONFIG::accum_t conv_tap(const typename CONFIG::in_t x[CONFIG::in_c * CONFIG::in_h * CONFIG::in_w],
                                  const W w[CONFIG::out_c * (CONFIG::in_c / CONFIG::groups) * CONFIG::kernel_h * CONFIG::kernel_w],
                                  int oc, int group, int oh, int ow, int t) {
    NNCC_HLS(INLINE)
    const int cg = CONFIG::in_c / CONFIG::groups;
    const int taps = cg * CONFIG::kernel_h * CONFIG::kernel_w;
    const int ic = t / (CONFIG::kernel_h * CONFIG::kernel_w);
    const int kh = (t / CONFIG::kernel_w) % CONFIG::kernel_h;
    const int kw = t % CONFIG::kernel_w;
    const int ih = oh * CONFIG::stride_h - CONFIG::pad_top + kh * CONFIG::dilation_h;
    const int iw = ow * CONFIG::stride_w - CONFIG::pad_left + kw * CONFIG::dilation_w;
    if (ih < 0 || ih >= CONFIG::in_h || iw < 0 || iw >= CONFIG::in_w) return typename CONFIG::accum_t(0);
    const typename CONFIG::accum_t xv =
        typename CONFIG::accum_t(x[((group * cg + ic) * CONFIG::in_h + ih) * CONFIG::in_w + iw]) - CONFIG::input_zp;
    return xv * typename CONFIG::accum_t(typename CONFIG::weight_t(w[oc * taps + t]));
}

template <class CONFIG, class W, class B>
void conv2d(const typename CONFIG::in_t x[CONFIG::in_c * CONFIG::in_h * CONFIG::in_w],
            typename CONFIG::out_t y[CONFIG::out_c * CONFIG::out_h * CONFIG::out_w],
            const W w[CONFIG::out_c * (CONFIG::in_c / CONFIG::groups) * CONFIG::kernel_h * CONFIG::kernel_w],
            const B b[CONFIG::out_c],
            const int multiplier[CONFIG::n_multipliers],
            const int shift[CONFIG::n_multipliers]) {
    const int cg = CONFIG::in_c / CONFIG::groups;    // input channels per group
    const int mg = CONFIG::out_c / CONFIG::groups;   // output channels per group
    const int taps = cg * CONFIG::kernel_h * CONFIG::kernel_w;
    // reuse_factor products share one multiplier: taps / reuse_factor multipliers per output, weights partitioned
    // so that many can be read per cycle
    const int multipliers = (taps + CONFIG::reuse_factor - 1) / CONFIG::reuse_factor;
    NNCC_HLS(ARRAY_PARTITION variable=w cyclic factor=multipliers)
    NNCC_HLS(ALLOCATION operation instances=mul limit=multipliers)
    (void)multipliers;
NNCC_LOOP(OUT_CHANNEL)
    for (int oc = 0; oc < CONFIG::out_c; oc++) {
        const int group = oc / mg;
        const int q = CONFIG::n_multipliers == 1 ? 0 : oc;
    NNCC_LOOP(OUT_ROW)
        for (int oh = 0; oh < CONFIG::out_h; oh++) {
        NNCC_LOOP(OUT_COL)
            for (int ow = 0; ow < CONFIG::out_w; ow++) {
                NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
                typename CONFIG::accum_t acc = CONFIG::has_bias ? typename CONFIG::accum_t(typename CONFIG::bias_t(b[oc])) : typename CONFIG::accum_t(0);
            NNCC_LOOP(TAP)
                for (int t = 0; t < taps; t++) {
                    acc += conv_tap<CONFIG>(x, w, oc, group, oh, ow, t);
                }
                y[(oc * CONFIG::out_h + oh) * CONFIG::out_w + ow] =
                    requantize_output<CONFIG>(acc, multiplier[q], shift[q]);
            }
        }
    }
}

// The resource strategy (hls4ml's): the same sums with each output's taps folded onto ceil(taps / reuse_factor)
// multipliers; the reuse loop is pipelined at II = 1 and multiplies one block of taps per iteration, weights in
// block RAM partitioned cyclically by the block. Integer addition in the proven-wide accumulator is exact, so the
// result equals conv2d's.
template <class CONFIG, class W, class B>
void conv2d_resource(const typename CONFIG::in_t x[CONFIG::in_c * CONFIG::in_h * CONFIG::in_w],
                     typename CONFIG::out_t y[CONFIG::out_c * CONFIG::out_h * CONFIG::out_w],
                     const W w[CONFIG::out_c * (CONFIG::in_c / CONFIG::groups) * CONFIG::kernel_h * CONFIG::kernel_w],
                     const B b[CONFIG::out_c],
                     const int multiplier[CONFIG::n_multipliers],
                     const int shift[CONFIG::n_multipliers]) {
    const int cg = CONFIG::in_c / CONFIG::groups;
    const int mg = CONFIG::out_c / CONFIG::groups;
    const int taps = cg * CONFIG::kernel_h * CONFIG::kernel_w;
    const int block = (taps + CONFIG::reuse_factor - 1) / CONFIG::reuse_factor;
    NNCC_HLS(BIND_STORAGE variable=w type=rom_2p impl=bram)
    NNCC_HLS(ARRAY_PARTITION variable=w cyclic factor=block)
    NNCC_HLS(ALLOCATION operation instances=mul limit=block)
NNCC_LOOP(OUT_CHANNEL)
    for (int oc = 0; oc < CONFIG::out_c; oc++) {
        const int group = oc / mg;
        const int q = CONFIG::n_multipliers == 1 ? 0 : oc;
    NNCC_LOOP(OUT_ROW)
        for (int oh = 0; oh < CONFIG::out_h; oh++) {
        NNCC_LOOP(OUT_COL)
            for (int ow = 0; ow < CONFIG::out_w; ow++) {
                typename CONFIG::accum_t acc = CONFIG::has_bias ? typename CONFIG::accum_t(typename CONFIG::bias_t(b[oc])) : typename CONFIG::accum_t(0);
            NNCC_LOOP(REUSE)
                for (int r = 0; r < CONFIG::reuse_factor; r++) {
                    NNCC_HLS(PIPELINE II=1)
                NNCC_LOOP(BLOCK)
                    for (int j = 0; j < block; j++) {
                        NNCC_HLS(UNROLL)
                        const int t = r * block + j;
                        if (t >= taps) continue;
                        acc += conv_tap<CONFIG>(x, w, oc, group, oh, ow, t);
                    }
                }
                y[(oc * CONFIG::out_h + oh) * CONFIG::out_w + ow] = requantize_output<CONFIG>(acc, multiplier[q], shift[q]);
            }
        }
    }
}

}  // namespace nncc

#endif
