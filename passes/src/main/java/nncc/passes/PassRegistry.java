package nncc.passes;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.TreeSet;
import nncc.ir.DType;
import nncc.ir.ModelException;
import nncc.passes.calib.CalibratePass;
import nncc.passes.calib.ObserverKind;
import nncc.passes.prepare.FoldBatchNormPass;
import nncc.passes.prepare.FoldConstantsPass;
import nncc.passes.prepare.FuseActivationsPass;
import nncc.passes.prepare.InferShapesPass;
import nncc.passes.prepare.RemoveNoOpsPass;
import nncc.passes.quant.ConvertFp16Pass;
import nncc.passes.quant.CorrectBiasPass;
import nncc.passes.quant.DynamicRangePass;
import nncc.passes.quant.FoldScalesPass;
import nncc.passes.quant.LowerToIntegerPass;
import nncc.passes.quant.QuantizeWeightsPass;

/**
 * Every pass by its kebab-case name (the names of {@code nncc opt --passes}) and the named pipelines, as an
 * instance: {@link #builtin()} holds nncc's own passes, {@link #withPlugins} adds the passes of plugin jars
 * (through {@link ServiceLoader} over {@link PassProvider}, from the named jars only). A pipeline text is a
 * comma-separated list of pass or pipeline names, each pass optionally followed by its options in braces:
 * {@code infer-shapes{batch=1},prepare,calibrate{observer=mse}}. Factories get a {@link PassContext} with the
 * data sources (calibration data) the passes that read data need. Adding a built-in pass is one line in
 * {@link #builtinFactories()}.
 */
public final class PassRegistry {
    /** Makes a pass from its options (unknown keys are rejected after the factory ran) and the data sources. */
    @FunctionalInterface
    public interface Factory {
        Pass create(PassOptions options, PassContext context);
    }

    /** The float clean-up every model goes through before quantization. */
    public static final String PREPARE = "infer-shapes,remove-noops,fold-constants,fold-batchnorm,batchnorm-to-conv,fuse-layer-norm,fuse-gelu,matmul-to-conv,fuse-activations";

    /** What {@code compile --target tpu} runs on the lowered graph so the TFLite writer only serializes. */
    public static final String TFLITE_LEGALIZE = "tflite-explicit-padding,tflite-mean-numbers,tflite-nhwc";

    private static final PassRegistry BUILTIN = new PassRegistry(builtinFactories(), Map.of(),
            Map.of("prepare", PREPARE, "tflite-legalize", TFLITE_LEGALIZE));

    private final Map<String, Factory> factories;
    /** Pass name to the plugin jar it came from (built-in passes are absent). */
    private final Map<String, String> origins;
    private final Map<String, String> pipelines;

    private PassRegistry(Map<String, Factory> factories, Map<String, String> origins, Map<String, String> pipelines) {
        this.factories = Map.copyOf(factories);
        this.origins = Map.copyOf(origins);
        this.pipelines = Map.copyOf(pipelines);
    }

    /** nncc's own passes and pipelines. */
    public static PassRegistry builtin() { return BUILTIN; }

