package nncc.javagen;

/**
 * The generated program's .npy reader and writer (format 1.0-3.0, little-endian or byte types, C order): read any of
 * f4, f8, i1, u1, i2, i4, i8 as doubles; write f4, i1, u1, i2 or i4 with a header padded to 64 bytes, so two runs
 * write identical bytes.
 */
final class EmittedNpy {
    private EmittedNpy() {}

    static void add(JavaTargetGenerator gen) {
        gen.type.addMethod(EmittedArithmetic.method("""
                /** Reads a .npy file as doubles; shape[0] receives its shape and descr[0] its dtype string. */
                static double[] readNpy(String path, int[][] shape, String[] descr) throws java.io.IOException {
                    byte[] b = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(path));
                    if (b.length < 10 || (b[0] & 0xFF) != 0x93 || b[1] != 'N' || b[2] != 'U' || b[3] != 'M' || b[4] != 'P' || b[5] != 'Y')
                        throw new IllegalArgumentException(path + ": not a .npy file");
                    int major = b[6];
                    int headerLength = major == 1 ? (b[8] & 0xFF) | (b[9] & 0xFF) << 8 : (b[8] & 0xFF) | (b[9] & 0xFF) << 8 | (b[10] & 0xFF) << 16 | (b[11] & 0xFF) << 24;
                    int start = (major == 1 ? 10 : 12);
                    if (headerLength < 0 || start + headerLength > b.length) throw new IllegalArgumentException(path + ": truncated header");
                    String header = new String(b, start, headerLength, java.nio.charset.StandardCharsets.ISO_8859_1);
                    start += headerLength;
                    String d = field(header, "descr", path).replace("'", "").trim();
                    if (!field(header, "fortran_order", path).trim().equals("False")) throw new IllegalArgumentException(path + ": Fortran order is not supported");
                    String dims = field(header, "shape", path).replace("(", "").replace(")", "").trim();
                    java.util.List<Integer> list = new java.util.ArrayList<>();
                    for (String t : dims.split(",")) if (!t.isBlank()) list.add(Integer.parseInt(t.trim()));
                    int[] s = new int[list.size()];
                    long count = 1;
                    for (int i = 0; i < s.length; i++) { s[i] = list.get(i); count *= s[i]; }
                    int width = switch (d) { case "<f4", "<i4" -> 4; case "<f8", "<i8" -> 8; case "|i1", "|u1", "<i1", "<u1" -> 1; case "<i2" -> 2;
                        default -> throw new IllegalArgumentException(path + ": dtype " + d + " is not supported (f4, f8, i1, u1, i2, i4, i8)"); };
                    if (start + count * width > b.length) throw new IllegalArgumentException(path + ": data is shorter than shape " + java.util.Arrays.toString(s));
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, start, b.length - start).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    double[] v = new double[(int) count];
                    for (int i = 0; i < v.length; i++)
                        v[i] = switch (d) { case "<f4" -> buf.getFloat(); case "<f8" -> buf.getDouble(); case "<i4" -> buf.getInt(); case "<i8" -> buf.getLong();
                            case "<i2" -> buf.getShort(); case "|u1", "<u1" -> buf.get() & 0xFF; default -> buf.get(); };
                    shape[0] = s;
                    descr[0] = d;
                    return v;
                }"""));
        gen.type.addMethod(EmittedArithmetic.method("""
                private static String field(String header, String key, String path) {
                    int k = header.indexOf("'" + key + "'");
                    if (k < 0) throw new IllegalArgumentException(path + ": header has no " + key);
                    int from = header.indexOf(':', k) + 1;
                    int to = key.equals("shape") ? header.indexOf(')', from) + 1 : header.indexOf(',', from);
                    return header.substring(from, to);
                }"""));
        gen.type.addMethod(EmittedArithmetic.method("""
                /** Writes int or float data as a .npy file of nncc type {@code type}. */
                static void writeNpy(String path, int[] shape, Object data, String type) throws java.io.IOException {
                    String descr = switch (type) { case "f32" -> "<f4"; case "i8" -> "|i1"; case "u8" -> "|u1"; case "i16" -> "<i2"; default -> "<i4"; };
                    int width = switch (type) { case "f32", "i32" -> 4; case "i16" -> 2; default -> 1; };
                    StringBuilder dims = new StringBuilder();
                    for (int d : shape) dims.append(d).append(", ");
                    String shapeText = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, dims.length() - 2) + ")";
                    StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText + ", }");
                    while ((10 + header.length() + 1) % 64 != 0) header.append(' ');
                    header.append('\\n');
                    int count = data instanceof float[] f ? f.length : ((int[]) data).length;
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(10 + header.length() + count * width).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    buf.put((byte) 0x93).put("NUMPY".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)).put((byte) 1).put((byte) 0);
                    buf.putShort((short) header.length()).put(header.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
                    for (int i = 0; i < count; i++) {
                        if (data instanceof float[] f) buf.putFloat(f[i]);
                        else {
                            int v = ((int[]) data)[i];
                            switch (width) { case 1 -> buf.put((byte) v); case 2 -> buf.putShort((short) v); default -> buf.putInt(v); }
                        }
                    }
                    java.nio.file.Files.write(java.nio.file.Path.of(path), buf.array());
                }"""));
    }
}
