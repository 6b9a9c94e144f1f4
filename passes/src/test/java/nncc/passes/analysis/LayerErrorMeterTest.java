package nncc.passes.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import nncc.ir.Graph;
import nncc.ir.Shape;
import nncc.ir.Tensor;
import nncc.ir.text.IrParser;
import org.junit.jupiter.api.Test;

/** The library's per-layer error measurement, on values worked out by hand. */
class LayerErrorMeterTest {
    private static final Graph FLOAT = IrParser.parse("""
            graph @f {
              input %x : f32[1,4]
              node @r = Relu (%x) -> (%y : f32[1,4])
              output %y
            }
            """, "float.nnir");
    // %y here is x on a 0.5 grid (no relu): compared by name with the float Relu's %y
    private static final Graph QUANT = IrParser.parse("""
            graph @q {
              input %x : f32[1,4]
              node @q = Quantize {scale = 0.5, zeroPoint = 0, outType = i8} (%x) -> (%y : i8[1,4]{scale = 0.5, zp = 0})
              output %y
            }
            """, "quant.nnir");

    private static LayerErrorMeter.Samples samples(float[]... rows) {
        return new LayerErrorMeter.Samples() {
            @Override public int count() { return rows.length; }

            @Override public List<Tensor> batch(int start, int count) {
                float[] b = new float[count * 4];
                for (int i = 0; i < count; i++) System.arraycopy(rows[start + i], 0, b, 4 * i, 4);
                return List.of(Tensor.ofFloats(Shape.of(count, 4), b));
            }
        };
    }

    @Test void sqnrMaxAndRmsErrorOfASharedValue() {
        // float y = relu(x) = [0, 0.3, 1.0, 2.2]; quantized y = 0.5 * round(x / 0.5) = [-1, 0.5, 1.0, 2.0]
        // noise = 1 + 0.04 + 0 + 0.04 = 1.08, signal = 0 + 0.09 + 1 + 4.84 = 5.93
        LayerErrorMeter meter = LayerErrorMeter.of(FLOAT, QUANT);
        assertEquals(List.of("y"), meter.values());
        Map<String, LayerError> e = meter.measure(samples(new float[] {-1f, 0.3f, 1f, 2.2f}), 1, xs -> xs, 1, n -> {});
        LayerError y = e.get("y");
        assertEquals(10 * Math.log10(5.93 / 1.08), y.sqnrDb(), 1e-5);
        assertEquals(1.0, y.maxAbsError(), 1e-6);
        assertEquals(Math.sqrt(1.08 / 4), y.rmsError(), 1e-6);
        assertEquals(4, y.elements());
    }

    @Test void resultDoesNotDependOnTheThreadCount() {
        float[][] rows = new float[40][];
        for (int i = 0; i < rows.length; i++) rows[i] = new float[] {i * 0.1f - 2, i * 0.07f, -i * 0.03f, 0.5f};
        LayerErrorMeter meter = LayerErrorMeter.of(FLOAT, QUANT);
        assertEquals(meter.measure(samples(rows), 40, xs -> xs, 1, n -> {}), meter.measure(samples(rows), 40, xs -> xs, 3, n -> {}));
    }
}