    private static Map<String, Factory> builtinFactories() {
        Map<String, Factory> m = new LinkedHashMap<>();
        m.put(InferShapesPass.NAME, (o, c) -> new InferShapesPass(InferShapesPass.Options.from(o)));
        m.put(RemoveNoOpsPass.NAME, (o, c) -> new RemoveNoOpsPass());
        m.put(FoldConstantsPass.NAME, (o, c) -> new FoldConstantsPass(FoldConstantsPass.Options.from(o)));
        m.put(FoldBatchNormPass.NAME, (o, c) -> new FoldBatchNormPass(FoldBatchNormPass.Options.from(o)));
        m.put(FuseActivationsPass.NAME, (o, c) -> new FuseActivationsPass());
        m.put(nncc.passes.prepare.BatchNormToConvPass.NAME, (o, c) -> new nncc.passes.prepare.BatchNormToConvPass());
        m.put(nncc.passes.prepare.MatMulToConvPass.NAME, (o, c) -> new nncc.passes.prepare.MatMulToConvPass());
        m.put(nncc.passes.prepare.FuseLayerNormPass.NAME, (o, c) -> new nncc.passes.prepare.FuseLayerNormPass());
        m.put(nncc.passes.prepare.FuseGeluPass.NAME, (o, c) -> new nncc.passes.prepare.FuseGeluPass());
        m.put(QuantizeWeightsPass.NAME, (o, c) -> new QuantizeWeightsPass(QuantizeWeightsPass.Options.from(o)));
        m.put("calibrate", PassRegistry::calibrate);
        m.put(CorrectBiasPass.NAME, PassRegistry::correctBias);
        m.put(FoldScalesPass.NAME, (o, c) -> new FoldScalesPass(FoldScalesPass.Options.from(o)));
        m.put(nncc.passes.quant.InsertRequantizePass.NAME, (o, c) -> new nncc.passes.quant.InsertRequantizePass());
        m.put(LowerToIntegerPass.NAME, (o, c) -> new LowerToIntegerPass(LowerToIntegerPass.Options.from(o)));
        m.put(ConvertFp16Pass.NAME, (o, c) -> new ConvertFp16Pass());
        m.put(nncc.passes.quant.FoldWeightQuantizePass.NAME, (o, c) -> new nncc.passes.quant.FoldWeightQuantizePass());
        m.put(nncc.passes.quant.FoldQatBatchNormPass.NAME, (o, c) -> new nncc.passes.quant.FoldQatBatchNormPass());
        m.put(nncc.passes.quant.QuantizePassthroughOpsPass.NAME, (o, c) -> new nncc.passes.quant.QuantizePassthroughOpsPass());
        m.put(nncc.passes.quant.LowerQdqPass.NAME, (o, c) -> new nncc.passes.quant.LowerQdqPass(nncc.passes.quant.LowerQdqPass.Options.from(o)));
        m.put(nncc.passes.quant.OnnxRoundingPass.NAME, (o, c) -> new nncc.passes.quant.OnnxRoundingPass(nncc.passes.quant.OnnxRoundingPass.Options.from(o)));
        m.put(DynamicRangePass.NAME, (o, c) -> new DynamicRangePass(DynamicRangePass.Options.from(o)));
        m.put(nncc.passes.tflite.TfliteMeanNumbersPass.NAME, (o, c) -> new nncc.passes.tflite.TfliteMeanNumbersPass());
        m.put(nncc.passes.tflite.TfliteExplicitPaddingPass.NAME, (o, c) -> new nncc.passes.tflite.TfliteExplicitPaddingPass());
        m.put(nncc.passes.tflite.TfliteUint8IoPass.NAME, (o, c) -> new nncc.passes.tflite.TfliteUint8IoPass());
        m.put(nncc.passes.tflite.TfliteNhwcPass.NAME, (o, c) -> new nncc.passes.tflite.TfliteNhwcPass());
        m.put(nncc.passes.quant.AccumulatorBitsPass.NAME, (o, c) -> new nncc.passes.quant.AccumulatorBitsPass());
        return m;
    }

    /** {@code calibrate{observer=minmax|moving-average|percentile|entropy|mse, percentile=P, activation=i8|i16, batch=N}}. */
    private static Pass calibrate(PassOptions o, PassContext c) {
        ObserverKind observer = ObserverKind.parse(o.string("observer", "minmax"));
        double percentile = o.number("percentile", 99.99);
        DType act = activation(o, "calibrate");
        int batch = Math.toIntExact(o.integer("batch", 32));
        return new DeferredPass("calibrate", Stage.BN_FOLDED, Stage.RANGES_ANNOTATED, g -> new CalibratePass(
                CalibratePass.Options.of(c.calibrationData(g, "calibrate"), observer).withPercentile(percentile)
                        .withActivationType(act).withBatchSize(batch).withThreads(c.threads())));
    }

