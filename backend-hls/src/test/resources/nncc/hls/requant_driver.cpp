// Test driver for nncc_requant.h: reads "op a b c" lines from stdin, prints one result per line.
// op 0: multiply_by_quantized_multiplier<DOUBLE_ROUND>(a, b, c)   op 1: ...<SINGLE_ROUND>(a, b, c)
// op 2: multiply_by_quantized_multiplier_wide(a, b, c)             op 3: saturating_rounding_doubling_high_mul(a, b)
// op 4: rounding_divide_by_pot(a, b)
#include <cstdio>
#include "nncc_requant.h"

int main() {
    int op;
    long long a, b, c;
    while (std::scanf("%d %lld %lld %lld", &op, &a, &b, &c) == 4) {
        long long r = 0;
        switch (op) {
            case 0: r = nncc::multiply_by_quantized_multiplier<nncc::DOUBLE_ROUND>(ap_int<32>(a), nncc::mult_t(b), int(c)).to_int64(); break;
            case 1: r = nncc::multiply_by_quantized_multiplier<nncc::SINGLE_ROUND>(ap_int<32>(a), nncc::mult_t(b), int(c)).to_int64(); break;
            case 2: r = nncc::multiply_by_quantized_multiplier_wide(ap_int<64>(a), nncc::mult_t(b), int(c)).to_int64(); break;
            case 3: r = nncc::saturating_rounding_doubling_high_mul(ap_int<32>(a), ap_int<32>(b)).to_int64(); break;
            case 4: r = nncc::rounding_divide_by_pot(ap_int<32>(a), int(b)).to_int64(); break;
            default: return 2;
        }
        std::printf("%lld\n", r);
    }
    return 0;
}
