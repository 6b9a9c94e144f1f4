package nncc.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.text.IrParser;
import nncc.passes.prepare.FoldConstantsPass;
import org.junit.jupiter.api.Test;

/** Pass names, pipelines and pass options as {@code nncc opt --passes} reads them. */
class PassRegistryTest {
    @Test void everyNameBuildsThePassOfThatName() {
        List<String> names = PassRegistry.passNames();
        assertTrue(names.containsAll(List.of("infer-shapes", "remove-noops", "fold-constants", "fold-batchnorm", "fuse-activations")), names.toString());
        for (String n : names) assertEquals(n, PassRegistry.create(n).name());
    }

    @Test void preparePipelineExpandsInOrder() {
        List<String> names = PassRegistry.parse("prepare").stream().map(Pass::name).toList();
        assertEquals(List.of("infer-shapes", "remove-noops", "fold-constants", "fold-batchnorm", "batchnorm-to-conv", "fuse-layer-norm",
                "fuse-gelu", "matmul-to-conv", "fuse-activations"), names);
        assertEquals(List.of(PassRegistry.PREPARE.split(",")), names);
        assertEquals(List.of("fold-constants", "infer-shapes", "remove-noops", "fold-constants", "fold-batchnorm", "batchnorm-to-conv",
                "fuse-layer-norm", "fuse-gelu", "matmul-to-conv", "fuse-activations"),
                PassRegistry.parse(" fold-constants , prepare").stream().map(Pass::name).toList());
    }

    @Test void unknownPassListsTheKnownOnes() {
        ModelException e = assertThrows(ModelException.class, () -> PassRegistry.parse("infer-shapes,fold-bn"));
        assertTrue(e.getMessage().startsWith("unknown pass 'fold-bn' (known passes: "), e.getMessage());
        for (String n : PassRegistry.passNames()) assertTrue(e.getMessage().contains(n), e.getMessage());
        assertTrue(e.getMessage().contains("pipelines: prepare"), e.getMessage());
    }

    @Test void optionsReachThePass() {
        Graph g = IrParser.parse("""
                graph @g {
                  input %x : f32[4]
                  const %a : f32[4] = [1, 2, 3, 4]
                  node @neg = Relu (%a) -> (%r : f32[4])
                  node @add = Add (%x, %r) -> (%y : f32[4])
                  output %y
                }
                """, "g");
        Pass small = PassRegistry.parse("fold-constants{max-elements=3, fold-quantization}").get(0);
        assertTrue(small instanceof FoldConstantsPass);
        PassResult r = small.run(g.copy());
        assertEquals(1L, r.statistics().get("kept: output too large"));
        assertEquals(0L, r.statistics().get("nodes folded"));
        assertEquals(1L, PassRegistry.parse("fold-constants{max-elements=4}").get(0).run(g.copy()).statistics().get("nodes folded"));
        ModelException none = assertThrows(ModelException.class, () -> PassRegistry.parse("remove-noops{aggressive}"));
        assertEquals("pass 'remove-noops' has no option 'aggressive' (it takes none)", none.getMessage());
        ModelException typed = assertThrows(ModelException.class, () -> PassRegistry.parse("fold-constants{max-elements=many}"));
        assertEquals("pass 'fold-constants': option max-elements=many must be an integer", typed.getMessage());
        ModelException flag = assertThrows(ModelException.class, () -> PassRegistry.parse("fold-batchnorm{require-all=yes}"));
        assertEquals("pass 'fold-batchnorm': option require-all=yes must be true or false", flag.getMessage());
    }

    @Test void optionValuesAreParsed() {
        PassOptions o = PassOptions.parse("p", " a = 3 , flag, x=1.5 ");
        assertEquals(3, o.integer("a", 0));
        assertTrue(o.flag("flag", false));
        assertEquals(1.5, o.number("x", 0), 0);
        assertEquals("fallback", o.string("missing", "fallback"));
        o.rejectUnknown();
        assertEquals("{a=3, flag=true, x=1.5}", o.toString());
        assertThrows(ModelException.class, () -> PassOptions.parse("p", "a=1,a=2"));
        assertThrows(ModelException.class, () -> PassOptions.parse("p", "=1"));
    }

    @Test void malformedPipelinesAreOneLineErrors() {
        for (String bad : new String[] {"", "infer-shapes,", "fold-constants{max-elements=1", "fold-constants}", "a{b}c"}) {
            ModelException e = assertThrows(ModelException.class, () -> PassRegistry.parse(bad), bad);
            assertTrue(!e.getMessage().contains("\n") && !e.getMessage().isEmpty(), e.getMessage());
        }
    }
}
