package nncc.passes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import nncc.ir.ModelException;
import nncc.passes.prepare.FoldBatchNormPass;
import nncc.passes.prepare.FoldConstantsPass;
import nncc.passes.prepare.FuseActivationsPass;
import nncc.passes.prepare.InferShapesPass;
import nncc.passes.prepare.RemoveNoOpsPass;

/**
 * Every pass by its kebab-case name (the names of {@code nncc opt --passes}), and the named pipelines. A pipeline
 * text is a comma-separated list of pass or pipeline names, each pass optionally followed by its options in braces:
 * {@code infer-shapes{batch=1},prepare,fold-batchnorm{require-all}}. Adding a pass is one line in {@link #PASSES}.
 */
public final class PassRegistry {
    private PassRegistry() {}

    /** Pass name to constructor; the constructor reads the options it takes from the {@link PassOptions}. */
    private static final Map<String, Function<PassOptions, Pass>> PASSES = Map.ofEntries(
            Map.entry(InferShapesPass.NAME, o -> new InferShapesPass(InferShapesPass.Options.from(o))),
            Map.entry(RemoveNoOpsPass.NAME, o -> new RemoveNoOpsPass()),
            Map.entry(FoldConstantsPass.NAME, o -> new FoldConstantsPass(FoldConstantsPass.Options.from(o))),
            Map.entry(FoldBatchNormPass.NAME, o -> new FoldBatchNormPass(FoldBatchNormPass.Options.from(o))),
            Map.entry(FuseActivationsPass.NAME, o -> new FuseActivationsPass()),
            Map.entry(nncc.passes.prepare.BatchNormToConvPass.NAME, o -> new nncc.passes.prepare.BatchNormToConvPass()),
            Map.entry(nncc.passes.prepare.MatMulToConvPass.NAME, o -> new nncc.passes.prepare.MatMulToConvPass()),
            Map.entry(nncc.passes.prepare.FuseLayerNormPass.NAME, o -> new nncc.passes.prepare.FuseLayerNormPass()),
            Map.entry(nncc.passes.prepare.FuseGeluPass.NAME, o -> new nncc.passes.prepare.FuseGeluPass()),
            Map.entry(nncc.passes.quant.FoldScalesPass.NAME, o -> new nncc.passes.quant.FoldScalesPass(nncc.passes.quant.FoldScalesPass.Options.from(o))),
            Map.entry(nncc.passes.quant.LowerToIntegerPass.NAME, o -> new nncc.passes.quant.LowerToIntegerPass(nncc.passes.quant.LowerToIntegerPass.Options.from(o))),
            Map.entry(nncc.passes.quant.ConvertFp16Pass.NAME, o -> new nncc.passes.quant.ConvertFp16Pass()),
            Map.entry(nncc.passes.quant.DynamicRangePass.NAME, o -> new nncc.passes.quant.DynamicRangePass(nncc.passes.quant.DynamicRangePass.Options.from(o))));

    /** The float clean-up every model goes through before quantization. */
    public static final String PREPARE = "infer-shapes,remove-noops,fold-constants,fold-batchnorm,batchnorm-to-conv,fuse-layer-norm,fuse-gelu,matmul-to-conv,fuse-activations";

    /** Named pipelines, usable wherever a pass name is. */
    private static final Map<String, String> PIPELINES = Map.of("prepare", PREPARE);

    /** The known pass names, sorted. */
    public static List<String> passNames() { return List.copyOf(new TreeSet<>(PASSES.keySet())); }

    /** The known pipeline names, sorted. */
    public static List<String> pipelineNames() { return List.copyOf(new TreeSet<>(PIPELINES.keySet())); }

    /** One pass by name with default options. */
    public static Pass create(String name) { return create(name, PassOptions.none(name)); }

    /** One pass by name; fails on an unknown name or an option the pass does not take. */
    public static Pass create(String name, PassOptions options) {
        Function<PassOptions, Pass> ctor = PASSES.get(name);
        if (ctor == null) throw unknown(name);
        Pass p = ctor.apply(options);
        options.rejectUnknown();
        return p;
    }

    /** The passes of a pipeline text such as {@code "infer-shapes,fold-constants{max-elements=64}"}. */
    public static List<Pass> parse(String pipeline) {
        List<Pass> passes = new ArrayList<>();
        for (String item : split(pipeline)) {
            int brace = item.indexOf('{');
            String name = (brace < 0 ? item : item.substring(0, brace)).strip();
            if (brace < 0 && PIPELINES.containsKey(name)) {
                passes.addAll(parse(PIPELINES.get(name)));
                continue;
            }
            if (brace >= 0 && !item.endsWith("}"))
                throw new ModelException("pass options of '" + name + "' must end with '}': " + item);
            PassOptions options = brace < 0 ? PassOptions.none(name)
                    : PassOptions.parse(name, item.substring(brace + 1, item.length() - 1));
            passes.add(create(name, options));
        }
        if (passes.isEmpty()) throw new ModelException("empty pass pipeline '" + pipeline + "'");
        return passes;
    }

    /** Splits at commas outside braces; items are stripped and never empty. */
    private static List<String> split(String pipeline) {
        List<String> items = new ArrayList<>();
        int depth = 0, start = 0;
        for (int i = 0; i <= pipeline.length(); i++) {
            char c = i < pipeline.length() ? pipeline.charAt(i) : ',';
            if (c == '{') depth++;
            else if (c == '}') depth--;
            if (depth < 0) throw new ModelException("unbalanced '}' in pass pipeline '" + pipeline + "'");
            if (c == ',' && depth == 0) {
                String item = pipeline.substring(start, Math.min(i, pipeline.length())).strip();
                if (item.isEmpty()) throw new ModelException("empty pass name in pipeline '" + pipeline + "'");
                items.add(item);
                start = i + 1;
            }
        }
        if (depth != 0) throw new ModelException("unbalanced '{' in pass pipeline '" + pipeline + "'");
        return items;
    }

    private static ModelException unknown(String name) {
        return new ModelException("unknown pass '" + name + "' (known passes: " + String.join(", ", passNames())
                + "; pipelines: " + String.join(", ", pipelineNames()) + ")");
    }
}
