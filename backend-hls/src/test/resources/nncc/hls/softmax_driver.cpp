// Test driver for nncc_softmax.h's fixed-point functions: reads "op a b" lines from stdin, prints one result per line.
// op 0: exp_on_negative_values<5>(a)                 op 1: one_over_one_plus_x_for_x_in_0_1(a)
// op 2: reciprocal<12>(a): scale * 2^32 + (num_bits_over_unit + 64)   op 3: saturating_rounding_multiply_by_pot(a, b)
// op 4: multiply_by_quantized_multiplier_greater_than_one(a, b >> 8, b & 255)   op 5: exp_on_negative_values<0>(a)
#include <cstdio>
#include "nncc_softmax.h"

int main() {
    int op;
    long long a, b;
    while (std::scanf("%d %lld %lld", &op, &a, &b) == 3) {
        long long r = 0;
        switch (op) {
            case 0: r = nncc::exp_on_negative_values<5>(nncc::fixed_raw_t(a)).to_int64(); break;
            case 1: r = nncc::one_over_one_plus_x_for_x_in_0_1(nncc::fixed_raw_t(a)).to_int64(); break;
            case 2: {
                int bits = 0;
                const long long scale = nncc::reciprocal<12>(nncc::fixed_raw_t(a), bits).to_int64();
                r = scale * 4294967296LL + (bits + 64);
                break;
            }
            case 3: r = nncc::saturating_rounding_multiply_by_pot(nncc::fixed_raw_t(a), int(b)).to_int64(); break;
            case 4: r = nncc::multiply_by_quantized_multiplier_greater_than_one(nncc::fixed_raw_t(a), nncc::mult_t(b >> 8), int(b & 255)).to_int64(); break;
            case 5: r = nncc::exp_on_negative_values<0>(nncc::fixed_raw_t(a)).to_int64(); break;
            default: return 2;
        }
        std::printf("%lld\n", r);
    }
    return 0;
}
