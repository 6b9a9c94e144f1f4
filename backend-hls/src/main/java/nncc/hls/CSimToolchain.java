package nncc.hls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds HLS C++ as a plain C simulation with g++ ({@code -std=c++17 -O2 -Wall -Wextra -Werror}, the Vitis HLS
 * C-simulation headers for {@code ap_int} included with {@code -isystem}), and copies nncc's kernel header library
 * out of the jar. Used by the generated project's tests and by commands that run a C simulation.
 */
public final class CSimToolchain {
    private CSimToolchain() {}

    /** The kernel headers shipped in resources {@code nncc/hls/include}, in a stable order. */
    public static final List<String> KERNEL_HEADERS = List.of("nncc.h", "nncc_common.h", "nncc_requant.h", "nncc_conv.h",
            "nncc_dense.h", "nncc_pool.h", "nncc_elementwise.h", "nncc_shape.h", "nncc_softmax.h");

    /** The text of one kernel header from the resources. */
    public static String kernelHeader(String name) {
        try (InputStream in = CSimToolchain.class.getResourceAsStream("/nncc/hls/include/" + name)) {
            if (in == null) throw new IllegalStateException("kernel header " + name + " is missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Writes every kernel header into {@code dir}. */
    public static void writeKernelHeaders(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String h : KERNEL_HEADERS) Files.writeString(dir.resolve(h), kernelHeader(h));
    }

    /**
     * Compiles {@code sources} into {@code executable} with g++, the directories in {@code includes} given with
     * {@code -I} and {@code apTypes} with {@code -isystem}; throws with g++'s output on failure.
     */
    public static void compile(List<Path> sources, List<Path> includes, Path apTypes, Path executable) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("g++", "-std=c++17", "-O2", "-Wall", "-Wextra", "-Werror", "-isystem", apTypes.toString()));
        for (Path p : includes) { cmd.add("-I"); cmd.add(p.toString()); }
        for (Path s : sources) cmd.add(s.toString());
        cmd.add("-o");
        cmd.add(executable.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException("g++ failed (" + String.join(" ", cmd) + "):\n" + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compiling", e);
        }
    }
}