    /** {@code correct-bias{weight-bits=N, per-tensor, rounding=nearest|adaptive|gptq, max-samples=N, batch=N}}. */
    private static Pass correctBias(PassOptions o, PassContext c) {
        int bits = Math.toIntExact(o.integer("weight-bits", 8));
        boolean perTensor = o.flag("per-tensor", false);
        String r = o.string("rounding", "nearest");
        CorrectBiasPass.WeightRounding rounding;
        try {
            rounding = CorrectBiasPass.WeightRounding.valueOf(r.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ModelException("pass '" + CorrectBiasPass.NAME + "': rounding must be nearest, adaptive or gptq, got " + r);
        }
        int max = Math.toIntExact(o.integer("max-samples", 256)), batch = Math.toIntExact(o.integer("batch", 32));
        return new DeferredPass(CorrectBiasPass.NAME, Stage.BN_FOLDED, Stage.BN_FOLDED, g -> new CorrectBiasPass(
                new CorrectBiasPass.Options(c.calibrationData(g, CorrectBiasPass.NAME), bits, perTensor, max, batch, rounding)));
    }

    private static DType activation(PassOptions o, String pass) {
        String a = o.string("activation", "i8");
        if (a.equals("i8")) return DType.I8;
        if (a.equals("i16")) return DType.I16;
        throw new ModelException("pass '" + pass + "': activation must be i8 or i16, got " + a);
    }

    /**
     * This registry plus the passes of the {@link PassProvider}s in {@code jars} (only those jars, not the class
     * path). A jar that cannot be read, provides nothing, or repeats a known pass name is a one-line error naming it.
     */
    public PassRegistry withPlugins(List<Path> jars) {
        if (jars.isEmpty()) return this;
        Map<String, Factory> f = new LinkedHashMap<>(factories);
        Map<String, String> origin = new LinkedHashMap<>(origins);
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) throw new ModelException(jar + ": plugin jar not found");
            URLClassLoader loader;
            try {
                loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, PassRegistry.class.getClassLoader());
            } catch (MalformedURLException e) {
                throw new ModelException(jar + ": not a usable plugin path (" + e.getMessage() + ")");
            }
            int added = 0;
            try {
                for (ServiceLoader.Provider<PassProvider> p : ServiceLoader.load(PassProvider.class, loader).stream().toList()) {
                    if (p.type().getClassLoader() != loader) continue; // from the class path, not this jar
                    for (Map.Entry<String, Factory> e : p.get().passes().entrySet()) {
                        String name = e.getKey();
                        if (!name.matches("[a-z][a-z0-9]*(-[a-z0-9]+)*"))
                            throw new ModelException(jar + ": plugin pass name '" + name + "' is not kebab-case");
                        if (f.containsKey(name) || pipelines.containsKey(name))
                            throw new ModelException(jar + ": plugin pass '" + name + "' clashes with "
                                    + (origin.containsKey(name) ? "a pass of " + origin.get(name) : "a built-in pass or pipeline"));
                        f.put(name, e.getValue());
                        origin.put(name, jar.toString());
                        added++;
                    }
                }
            } catch (java.util.ServiceConfigurationError | LinkageError e) {
                throw new ModelException(jar + ": cannot load its pass providers (" + e.getMessage() + ")");
            }
            if (added == 0)
                throw new ModelException(jar + ": provides no passes (it needs META-INF/services/" + PassProvider.class.getName() + ")");
        }
        return new PassRegistry(f, origin, pipelines);
    }

    /** The known pass names, sorted. */
    public List<String> names() { return List.copyOf(new TreeSet<>(factories.keySet())); }

    /** Plugin pass names and the jar each came from. */
    public Map<String, String> pluginPasses() { return new TreeMap<>(origins); }

    /** One pass by name; fails on an unknown name or an option the pass does not take. */
    public Pass pass(String name, PassOptions options, PassContext context) {
        Factory f = factories.get(name);
        if (f == null) throw unknownPass(name);
        Pass p = f.create(options, context);
        options.rejectUnknown();
        return p;
    }

    /** The passes of a pipeline text such as {@code "infer-shapes,fold-constants{max-elements=64}"}. */
    public List<Pass> pipeline(String text, PassContext context) {
        List<Pass> passes = new ArrayList<>();
        for (String item : split(text)) {
            int brace = item.indexOf('{');
            String name = (brace < 0 ? item : item.substring(0, brace)).strip();
            if (brace < 0 && pipelines.containsKey(name)) {
                passes.addAll(pipeline(pipelines.get(name), context));
                continue;
            }
            if (brace >= 0 && !item.endsWith("}"))
                throw new ModelException("pass options of '" + name + "' must end with '}': " + item);
            PassOptions options = brace < 0 ? PassOptions.none(name)
                    : PassOptions.parse(name, item.substring(brace + 1, item.length() - 1));
            passes.add(pass(name, options, context));
        }
        if (passes.isEmpty()) throw new ModelException("empty pass pipeline '" + text + "'");
        return passes;
    }

    // the built-in registry, for callers that need no plugins or data sources

    /** The built-in pass names, sorted. */
    public static List<String> passNames() { return BUILTIN.names(); }

    /** The known pipeline names, sorted. */
    public static List<String> pipelineNames() { return List.copyOf(new TreeSet<>(BUILTIN.pipelines.keySet())); }

    /** One built-in pass by name with default options. */
    public static Pass create(String name) { return create(name, PassOptions.none(name)); }

    /** One built-in pass by name, without data sources. */
    public static Pass create(String name, PassOptions options) { return BUILTIN.pass(name, options, PassContext.none()); }

    /** The built-in passes of a pipeline text, without data sources. */
    public static List<Pass> parse(String pipeline) { return BUILTIN.pipeline(pipeline, PassContext.none()); }

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

    private ModelException unknownPass(String name) {
        return new ModelException("unknown pass '" + name + "' (known passes: " + String.join(", ", names())
                + "; pipelines: " + String.join(", ", new TreeSet<>(pipelines.keySet())) + ")");
    }
}
