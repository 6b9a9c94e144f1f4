package nncc.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import nncc.ir.ModelException;

/**
 * Reads a tensor's bytes from an ONNX external-data file ({@code data_location = EXTERNAL}, keys
 * {@code location}, {@code offset}, {@code length}), confined to the model's folder: an absolute location, a
 * {@code ..} segment, or a path that leaves the folder through a symbolic link is refused, and the offset and
 * length are checked against the declared size and the file before anything is allocated.
 */
final class ExternalData {
    private ExternalData() {}

    /**
     * The {@code need} bytes of tensor {@code t} from its external file under {@code modelDir}; {@code what}
     * names the tensor in errors.
     */
    static byte[] read(TensorProto t, Path modelDir, long need, String what) {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : t.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = number(e.getValue(), "offset", what);
                case "length" -> length = number(e.getValue(), "length", what);
                case "checksum" -> { }
                default -> throw new ModelException(what + ": unknown external data key '" + ModelException.shorten(e.getKey()) + "'");
            }
        }
        if (location == null || location.isEmpty()) throw new ModelException(what + " is external but names no location");
        if (modelDir == null) throw new ModelException(what + " keeps its data in external file '" + location
                + "', which only a model read from a file can use");
        String shown = "'" + ModelException.shorten(location) + "'";
        if (location.startsWith("/") || location.startsWith("\\") || location.matches("^[A-Za-z]:.*") || location.indexOf('\0') >= 0)
            throw new ModelException(what + ": external data location " + shown + " is an absolute path; it must lie inside the model's folder");
        for (String part : location.split("[/\\\\]"))
            if (part.equals(".."))
                throw new ModelException(what + ": external data location " + shown + " leaves the model's folder ('..')");
        Path dir, file;
        try {
            dir = modelDir.toRealPath();
            file = dir.resolve(location).normalize();
        } catch (IOException | InvalidPathException e) {
            throw new ModelException(what + ": bad external data location " + shown + ": " + e.getMessage());
        }
        if (!file.startsWith(dir)) throw new ModelException(what + ": external data location " + shown + " leaves the model's folder");
        if (!Files.exists(file)) throw new ModelException(what + ": external data file " + shown + " does not exist in " + dir);
        Path real;
        try {
            real = file.toRealPath();
        } catch (IOException e) {
            throw new ModelException(what + ": cannot resolve external data file " + shown + ": " + e.getMessage());
        }
        if (!real.startsWith(dir))
            throw new ModelException(what + ": external data file " + shown + " is a link leading outside the model's folder");
        if (!Files.isRegularFile(real)) throw new ModelException(what + ": external data location " + shown + " is not a regular file");
        if (length >= 0 && length != need)
            throw new ModelException(what + " declares " + need + " bytes but its external data length is " + length);
        if (need > Integer.MAX_VALUE - 8) throw new ModelException(what + " needs " + need + " bytes, more than nncc can hold in one tensor");
        try (FileChannel ch = FileChannel.open(real)) {
            long size = ch.size();
            if (offset > size || need > size - offset)
                throw new ModelException(what + ": external data " + shown + " holds " + size + " bytes; offset " + offset + " + "
                        + need + " bytes runs past its end");
            ByteBuffer buf = ByteBuffer.allocate((int) need);
            while (buf.hasRemaining()) {
                int n = ch.read(buf, offset + buf.position());
                if (n < 0) throw new ModelException(what + ": external data " + shown + " ended early");
            }
            return buf.array();
        } catch (IOException e) {
            throw new ModelException(what + ": cannot read external data " + shown + ": " + e.getMessage());
        }
    }

    private static long number(String text, String key, String what) {
        try {
            long v = Long.parseLong(text.strip());
            if (v < 0) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw new ModelException(what + ": external data " + key + " '" + ModelException.shorten(text) + "' is not a byte count");
        }
    }
}
