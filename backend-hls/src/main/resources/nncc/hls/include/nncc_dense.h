// nncc HLS kernel library: integer fully connected layer with requantization (QGemm; TFLite FULLY_CONNECTED
// arithmetic), for one sample x[K] and weights w[M][K]. Mirrors cpu/QuantizedLinearKernels.qGemm:
//   acc = bias[m] + sum_k((x[k] - input_zp) * w[m][k])   in CONFIG::accum_t (int32, or int64 for int16 input)
//   y[m] = clamp(mbqm(acc, multiplier[m], shift[m]) + output_zp, act_min, act_max)
// CONFIG provides in_t, out_t, weight_t, bias_t, accum_t, n_in, n_out, n_multipliers, has_bias, input_zp,
// output_zp, act_min, act_max, rounding, wide_accumulator, reuse_factor.
// dense is the latency strategy (hls4ml's): the output loop pipelined at II = reuse_factor, the input loop unrolled
// inside it onto ceil(n_in / reuse_factor) multipliers, weights partitioned into registers/LUTRAM to feed them.
#ifndef NNCC_DENSE_H
#define NNCC_DENSE_H

#include "nncc_requant.h"

namespace nncc {

template <class CONFIG, class W, class B>
void dense(const typename CONFIG::in_t x[CONFIG::n_in], typename CONFIG::out_t y[CONFIG::n_out],
           const W w[CONFIG::n_out * CONFIG::n_in], const B b[CONFIG::n_out],
           const int multiplier[CONFIG::n_multipliers], const int shift[CONFIG::n_multipliers]) {
    // reuse_factor products share one multiplier
    const int multipliers = (CONFIG::n_in + CONFIG::reuse_factor - 1) / CONFIG::reuse_factor;
    NNCC_HLS(ARRAY_PARTITION variable=w cyclic factor=multipliers)
    NNCC_HLS(ALLOCATION operation instances=mul limit=multipliers)
    (void)multipliers;
NNCC_LOOP(OUTPUT)
    for (int m = 0; m < CONFIG::n_out; m++) {
        NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
        typename CONFIG::accum_t acc = CONFIG::has_bias ? typename CONFIG::accum_t(typename CONFIG::bias_t(b[m])) : typename CONFIG::accum_t(0);
    NNCC_LOOP(INPUT)
        for (int k = 0; k < CONFIG::n_in; k++) {
            const typename CONFIG::accum_t xv = typename CONFIG::accum_t(x[k]) - CONFIG::input_zp;
            acc += xv * typename CONFIG::accum_t(typename CONFIG::weight_t(w[m * CONFIG::n_in + k]));
        }
        const int q = CONFIG::n_multipliers == 1 ? 0 : m;
        y[m] = requantize_output<CONFIG>(acc, multiplier[q], shift[q]);
    }
}

// The resource strategy (hls4ml's): the same sums, with the products folded onto ceil(n_in / reuse_factor)
// multipliers: the reuse loop is pipelined at II = 1 and runs reuse_factor times per output, each iteration
// multiplying one block of inputs in parallel; weights stay in block RAM, partitioned cyclically so one block is
// read per cycle. Integer addition in the proven-wide accumulator is exact, so the result equals dense's.
template <class CONFIG, class W, class B>
void dense_resource(const typename CONFIG::in_t x[CONFIG::n_in], typename CONFIG::out_t y[CONFIG::n_out],
                    const W w[CONFIG::n_out * CONFIG::n_in], const B b[CONFIG::n_out],
                    const int multiplier[CONFIG::n_multipliers], const int shift[CONFIG::n_multipliers]) {
    const int block = (CONFIG::n_in + CONFIG::reuse_factor - 1) / CONFIG::reuse_factor;
    NNCC_HLS(BIND_STORAGE variable=w type=rom_2p impl=bram)
    NNCC_HLS(ARRAY_PARTITION variable=w cyclic factor=block)
    NNCC_HLS(ALLOCATION operation instances=mul limit=block)
NNCC_LOOP(OUTPUT)
    for (int m = 0; m < CONFIG::n_out; m++) {
        typename CONFIG::accum_t acc = CONFIG::has_bias ? typename CONFIG::accum_t(typename CONFIG::bias_t(b[m])) : typename CONFIG::accum_t(0);
    NNCC_LOOP(REUSE)
        for (int r = 0; r < CONFIG::reuse_factor; r++) {
            NNCC_HLS(PIPELINE II=1)
        NNCC_LOOP(BLOCK)
            for (int j = 0; j < block; j++) {
                NNCC_HLS(UNROLL)
                const int k = r * block + j;
                if (k >= CONFIG::n_in) continue;
                const typename CONFIG::accum_t xv = typename CONFIG::accum_t(x[k]) - CONFIG::input_zp;
                acc += xv * typename CONFIG::accum_t(typename CONFIG::weight_t(w[m * CONFIG::n_in + k]));
            }
        }
        const int q = CONFIG::n_multipliers == 1 ? 0 : m;
        y[m] = requantize_output<CONFIG>(acc, multiplier[q], shift[q]);
    }
}

}  // namespace nncc

#endif
