package nncc.ir.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.Tensor;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1-3, C order) for float32, float16, float64, int8,
 * uint8, int16, int32, int64 and bool. Bad files raise a {@link ModelException} naming the file and the value.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** The longest header accepted (numpy itself refuses headers over 10,000 bytes unless told otherwise). */
    static final int MAX_HEADER = 1 << 20;

    private Npy() {}

    public static Tensor read(Path file) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ModelException(file.toString(), null, "no such file");
        } catch (IOException e) {
            throw new ModelException(file.toString(), null, "cannot read: " + e.getMessage());
        }
        return parse(all, file.toString());
    }

    /** The header of a .npy file: element type, shape and where the data starts. */
    public record Header(DType dtype, Shape shape, int dataOffset) {
        /** Bytes of the data that the header promises. */
        public long dataBytes() { return dtype.storageBytes(shape.numElements()); }
    }

    /** Parses the bytes of a .npy file; {@code name} is used in error messages. */
    public static Tensor parse(byte[] all, String name) {
        Header h = header(all, name);
        long need = h.dataBytes();
        if (all.length - (long) h.dataOffset() < need)
            throw bad(name, "truncated data: shape " + h.shape() + " needs " + need + " bytes, file has " + (all.length - h.dataOffset()));
        nncc.ir.Limits.checkTensor(name + ": array " + h.dtype().text() + h.shape(), h.dtype(), h.shape().numElements());
        byte[] data = new byte[(int) need];
        System.arraycopy(all, h.dataOffset(), data, 0, data.length);
        return Tensor.ofRaw(h.dtype(), h.shape(), data);
    }

    /**
     * Parses the header at the start of {@code prefix} (the first bytes of a .npy file; 10 + the header length is
     * enough). Checks the magic, version, dtype, order and shape, not the data.
     */
    public static Header header(byte[] prefix, String name) {
        byte[] all = prefix;
        if (all.length < 10) throw bad(name, "too short for a .npy file (" + all.length + " bytes)");
        for (int i = 0; i < MAGIC.length; i++) if (all[i] != MAGIC[i]) throw bad(name, "not a .npy file (bad magic)");
        int major = all[6];
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen, start;
        if (major == 1) { headerLen = b.getShort(8) & 0xFFFF; start = 10; }
        else if (major == 2 || major == 3) {
            if (all.length < 12) throw bad(name, "truncated header");
            headerLen = b.getInt(8); start = 12;
        } else throw bad(name, "unsupported .npy version " + major);
        if (headerLen < 0 || headerLen > MAX_HEADER)
            throw bad(name, "header length " + Integer.toUnsignedString(headerLen) + " is over the limit of " + MAX_HEADER + " bytes");
        if ((long) start + headerLen > all.length) throw bad(name, "truncated header");
        String header = new String(all, start, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) throw bad(name, "malformed header: " + header.strip());
        if (f.group(1).equals("True")) throw bad(name, "Fortran-order arrays are not supported");
        DType dtype = dtypeOf(d.group(1), name);
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) {
            String t = part.strip();
            if (t.isEmpty()) continue;
            try {
                dims.add(Long.parseLong(t.endsWith("L") ? t.substring(0, t.length() - 1) : t));
            } catch (NumberFormatException e) {
                throw bad(name, "bad shape entry '" + t + "'");
            }
        }
        Shape shape;
        try {
            shape = Shape.of(dims.stream().mapToLong(Long::longValue).toArray());
            dtype.storageBytes(shape.numElements());
        } catch (IllegalArgumentException e) {
            throw bad(name, e.getMessage());
        } catch (ArithmeticException e) {
            throw bad(name, "absurd shape " + dims);
        }
        return new Header(dtype, shape, start + headerLen);
    }

    /** Reads only the header of a .npy file, and checks the file holds all the data it promises. */
    public static Header readHeader(Path file) {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            ByteBuffer first = ByteBuffer.allocate((int) Math.min(ch.size(), 12));
            ch.read(first, 0);
            byte[] p = first.array();
            long len = p.length < 10 ? 0 : p[6] == 1 ? 10 + (ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).getShort(8) & 0xFFFF)
                    : p.length >= 12 ? 12 + (ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).getInt(8) & 0xFFFFFFFFL) : 0;
            ByteBuffer all = ByteBuffer.allocate((int) Math.min(ch.size(), Math.min(Math.max(len, p.length), 12 + MAX_HEADER)));
            ch.read(all, 0);
            Header h = header(all.array(), file.toString());
            if (ch.size() - h.dataOffset() < h.dataBytes())
                throw bad(file.toString(), "truncated data: shape " + h.shape() + " needs " + h.dataBytes() + " bytes, file has "
                        + (ch.size() - h.dataOffset()));
            return h;
        } catch (NoSuchFileException e) {
            throw new ModelException(file.toString(), null, "no such file");
        } catch (IOException e) {
            throw new ModelException(file.toString(), null, "cannot read: " + e.getMessage());
        }
    }

    /** Rows {@code [start, start + count)} along dim 0 of a .npy file with header {@code h}, read from disk. */
    public static Tensor readRows(Path file, Header h, int start, int count) {
        long rows = h.shape().dim(0);
        if (h.dtype() == DType.I4 || start < 0 || count < 0 || start + (long) count > rows)
            throw new IllegalArgumentException("rows [" + start + ", " + (start + count) + ") of " + h.shape());
        long rowBytes = rows == 0 ? 0 : h.dataBytes() / rows;
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(rowBytes * count));
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
            long at = h.dataOffset() + rowBytes * start;
            while (buf.hasRemaining()) {
                int n = ch.read(buf, at + buf.position());
                if (n < 0) throw bad(file.toString(), "truncated data");
            }
        } catch (IOException e) {
            throw new ModelException(file.toString(), null, "cannot read: " + e.getMessage());
        }
        return Tensor.ofRaw(h.dtype(), h.shape().withDim(0, count), buf.array());
    }

    private static DType dtypeOf(String descr, String name) {
        if (descr.length() >= 2 && descr.charAt(0) == '>' && !descr.endsWith("1"))
            throw bad(name, "big-endian dtype '" + descr + "' is not supported");
        return switch (descr.replaceFirst("^[<|=]", "")) {
            case "f4" -> DType.F32; case "f2" -> DType.F16; case "f8" -> DType.F64;
            case "i1" -> DType.I8; case "u1" -> DType.U8; case "i2" -> DType.I16; case "i4" -> DType.I32;
            case "i8" -> DType.I64; case "b1" -> DType.BOOL;
            default -> throw bad(name, "unsupported dtype '" + descr + "'");
        };
    }

    private static String descrOf(DType t) {
        return switch (t) {
            case F32 -> "<f4"; case F16 -> "<f2"; case F64 -> "<f8"; case I8 -> "|i1"; case U8 -> "|u1";
            case I16 -> "<i2"; case I32 -> "<i4"; case I64 -> "<i8"; case BOOL -> "|b1";
            default -> throw new ModelException("cannot write " + t.text() + " tensors to .npy");
        };
    }

    private static ModelException bad(String name, String what) { return new ModelException(name, null, what); }

    /** The bytes of a .npy (version 1.0) file holding {@code t}. */
    public static byte[] toBytes(Tensor t) {
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < t.shape().rank(); i++) shape.append(t.shape().dim(i)).append(t.shape().rank() == 1 ? "," : i + 1 < t.shape().rank() ? ", " : "");
        shape.append(')');
        String h = "{'descr': '" + descrOf(t.dtype()) + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + h.length() + 1;
        int pad = (64 - total % 64) % 64;
        h = h + " ".repeat(pad) + "\n";
        byte[] data = t.rawBytes();
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length());
        b.put(h.getBytes(StandardCharsets.ISO_8859_1)).put(data);
        return b.array();
    }

    /** Writes {@code t} to {@code file} atomically (a temp file renamed into place), so no half file is left. */
    public static void write(Path file, Tensor t) throws IOException {
        byte[] bytes = toBytes(t);
        Path parent = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, ".npy-", ".tmp");
        try (OutputStream o = Files.newOutputStream(tmp)) {
            o.write(bytes);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
