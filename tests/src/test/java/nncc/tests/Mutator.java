package nncc.tests;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Byte- and text-level mutations for fuzzing model and data readers, driven by a seeded random source so
 * every mutated input can be made again from its seed. One to four mutations are stacked per input.
 */
final class Mutator {
    private Mutator() {}

    private static final long[] INTERESTING = {0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0xffff, 0x7fffffffL, 0xffffffffL,
            1L << 31, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE};
    private static final String[] HUGE_NUMBERS = {"4294967296", "9223372036854775807", "4611686018427387904", "-1",
            "1e39", "nan", "-inf", "99999999999999999999", "0"};

    static byte[] mutate(byte[] seed, List<byte[]> all, SplittableRandom rnd, boolean text) {
        byte[] b = seed.clone();
        int rounds = 1 + rnd.nextInt(4);
        for (int r = 0; r < rounds; r++) b = text && rnd.nextInt(3) == 0 ? mutateText(b, rnd) : mutateBytes(b, all, rnd);
        return b;
    }

    static byte[] mutateBytes(byte[] b, List<byte[]> all, SplittableRandom rnd) {
        if (b.length == 0) return new byte[] {(byte) rnd.nextInt(256)};
        int at = rnd.nextInt(b.length);
        switch (rnd.nextInt(7)) {
            case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> b[at] = (byte) INTERESTING[rnd.nextInt(6)];
            case 2 -> { // an interesting little-endian integer of 1, 2, 4 or 8 bytes
                long v = INTERESTING[rnd.nextInt(INTERESTING.length)];
                int width = 1 << rnd.nextInt(4);
                for (int k = 0; k < width && at + k < b.length; k++) b[at + k] = (byte) (v >>> (8 * k));
            }
            case 3 -> { // delete a range
                int len = 1 + rnd.nextInt(Math.min(64, b.length - at));
                byte[] r = new byte[b.length - len];
                System.arraycopy(b, 0, r, 0, at);
                System.arraycopy(b, at + len, r, at, b.length - at - len);
                return r;
            }
            case 4 -> { // duplicate a range
                int len = 1 + rnd.nextInt(Math.min(64, b.length - at));
                byte[] r = new byte[b.length + len];
                System.arraycopy(b, 0, r, 0, at + len);
                System.arraycopy(b, at, r, at + len, b.length - at);
                return r;
            }
            case 5 -> { // splice in a range of another seed
                byte[] o = all.get(rnd.nextInt(all.size()));
                int from = rnd.nextInt(o.length), len = 1 + rnd.nextInt(Math.min(128, o.length - from));
                byte[] r = Arrays.copyOf(b, Math.max(b.length, at + len));
                System.arraycopy(o, from, r, at, len);
                return r;
            }
            default -> { // truncate
                return Arrays.copyOf(b, at);
            }
        }
        return b;
    }

    static byte[] mutateText(byte[] b, SplittableRandom rnd) {
        String s = new String(b, StandardCharsets.UTF_8);
        if (s.isEmpty()) return b;
        int at = rnd.nextInt(s.length());
        String r = switch (rnd.nextInt(4)) {
            case 0 -> { // replace the number at or after `at`
                int start = at;
                while (start < s.length() && !Character.isDigit(s.charAt(start))) start++;
                int end = start;
                while (end < s.length() && Character.isDigit(s.charAt(end))) end++;
                yield start >= s.length() ? s : s.substring(0, start) + HUGE_NUMBERS[rnd.nextInt(HUGE_NUMBERS.length)] + s.substring(end);
            }
            case 1 -> { // repeat a bracket many times
                String br = new String[] {"[", "{", "(", "]", "}", ")"}[rnd.nextInt(6)];
                yield s.substring(0, at) + br.repeat(1 + rnd.nextInt(2000)) + s.substring(at);
            }
            case 2 -> { // repeat the character at `at` (long names)
                yield s.substring(0, at) + String.valueOf(s.charAt(at)).repeat(1 + rnd.nextInt(10_000)) + s.substring(at);
            }
            default -> { // swap two lines
                String[] lines = s.split("\n", -1);
                int i = rnd.nextInt(lines.length), j = rnd.nextInt(lines.length);
                String t = lines[i];
                lines[i] = lines[j];
                lines[j] = t;
                yield String.join("\n", lines);
            }
        };
        return r.getBytes(StandardCharsets.UTF_8);
    }
}
