package nncc.hls;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where the tests find the Vitis HLS C-simulation headers ({@code nncc.shared}/fixtures/hls-ap-types/ap_types) and
 * g++: a test skips with a message when they are missing, and fails instead when NNCC_REQUIRE_FIXTURES=1.
 */
final class HlsTestEnv {
    private HlsTestEnv() {}

    static Path apTypes() {
        Path dir = Path.of(System.getProperty("nncc.shared", "../../shared"), "fixtures", "hls-ap-types", "ap_types");
        boolean ok = Files.isRegularFile(dir.resolve("ap_int.h")) && gppAvailable();
        String why = "HLS C simulation needs g++ and " + dir + "/ap_int.h";
        if (!ok && "1".equals(System.getenv("NNCC_REQUIRE_FIXTURES"))) throw new AssertionError(why + " (NNCC_REQUIRE_FIXTURES=1)");
        Assumptions.assumeTrue(ok, why);
        return dir;
    }

    private static boolean gppAvailable() {
        try {
            return new ProcessBuilder("g++", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
