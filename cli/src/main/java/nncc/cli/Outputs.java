package nncc.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import nncc.ir.Tensor;
import nncc.ir.io.Npy;

/**
 * Writes output files atomically (temp file, then rename), so a failed command leaves no half-written file, and
 * refuses outputs that would overwrite an input.
 */
final class Outputs {
    private Outputs() {}

    /**
     * Gives a file made by createTempFile/createTempDirectory (owner-only) the usual permissions of a new file
     * (rw-r--r--) or folder (rwxr-xr-x), where the file system has POSIX permissions.
     */
    static void readableByAll(Path p, boolean directory) {
        try {
            java.nio.file.Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                    directory ? "rwxr-xr-x" : "rw-r--r--"));
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system: keep its defaults
        }
    }

    /**
     * Refuses an output that is one of the command's input files (the same path, or a link to the same file),
     * before any work is done, so that no input is ever overwritten. Null entries are ignored.
     */
    static void requireNotInput(Path output, Path... inputs) {
        if (output == null) return;
        Path out = output.toAbsolutePath().normalize();
        for (Path in : inputs) {
            if (in == null) continue;
            boolean same = out.equals(in.toAbsolutePath().normalize());
            try {
                same |= Files.exists(out) && Files.exists(in) && Files.isSameFile(out, in);
            } catch (IOException ignored) {
                // cannot tell: the path comparison stands
            }
            if (same) throw new CliException(output + ": the output would overwrite the input file " + in + "; choose another output");
        }
    }

    static void writeText(Path file, String text) { writeBytes(file, text.getBytes(StandardCharsets.UTF_8)); }

    static void writeNpy(Path file, Tensor t) { writeBytes(file, Npy.toBytes(t)); }

    static void writeBytes(Path file, byte[] bytes) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new CliException(file + ": output directory does not exist");
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + "-", ".tmp");
            Files.write(tmp, bytes);
            readableByAll(tmp, false);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try { if (tmp != null) Files.deleteIfExists(tmp); } catch (IOException ignored) { }
            throw new CliException(file + ": cannot write: " + e.getMessage());
        }
    }
}
