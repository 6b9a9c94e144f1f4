package nncc.tests.bench;

import java.util.Arrays;

/**
 * Measures the throughput of one inference call on the calling thread: calls it for a warmup period, then for
 * several timed rounds of equal length, and reports the median images per second of the rounds (with their
 * minimum and maximum, so a noisy machine shows).
 */
final class Throughput {
    /** Something that runs one batch; it throws on failure. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    /** Images per second of each timed round. */
    record Result(double[] perRound) {
        double median() {
            double[] s = perRound.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        double min() { return Arrays.stream(perRound).min().orElse(0); }

        double max() { return Arrays.stream(perRound).max().orElse(0); }

        /** The spread of the rounds, (max - min) / median, as a fraction. */
        double spread() { return median() == 0 ? 0 : (max() - min()) / median(); }
    }

    private final double warmupSeconds;
    private final int rounds;
    private final double roundSeconds;

    Throughput(double warmupSeconds, int rounds, double roundSeconds) {
        this.warmupSeconds = warmupSeconds;
        this.rounds = rounds;
        this.roundSeconds = roundSeconds;
    }

    Result measure(Call call, int imagesPerCall) throws Exception {
        runFor(call, warmupSeconds);
        double[] perRound = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long start = System.nanoTime();
            long calls = runFor(call, roundSeconds);
            perRound[r] = calls * (double) imagesPerCall / ((System.nanoTime() - start) / 1e9);
        }
        return new Result(perRound);
    }

    /**
     * Measures several calls interleaved: each is warmed up, then the timed rounds go round-robin (round 1 of every
     * call, then round 2, ...), so a change in the machine's load hits all of them alike; results in the calls' order.
     */
    Result[] measureInterleaved(int imagesPerCall, Call... calls) throws Exception {
        for (Call c : calls) runFor(c, warmupSeconds);
        double[][] perRound = new double[calls.length][rounds];
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < calls.length; i++) {
                long start = System.nanoTime();
                long n = runFor(calls[i], roundSeconds);
                perRound[i][r] = n * (double) imagesPerCall / ((System.nanoTime() - start) / 1e9);
            }
        Result[] results = new Result[calls.length];
        for (int i = 0; i < calls.length; i++) results[i] = new Result(perRound[i]);
        return results;
    }

    /** The median over rounds of {@code a}'s round r divided by {@code b}'s round r (interleaved rounds: a paired ratio). */
    static double pairedRatio(Result a, Result b) {
        double[] q = new double[Math.min(a.perRound().length, b.perRound().length)];
        for (int r = 0; r < q.length; r++) q[r] = a.perRound()[r] / b.perRound()[r];
        return new Result(q).median();
    }

    /** Calls until {@code seconds} have passed (at least once); returns the number of calls. */
    private static long runFor(Call call, double seconds) throws Exception {
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        long calls = 0;
        do {
            call.run();
            calls++;
        } while (System.nanoTime() < deadline);
        return calls;
    }
}
