package nncc.passes;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What a pass did: whether the graph changed, and named counters (MLIR-style statistics). */
public record PassResult(boolean changed, Map<String, Long> statistics) {
    public PassResult {
        statistics = Collections.unmodifiableMap(new LinkedHashMap<>(statistics));
    }

    public static PassResult unchanged() { return new PassResult(false, Map.of()); }

    /** A result whose {@code changed} is true when any counter is non-zero. */
    public static PassResult of(Map<String, Long> stats) {
        return new PassResult(stats.values().stream().anyMatch(v -> v != 0), stats);
    }

    /** A mutable counter set for a pass to fill, in insertion order. */
    public static final class Stats {
        private final Map<String, Long> counters = new LinkedHashMap<>();

        public Stats declare(String... names) {
            for (String n : names) counters.putIfAbsent(n, 0L);
            return this;
        }

        public void add(String name, long n) { counters.merge(name, n, Long::sum); }

        public void inc(String name) { add(name, 1); }

        public long get(String name) { return counters.getOrDefault(name, 0L); }

        public PassResult result() { return PassResult.of(counters); }

        /** A result that counts as a change when any of {@code changeCounters} is non-zero (others are informative). */
        public PassResult resultChangedBy(String... changeCounters) {
            boolean changed = false;
            for (String c : changeCounters) changed |= get(c) != 0;
            return new PassResult(changed, counters);
        }
    }
}
