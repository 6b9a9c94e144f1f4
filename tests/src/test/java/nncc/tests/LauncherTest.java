package nncc.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code nncc} launcher's JVM options, read back from the JVM it starts ({@code -XX:+PrintCommandLineFlags}): on a
 * machine with 2 cores or fewer the serial collector with large arrays pretenured and, with 4 GiB of memory or more,
 * a 1 GiB initial heap; a collector or heap size the user gives in {@code NNCC_JAVA_OPTS} wins. The expectations follow
 * this machine's {@code nproc} and {@code /proc/meminfo}, as the launcher's choice does.
 */
class LauncherTest {
    private static final Path ROOT = TestPaths.root();

    /** The flags line the launched JVM prints, with {@code extra} appended to NNCC_JAVA_OPTS. */
    private static String flags(String extra) throws IOException, InterruptedException {
        assertTrue(Files.isRegularFile(ROOT.resolve("cli/target/nncc.jar")), "cli/target/nncc.jar: build it first (mvn package / verify)");
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("nncc").toString(), "--version").redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("JAVA_TOOL_OPTIONS");
        env.put("NNCC_JAVA_OPTS", ("-XX:+PrintCommandLineFlags " + extra).strip());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("nncc "), out);
        return out.lines().filter(l -> l.contains("-XX:InitialHeapSize")).findFirst().orElseThrow(() -> new AssertionError(out));
    }

    private static int cores() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nproc").start();
        String n = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor();
        return Integer.parseInt(n);
    }

    private static long memKiB() throws IOException {
        for (String l : Files.readAllLines(Path.of("/proc/meminfo")))
            if (l.startsWith("MemTotal:")) return Long.parseLong(l.replaceAll("[^0-9]", ""));
        throw new AssertionError("no MemTotal in /proc/meminfo");
    }

    @Test void smallMachinesGetTheSerialCollectorAndUserChoicesWin() throws Exception {
        boolean small = cores() <= 2;
        String plain = flags("");
        assertEquals(small, plain.contains("-XX:+UseSerialGC"), plain);
        assertEquals(small, plain.contains("-XX:PretenureSizeThreshold=1048576"), plain);
        assertEquals(small && memKiB() >= 4L << 20, plain.contains("-XX:InitialHeapSize=1073741824"), plain);

        String parallel = flags("-XX:+UseParallelGC");
        assertTrue(parallel.contains("-XX:+UseParallelGC"), parallel);
        for (String s : List.of("-XX:+UseSerialGC", "PretenureSizeThreshold")) assertFalse(parallel.contains(s), parallel);

        String heap = flags("-Xms256m");
        assertTrue(heap.contains("-XX:InitialHeapSize=268435456"), heap);
        assertEquals(small, heap.contains("-XX:+UseSerialGC"), heap);
    }
}
