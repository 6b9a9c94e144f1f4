package nncc.cli;

import java.nio.file.Path;
import java.util.Map;
import nncc.hls.HlsGenerator;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import picocli.CommandLine.Option;

/** The options of {@code nncc compile --target hls} and the call into the HLS generator. */
final class HlsOptions {
    @Option(names = "--io", defaultValue = "parallel", paramLabel = "IO",
            description = "hls: how the top function takes inputs and gives outputs: parallel (arrays, m_axi) or stream "
                    + "(hls::stream, AXI-Stream). Default: ${DEFAULT-VALUE}.")
    String io;

    @Option(names = "--reuse-factor", defaultValue = "1", paramLabel = "N",
            description = "hls: products per multiplier (pipeline initiation interval of each layer). Default: ${DEFAULT-VALUE}.")
    int reuseFactor;

    @Option(names = "--layer-reuse", paramLabel = "NODE=N",
            description = "hls: the reuse factor of one layer, by its IR node name (repeatable); overrides --reuse-factor.")
    Map<String, Integer> layerReuse = new java.util.LinkedHashMap<>();

    @Option(names = "--layer-config", paramLabel = "FILE.json",
            description = "hls: per-layer reuse factor and strategy by IR node name: {\"layers\": {\"NODE\": {\"reuse_factor\": N, "
                    + "\"strategy\": \"resource\"}}}; --layer-reuse given as well wins for its layers.")
    Path layerConfig;

    @Option(names = "--strategy", defaultValue = "latency", paramLabel = "S",
            description = "hls: latency (each conv/dense output pipelined at II = reuse factor, its products unrolled, weights "
                    + "partitioned) or resource (products folded into reuse-factor iterations of an II = 1 loop, weights in BRAM), "
                    + "as hls4ml's. Default: ${DEFAULT-VALUE}.")
    String strategy;

    @Option(names = "--part", defaultValue = HlsGenerator.DEFAULT_PART, paramLabel = "PART",
            description = "hls: the FPGA part of build.tcl and of the estimate in report.md (xc7z020-clg400-1, xczu7ev-ffvc1156-2-e, "
                    + "xcvu9p-flga2104-2-e, xcu250-figd2104-2l-e). Default: ${DEFAULT-VALUE}.")
    String part;

    @Option(names = "--clock-mhz", defaultValue = "200", paramLabel = "F",
            description = "hls: target clock of build.tcl and of the latency estimate. Default: ${DEFAULT-VALUE}.")
    double clockMhz;

    /** The project's files for the lowered graph {@code g} read from {@code model}. */
    Map<String, byte[]> generate(Graph g, Path model) {
        HlsGenerator.Io i = switch (io.toLowerCase()) {
            case "parallel" -> HlsGenerator.Io.PARALLEL;
            case "stream" -> HlsGenerator.Io.STREAM;
            default -> throw new CliException("unknown --io '" + io + "' (parallel, stream)");
        };
        HlsGenerator.Strategy s = switch (strategy.toLowerCase()) {
            case "latency" -> HlsGenerator.Strategy.LATENCY;
            case "resource" -> HlsGenerator.Strategy.RESOURCE;
            default -> throw new CliException("unknown --strategy '" + strategy + "' (latency, resource)");
        };
        if (reuseFactor < 1) throw new CliException("--reuse-factor must be at least 1, got " + reuseFactor);
        Map<String, Integer> reuse = new java.util.TreeMap<>();
        Map<String, HlsGenerator.Strategy> strategies = Map.of();
        if (layerConfig != null) {
            HlsLayerConfig c = HlsLayerConfig.read(layerConfig);
            for (String name : c.names())
                if (!g.nodesByName().containsKey(name)) throw new CliException(layerConfig + ": layer '" + name + "' is not a node of " + model);
            reuse.putAll(c.reuse());
            strategies = c.strategy();
        }
        for (String name : layerReuse.keySet())
            if (!g.nodesByName().containsKey(name)) throw new CliException("--layer-reuse " + name + ": not a node of " + model);
        reuse.putAll(layerReuse);
        for (Map.Entry<String, Integer> e : layerReuse.entrySet())
            if (e.getValue() < 1) throw new CliException("--layer-reuse " + e.getKey() + "=" + e.getValue() + ": the reuse factor must be at least 1");
        if (!(clockMhz > 0)) throw new CliException("--clock-mhz must be positive, got " + clockMhz);
        if (HlsGenerator.parts().stream().noneMatch(p -> p.equalsIgnoreCase(part) || p.startsWith(part.toLowerCase() + "-")))
            throw new CliException("unknown --part '" + part + "' (" + String.join(", ", HlsGenerator.parts()) + ")");
        if (g.inputs().stream().anyMatch(v -> v.type().dtype().isFloat()))
            throw new CliException(model + ": --target hls needs an integer model: give --calib C (scheme int8 or int16x8, without --float-io)");
        try {
            return HlsGenerator.generate(g, new HlsGenerator.Options(i, reuseFactor, s, part, clockMhz, reuse, strategies));
        } catch (ModelException e) {
            throw e.inFile(model.toString());
        }
    }
}
