package nncc.ir.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import nncc.ir.Tensor;

/**
 * Integer samples as the generated programs read them (an HLS testbench's or C simulation's input file, io.json's
 * layout): every sample's input tensors back to back, each element a little-endian integer of its type's storage
 * size (1, 2, 4 or 8 bytes).
 */
public final class RawSamples {
    private RawSamples() {}

    /** The bytes of {@code samples} (per sample, its input tensors in order); every tensor must be an integer tensor. */
    public static byte[] bytes(List<List<Tensor>> samples) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (List<Tensor> inputs : samples)
            for (Tensor t : inputs) {
                if (!t.dtype().isInteger()) throw new IllegalArgumentException("input of type " + t.dtype().text() + " is not an integer tensor");
                int size = t.dtype().bits() / 8;
                ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(t.numElements()) * size).order(ByteOrder.LITTLE_ENDIAN);
                for (long v : t.toLongs()) {
                    switch (size) {
                        case 1 -> b.put((byte) v);
                        case 2 -> b.putShort((short) v);
                        case 4 -> b.putInt((int) v);
                        default -> b.putLong(v);
                    }
                }
                out.writeBytes(b.array());
            }
        return out.toByteArray();
    }
}
