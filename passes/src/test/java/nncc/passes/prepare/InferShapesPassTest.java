package nncc.passes.prepare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nncc.ir.DType;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Shape;
import nncc.ir.TensorType;
import nncc.ir.Value;
import nncc.ir.Verifier;
import nncc.ir.text.IrParser;
import nncc.passes.PassResult;
import org.junit.jupiter.api.Test;

/**
 * Shape inference on graphs whose types are stale, which the text form cannot express (its parser verifies
 * every graph): here a graph input is re-declared behind the graph's back.
 */
class InferShapesPassTest {
    private static Graph staleGraph() {
        Graph g = IrParser.parse("""
                graph @g {
                  input %x : f32[?N,2,4]
                  node @relu = Relu (%x) -> (%r : f32[?N,2,4]{scale = 0.5, zp = 0})
                  node @flat = Flatten {axis = 1} (%r) -> (%f : f32[?N,8])
                  node @sig = Sigmoid (%f) -> (%y : f32[?N,8])
                  output %y
                }
                """, "g");
        Value x = g.inputs().get(0);
        Value wider = x.withType(TensorType.of(DType.F32, Shape.of(5, 3, 4)));
        g.setInputs(List.of(wider));
        g.replaceAllUses(x, wider);
        return g;
    }

    @Test void staleTypesAreRecomputedAndPlansKept() {
        Graph g = staleGraph();
        assertThrows(ModelException.class, () -> Verifier.verify(g));
        PassResult r = new InferShapesPass().run(g);
        Verifier.verify(g);
        assertEquals(3L, r.statistics().get("types changed"));
        assertEquals(Shape.of(5, 12), g.outputs().get(0).type().shape());
        assertEquals(0.5f, g.nodes().get(0).output().type().quant().scale(0));
        assertEquals(Shape.of(5, 12), g.nodes().get(2).input(0).type().shape(), "readers see the new type");
        assertTrue(r.changed());
        PassResult again = new InferShapesPass().run(g);
        assertEquals(0L, again.statistics().get("types changed"));
        assertFalse(again.changed(), "nothing left to change");
    }

    @Test void perAxisPlanThatNoLongerFitsIsDropped() {
        Graph g = IrParser.parse("""
                graph @g {
                  input %x : f32[1,3]
                  node @relu = Relu (%x) -> (%r : f32[1,3]{axis = 1, scale = [0.5, 0.25, 1.0], zp = [0, 0, 0]})
                  output %r
                }
                """, "g");
        Value x = g.inputs().get(0), wider = x.withType(TensorType.of(DType.F32, 1, 4));
        g.setInputs(List.of(wider));
        g.replaceAllUses(x, wider);
        new InferShapesPass().run(g);
        Verifier.verify(g);
        assertEquals(TensorType.of(DType.F32, 1, 4), g.outputs().get(0).type());
    }

    @Test void badBatchIsAnError() {
        assertThrows(ModelException.class, () -> new InferShapesPass.Options(-1));
    }
}
