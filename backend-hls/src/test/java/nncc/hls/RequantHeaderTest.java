package nncc.hls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import nncc.ir.FixedPoint;
import nncc.ir.Rounding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nncc_requant.h against {@link FixedPoint} (what the CPU reference runs), bit for bit: hand-picked edge cases
 * (INT32_MIN * INT32_MIN, negative ties, shifts at both ends of their range, left shifts that wrap) and 20,000
 * random cases per function, compiled with g++ -Wall -Wextra -Werror against the ap_int C-simulation headers.
 */
class RequantHeaderTest {
    @TempDir Path dir;

    private record Case(int op, long a, long b, long c) {}

    @Test void requantizationMatchesFixedPointBitForBit() throws Exception {
        List<Case> cases = new ArrayList<>();
        int min = Integer.MIN_VALUE, max = Integer.MAX_VALUE;
        long[][] edges = {{min, min, 0}, {min, max, 0}, {-3, 1 << 30, -1}, {3, 1 << 30, -1}, {-5, 1 << 30, -1},
                {max, max, 30}, {min, 1 << 30, 30}, {1, 1 << 30, -31}, {-1, 1 << 30, -31}, {123456789, 1518500250, 5},
                {-123456789, 1518500250, -20}, {0, 0, 0}, {70000, 2147483647, 15}};
        for (long[] e : edges) for (int op = 0; op < 2; op++) cases.add(new Case(op, e[0], e[1], e[2]));
        cases.add(new Case(3, min, min, 0));
        cases.add(new Case(3, -1, 1 << 30, 0));
        cases.add(new Case(4, -6, 2, 0)); // -1.5 rounds away from zero
        cases.add(new Case(4, 6, 2, 0));
        cases.add(new Case(4, min, 31, 0));
        cases.add(new Case(2, (1L << 47) - 1, 0x7FFF0000, 7));
        cases.add(new Case(2, -(1L << 47), 0x7FFEFFFF, -31));
        Random rnd = new Random(8);
        for (int i = 0; i < 20_000; i++) {
            int x = rnd.nextInt(4) == 0 ? rnd.nextInt() : rnd.nextInt(1 << 20) - (1 << 19);
            int m = (1 << 30) + rnd.nextInt(1 << 30);
            cases.add(new Case(0, x, m, rnd.nextInt(62) - 31));
            cases.add(new Case(1, x, m, rnd.nextInt(62) - 31));
            cases.add(new Case(2, rnd.nextLong() >> 17, m, rnd.nextInt(39) - 31));
            cases.add(new Case(3, rnd.nextInt(), rnd.nextInt(), 0));
            cases.add(new Case(4, rnd.nextInt(), rnd.nextInt(32), 0));
        }
        List<Long> got = run(cases);
        for (int i = 0; i < cases.size(); i++) assertEquals(expected(cases.get(i)), got.get(i), "case " + cases.get(i));
    }

    private static long expected(Case k) {
        return switch (k.op) {
            case 0 -> FixedPoint.multiplyByQuantizedMultiplier((int) k.a, (int) k.b, (int) k.c, Rounding.DOUBLE_ROUND);
            case 1 -> FixedPoint.multiplyByQuantizedMultiplier((int) k.a, (int) k.b, (int) k.c, Rounding.SINGLE_ROUND);
            case 2 -> FixedPoint.multiplyByQuantizedMultiplier(k.a, (int) k.b, (int) k.c);
            case 3 -> FixedPoint.saturatingRoundingDoublingHighMul((int) k.a, (int) k.b);
            default -> FixedPoint.roundingDivideByPOT((int) k.a, (int) k.b);
        };
    }

    private List<Long> run(List<Case> cases) throws IOException, InterruptedException {
        Path ap = HlsTestEnv.apTypes();
        Path include = dir.resolve("include");
        CSimToolchain.writeKernelHeaders(include);
        Path driver = dir.resolve("requant_driver.cpp");
        try (var in = getClass().getResourceAsStream("requant_driver.cpp")) {
            Files.write(driver, in.readAllBytes());
        }
        Path exe = dir.resolve("requant_driver");
        CSimToolchain.compile(List.of(driver), List.of(include), ap, exe);
        StringBuilder input = new StringBuilder();
        for (Case k : cases) input.append(k.op).append(' ').append(k.a).append(' ').append(k.b).append(' ').append(k.c).append('\n');
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
