package nncc.hls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.FixedPointMath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nncc_softmax.h's gemmlowp functions against {@link FixedPointMath} (what the CPU reference's QSoftmax runs), bit for
 * bit: exp on negative values in Q5.26 (and Q0) over its whole domain, 1/(1+x), TFLite's GetReciprocal over every
 * headroom, SaturatingRoundingMultiplyByPOT at saturation, and the input scaling whose product wraps; edge cases and
 * 20,000 random ones per function, compiled with g++ -Wall -Wextra -Werror against the ap_int C-simulation headers.
 */
class SoftmaxHeaderTest {
    @TempDir Path dir;

    private record Case(int op, long a, long b) {}

    @Test void fixedPointFunctionsMatchFixedPointMathBitForBit() throws Exception {
        List<Case> cases = new ArrayList<>();
        int min = Integer.MIN_VALUE, max = Integer.MAX_VALUE;
        for (long a : new long[] {0, -1, min, -(1L << 26), -(1L << 24), -(1L << 24) - 1, -(31L << 26), -(32L << 26) + 1}) {
            cases.add(new Case(0, a, 0));
            cases.add(new Case(5, a, 0));
        }
        for (long a : new long[] {0, 1, max, 1L << 30}) cases.add(new Case(1, a, 0));
        for (long a : new long[] {1, 2, 1L << 19, (1L << 19) + 1, 512L << 19, max}) cases.add(new Case(2, a, 0));
        for (long[] e : new long[][] {{max, 5}, {min, 5}, {(1 << 26) - 1, 5}, {1 << 26, 5}, {-(1 << 26), 5}, {-(1 << 26) - 1, 5}, {7, -12}, {-7, -31}, {5, 0}})
            cases.add(new Case(3, e[0], e[1]));
        cases.add(new Case(4, -31, (1720564096L << 8) | 20));
        cases.add(new Case(4, -255, (1073741824L << 8) | 31)); // the product wraps
        Random rnd = new Random(26);
        for (int i = 0; i < 20_000; i++) {
            int negative = rnd.nextInt(4) == 0 ? -(rnd.nextInt() >>> 1) : -rnd.nextInt(1 << 28);
            cases.add(new Case(0, negative, 0));
            cases.add(new Case(5, negative, 0));
            cases.add(new Case(1, rnd.nextInt() >>> 1, 0));
            cases.add(new Case(2, 1 + (rnd.nextInt() >>> (1 + rnd.nextInt(31))), 0));
            cases.add(new Case(3, rnd.nextInt(), rnd.nextInt(61) - 31));
            cases.add(new Case(4, -rnd.nextInt(256), ((long) ((1 << 30) + rnd.nextInt(1 << 30)) << 8) | rnd.nextInt(32)));
        }
        List<Long> got = run(cases);
        for (int i = 0; i < cases.size(); i++) assertEquals(expected(cases.get(i)), got.get(i), "case " + cases.get(i));
    }

    private static long expected(Case k) {
        int a = (int) k.a;
        return switch (k.op) {
            case 0 -> FixedPointMath.expOnNegativeValues(a, 5);
            case 1 -> FixedPointMath.oneOverOnePlusXForXIn01(a);
            case 2 -> {
                FixedPointMath.Reciprocal r = FixedPointMath.reciprocal(a, 12);
                yield (long) r.scale() * 4294967296L + (r.numBitsOverUnit() + 64);
            }
            case 3 -> FixedPointMath.saturatingRoundingMultiplyByPOT(a, (int) k.b);
            case 4 -> FixedPointMath.multiplyByQuantizedMultiplierGreaterThanOne(a, (int) (k.b >> 8), (int) (k.b & 255));
            default -> FixedPointMath.expOnNegativeValues(a, 0);
        };
    }

    private List<Long> run(List<Case> cases) throws IOException, InterruptedException {
        Path ap = HlsTestEnv.apTypes();
        Path include = dir.resolve("include");
        CSimToolchain.writeKernelHeaders(include);
        Path driver = dir.resolve("softmax_driver.cpp");
        try (var in = getClass().getResourceAsStream("softmax_driver.cpp")) {
            Files.write(driver, in.readAllBytes());
        }
        Path exe = dir.resolve("softmax_driver");
        CSimToolchain.compile(List.of(driver), List.of(include), ap, exe);
        StringBuilder input = new StringBuilder();
        for (Case k : cases) input.append(k.op).append(' ').append(k.a).append(' ').append(k.b).append('\n');
        Path in = dir.resolve("cases.txt");
        Files.writeString(in, input);
        Process p = new ProcessBuilder(exe.toString()).redirectInput(in.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "driver exit code");
        List<Long> r = new ArrayList<>();
        for (String line : out.split("\n")) if (!line.isBlank()) r.add(Long.parseLong(line.trim()));
        assertEquals(cases.size(), r.size(), "results");
        return r;
    }
}
