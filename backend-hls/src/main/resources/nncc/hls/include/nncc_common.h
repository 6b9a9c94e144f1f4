// nncc HLS kernel library: common definitions (pragma macro, rounding modes, saturation helpers).
// Hand-written once, unit-tested against nncc's CPU integer reference (backend-cpu) bit for bit.
#ifndef NNCC_COMMON_H
#define NNCC_COMMON_H

// GCC 12+ at -O1 and above reports false "may be used uninitialized" warnings inside ap_private.h (its default
// constructor leaves the value to the assignment that follows); -isystem does not hide middle-end warnings, so
// they are silenced for the ap_int headers only, which keeps -Wall -Wextra -Werror meaningful for nncc's code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <ap_int.h>
#pragma GCC diagnostic pop
#else
#include <ap_int.h>
#endif

// HLS pragmas are emitted only when Vitis HLS synthesizes (__SYNTHESIS__); a plain g++ C simulation with
// -Wall -Werror would otherwise reject them as unknown pragmas. NNCC_HLS(PIPELINE II=C::reuse_factor)
// becomes #pragma HLS PIPELINE II=C::reuse_factor.
#define NNCC_PRAGMA_STRING(x) #x
#ifdef __SYNTHESIS__
#define NNCC_HLS(x) _Pragma(NNCC_PRAGMA_STRING(HLS x))
#else
#define NNCC_HLS(x)
#endif

namespace nncc {

// How an int32 requantization rounds (ir/Rounding.java): gemmlowp's two roundings, or TFLITE_SINGLE_ROUNDING.
enum rounding_t { DOUBLE_ROUND = 0, SINGLE_ROUND = 1 };

// Loop scheduling: latency (pipeline the output loop, unroll the reduction) or resource (pipeline the
// reduction with II 1, share one multiplier per reuse_factor products).
enum strategy_t { LATENCY = 0, RESOURCE = 1 };

typedef ap_int<32> mult_t;   // Q31 multiplier, as quantizeMultiplier gives it
typedef ap_int<8> shift_t;   // power-of-two exponent in [-31, 30]

// v clamped to [lo, hi].
template <int W>
ap_int<W> clamp(ap_int<W> v, int lo, int hi) {
    return v < lo ? ap_int<W>(lo) : (v > hi ? ap_int<W>(hi) : v);
}

// The integer range of an activation type T, as (min, max).
template <class T> struct type_range;
template <int W> struct type_range<ap_int<W> > {
    static const long long min = -(1LL << (W - 1));
    static const long long max = (1LL << (W - 1)) - 1;
};
template <int W> struct type_range<ap_uint<W> > {
    static const long long min = 0;
    static const long long max = (1LL << W) - 1;
};

// v saturated to the range of T (IntegerMath.saturate).
template <class T, int W>
T saturate(ap_int<W> v) {
    if (v < type_range<T>::min) return T(type_range<T>::min);
    if (v > type_range<T>::max) return T(type_range<T>::max);
    return T(v);
}

// Element-wise copy (Reshape, Flatten, Squeeze, Identity: NCHW data keeps its order).
template <class T_IN, class T_OUT, int N>
void copy(const T_IN x[N], T_OUT y[N]) {
    for (int i = 0; i < N; i++) {
        NNCC_HLS(UNROLL factor=8)
        y[i] = x[i];
    }
}

}  // namespace nncc

#endif
