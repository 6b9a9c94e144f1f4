// nncc HLS kernel library: data movement on integer tensors (no arithmetic).
//  - pad_constant (Pad, constant mode, up to rank 4): y[i] = x[i - begin] inside, `value` outside;
//    negative begin/end pads crop.
//  - concat_part (Concat): copies one input, seen as [outer, inner_in], into the output seen as
//    [outer, inner_out] at column `offset`; one call per input.
// Reshape, Flatten, Squeeze, Unsqueeze and Identity are nncc::copy (nncc_common.h): NCHW data keeps its order.
#ifndef NNCC_SHAPE_H
#define NNCC_SHAPE_H

#include "nncc_common.h"

namespace nncc {

// CONFIG: in_t, out_t, in0..in3 (input dims), out0..out3 (output dims), begin0..begin3, value, n_in, n_out,
// reuse_factor.
template <class CONFIG>
void pad_constant(const typename CONFIG::in_t x[CONFIG::n_in], typename CONFIG::out_t y[CONFIG::n_out]) {
    for (int i0 = 0; i0 < CONFIG::out0; i0++)
        for (int i1 = 0; i1 < CONFIG::out1; i1++)
            for (int i2 = 0; i2 < CONFIG::out2; i2++)
                for (int i3 = 0; i3 < CONFIG::out3; i3++) {
                    NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
                    const int j0 = i0 - CONFIG::begin0, j1 = i1 - CONFIG::begin1;
                    const int j2 = i2 - CONFIG::begin2, j3 = i3 - CONFIG::begin3;
                    const bool inside = j0 >= 0 && j0 < CONFIG::in0 && j1 >= 0 && j1 < CONFIG::in1 && j2 >= 0 &&
                                        j2 < CONFIG::in2 && j3 >= 0 && j3 < CONFIG::in3;
                    y[((i0 * CONFIG::out1 + i1) * CONFIG::out2 + i2) * CONFIG::out3 + i3] =
                        inside ? typename CONFIG::out_t(x[((j0 * CONFIG::in1 + j1) * CONFIG::in2 + j2) * CONFIG::in3 + j3])
                               : typename CONFIG::out_t(CONFIG::value);
                }
}

// CONFIG: in_t, out_t, outer, inner_in, inner_out, offset, reuse_factor.
template <class CONFIG>
void concat_part(const typename CONFIG::in_t x[CONFIG::outer * CONFIG::inner_in],
                 typename CONFIG::out_t y[CONFIG::outer * CONFIG::inner_out]) {
    for (int o = 0; o < CONFIG::outer; o++)
        for (int i = 0; i < CONFIG::inner_in; i++) {
            NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
            y[o * CONFIG::inner_out + CONFIG::offset + i] = typename CONFIG::out_t(x[o * CONFIG::inner_in + i]);
        }
}

}  // namespace nncc

#endif
