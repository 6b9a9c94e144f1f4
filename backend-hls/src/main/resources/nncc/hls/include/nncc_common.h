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
// NNCC_LOOP(NAME) labels the loop that follows for Vitis HLS's reports (unused labels are g++ warnings).
#ifdef __SYNTHESIS__
#define NNCC_HLS(x) _Pragma(NNCC_PRAGMA_STRING(HLS x))
#define NNCC_LOOP(name) name:
#else
#define NNCC_HLS(x)
#define NNCC_LOOP(name)
#endif

namespace nncc {

// How an int32 requantization rounds (ir/Rounding.java): gemmlowp's two roundings, or TFLITE_SINGLE_ROUNDING.
enum rounding_t { DOUBLE_ROUND = 0, SINGLE_ROUND = 1 };

// Loop scheduling: latency (pipeline the output loop, unroll the reduction) or resource (pipeline the
// reduction with II 1, share one multiplier per reuse_factor products).
enum strategy_t { LATENCY = 0, RESOURCE = 1 };

typedef ap_int<32> mult_t;   // Q31 multiplier, as quantizeMultiplier gives it

// Constant arrays (weights, biases, multipliers, shifts, tables) are stored in C integer types at least as wide as
// their ap_int type (ap_int has no constexpr constructor: g++ would initialize every element at run time, which
// takes minutes and gigabytes for a few hundred thousand weights); kernels convert each element to the config's
// ap_int type (weight_t, bias_t) where they read it, so the arithmetic is the ap_int arithmetic either way.

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
// CONFIG: in_t, out_t, n, reuse_factor.
template <class CONFIG>
void copy(const typename CONFIG::in_t x[CONFIG::n], typename CONFIG::out_t y[CONFIG::n]) {
    for (int i = 0; i < CONFIG::n; i++) {
        NNCC_HLS(PIPELINE II=CONFIG::reuse_factor)
        y[i] = typename CONFIG::out_t(x[i]);
    }
}

}  // namespace nncc

// NNCC_TRACE(buffer, size, node_index): in C simulation only, when the environment names a folder in NNCC_TRACE_DIR,
// appends the layer's output (size values as little-endian int64) to <folder>/<node_index>.bin, once per sample, so
// `nncc verify` can find the first layer that diverges from the reference. Nothing under Vitis synthesis.
#ifndef __SYNTHESIS__
#include <cstdio>
#include <cstdlib>
namespace nncc {
template <class T>
void trace(const T *buffer, int size, int node_index) {
    const char *dir = std::getenv("NNCC_TRACE_DIR");
    if (dir == 0) return;
    char path[4096];
    std::snprintf(path, sizeof path, "%s/%d.bin", dir, node_index);
    std::FILE *f = std::fopen(path, "ab");
    if (f == 0) return;
    for (int i = 0; i < size; i++) {
        const long long v = buffer[i].to_int64();
        std::fwrite(&v, sizeof v, 1, f);
    }
    std::fclose(f);
}
}  // namespace nncc
#define NNCC_TRACE(buffer, size, node_index) nncc::trace(buffer, size, node_index)
#else
#define NNCC_TRACE(buffer, size, node_index)
#endif

#endif
