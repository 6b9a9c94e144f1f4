package nncc.hls;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * nncc's resource and latency estimate of a generated project (no Vitis needed), per layer and in total, against
 * a part's capacity; written as {@code report.md} and {@code report.json}. A first-order model of the generated
 * loops, with its assumptions stated in the report: layers run one after another (parallel IO) or as DATAFLOW
 * processes (stream IO); a conv or dense layer computes ceil(taps / reuse) products per cycle on that many
 * multipliers; a product with 5- to 8-bit weights takes one DSP, with 2- to 4-bit weights LUTs, a 32 x 32-bit
 * requantization multiply four DSPs; other layers produce one output per reuse_factor cycles; constant arrays and activation buffers
 * take ceil(bits / 18 Kbit) BRAM18K per partition (cyclic partition by the multiplier count) when a partition holds
 * more than 1 Kbit, else LUTRAM; logic is 40 LUTs per multiplier plus 300 per layer.
 */
final class HlsEstimate {
    private HlsEstimate() {}

    /** A part's capacity (approximate datasheet values). */
    record Part(String name, int dsp, int bram18k, int uram, int lut) {}

    static final List<Part> PARTS = List.of(
            new Part("xc7z020-clg400-1", 220, 280, 0, 53_200),
            new Part("xczu7ev-ffvc1156-2-e", 1_728, 624, 96, 230_400),
            new Part("xcvu9p-flga2104-2-e", 6_840, 4_320, 960, 1_182_240),
            new Part("xcu250-figd2104-2l-e", 12_288, 5_376, 1_280, 1_728_000));

    static Part part(String name) {
        for (Part p : PARTS) if (p.name.equalsIgnoreCase(name) || p.name.startsWith(name.toLowerCase(Locale.ROOT) + "-")) return p;
        throw new IllegalArgumentException("unknown --part '" + name + "' (" + String.join(", ", PARTS.stream().map(Part::name).toList()) + ")");
    }

    /** One layer's numbers. */
    record Row(String id, String op, String irName, String accumulator, long macs, long multipliers, long dsp, long bram18k, long lut, long cycles) {}

    private static final int BRAM_BITS = 18 * 1024, LUTRAM_LIMIT = 1024, PIPELINE_DEPTH = 8, LUT_MULTIPLIER_MAX_BITS = 4;

    static List<Row> rows(HlsModel m) {
        List<Row> rows = new ArrayList<>();
        for (HlsModel.Layer l : m.layers) {
            long r = l.get("reuse_factor");
            long outputs, taps = 0, requantMultiplies;
            switch (l.kernel) {
                case "conv2d" -> {
                    outputs = l.get("out_c") * l.get("out_h") * l.get("out_w");
                    taps = l.get("in_c") / l.get("groups") * l.get("kernel_h") * l.get("kernel_w");
                    requantMultiplies = 1;
                }
                case "dense" -> { outputs = l.get("n_out"); taps = l.get("n_in"); requantMultiplies = 1; }
                case "add" -> { outputs = l.get("n_out"); requantMultiplies = 3; }
                case "mul" -> { outputs = l.get("n_out"); requantMultiplies = 2; }
                case "mean" -> { outputs = l.get("outer") * l.get("reduce") * l.get("inner"); requantMultiplies = 1; }
                case "requantize" -> { outputs = l.get("n"); requantMultiplies = 1; }
                // per element: the input scaling, the exponential's Taylor terms (5) and barrel shifter (up to 7), the division
                case "softmax" -> { outputs = l.get("outer") * l.get("n") * l.get("inner"); requantMultiplies = 14; }
                case "max_pool2d", "avg_pool2d" -> { outputs = l.get("channels") * l.get("out_h") * l.get("out_w"); requantMultiplies = 0; }
                case "pad_constant" -> { outputs = l.get("n_out"); requantMultiplies = 0; }
                case "concat_part" -> { outputs = l.get("outer") * l.get("inner_in"); requantMultiplies = 0; }
                default -> { outputs = l.get("n"); requantMultiplies = 0; }
            }
            long mults = taps == 0 ? 0 : (taps + r - 1) / r;
            // weights of LUT_MULTIPLIER_MAX_BITS or fewer bits multiply in LUTs (activation bits x weight bits), wider in DSPs
            boolean lutMultipliers = taps > 0 && l.get("weight_bits") <= LUT_MULTIPLIER_MAX_BITS;
            long multiplierLuts = lutMultipliers ? mults * l.typeBits("in_t") * l.get("weight_bits") : 0;
            long dsp = (lutMultipliers ? 0 : mults) + 4 * requantMultiplies;
            long bram = 0;
            boolean weightsInBram = l.call.endsWith("_resource"); // the resource kernels bind their weights to BRAM
            for (HlsModel.Array a : l.arrays) {
                boolean weights = a.name.startsWith("w_");
                bram += brams((long) a.size * bits(a.type), Math.max(1, weights ? mults : 1), weights && weightsInBram);
            }
            String acc = taps == 0 ? "" : l.get("accum_bits") + " / " + l.get("reference_accum_bits");
            rows.add(new Row(l.id, l.opName, l.irName, acc, outputs * taps, mults, dsp, bram, 40 * (mults + 4 * requantMultiplies) + 300 + multiplierLuts,
                    outputs * r + PIPELINE_DEPTH + taps / Math.max(1, mults)));
        }
        return rows;
    }

    /** Activation buffers, plus (--io stream) the FIFOs between the dataflow processes. */
    static long bufferBram(HlsModel m) {
        long b = 0;
        for (HlsModel.Buffer buf : m.buffers) b += brams((long) buf.size * bits(buf.rawType), 1, false);
        for (HlsModel.Fifo f : m.fifos) b += brams((long) f.depth * apBits(f.type), 1, false);
        return b;
    }

    /**
     * Latency and initiation interval in cycles: layers in sequence, both the sum of the layers' cycles; under
     * --io stream (DATAFLOW) each process also copies its inputs in and its output out at one element per cycle,
     * the latency is the sum over processes and the interval the slowest process.
     */
    static long[] latencyAndInterval(HlsModel m, List<Row> rows) {
        java.util.Map<String, Long> cycles = new java.util.HashMap<>();
        long sum = 0;
        for (Row r : rows) {
            cycles.put(r.id(), r.cycles());
            sum += r.cycles();
        }
        if (!m.isStream()) return new long[] {sum, sum};
        long latency = 0, interval = 0;
        for (HlsModel.Process p : m.processes) {
            long c = 0;
            for (HlsModel.Layer l : p.layers) c += cycles.get(l.id);
            for (HlsModel.StreamIn i : p.inputs) c += i.fifo.depth;
            if (!p.writes.isEmpty()) c += p.output.size;
            latency += c;
            interval = Math.max(interval, c);
        }
        return new long[] {latency, interval};
    }

    private static int apBits(String apType) { return Integer.parseInt(apType.substring(apType.indexOf('<') + 1, apType.indexOf('>'))); }

    private static long brams(long bits, long partitions, boolean forceBram) {
        long per = (bits + partitions - 1) / partitions;
        if (per <= LUTRAM_LIMIT && !forceBram) return 0;
        return partitions * ((per + BRAM_BITS - 1) / BRAM_BITS);
    }

    private static int bits(String cType) {
        return switch (cType) {
            case "signed char", "unsigned char" -> 8; case "short" -> 16; case "long long" -> 64; default -> 32;
        };
    }

    /** report.md. */
    static String markdown(HlsModel m, Part p, double clockMhz) {
        List<Row> rows = rows(m);
        StringBuilder b = new StringBuilder();
        b.append("# HLS estimate for ").append(m.name).append("\n\n");
        b.append(String.format(Locale.ROOT, "Part %s, clock %.1f MHz, io %s, strategy %s, reuse factor %d. Computed by nncc, not by Vitis HLS.%n%n",
                p.name(), clockMhz, m.io, m.strategy, m.reuseFactor));
        b.append("| layer | op | node | accumulator bits (proven / reference) | MACs | multipliers | DSP | BRAM18K | LUT | cycles |\n"
                + "|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
        long macs = 0, dsp = 0, bram = bufferBram(m), lut = 0, cycles = 0;
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d | %d | %d | %d | %d | %d |%n", r.id(), r.op(), r.irName(), r.accumulator(), r.macs(), r.multipliers(),
                    r.dsp(), r.bram18k(), r.lut(), r.cycles()));
            macs += r.macs(); dsp += r.dsp(); bram += r.bram18k(); lut += r.lut(); cycles += r.cycles();
        }
        b.append(String.format(Locale.ROOT, "| total | | | | %d | | %d | %d | %d | %d |%n%n", macs, dsp, bram, lut, cycles));
        long[] li = latencyAndInterval(m, rows);
        b.append(String.format(Locale.ROOT, "Activation buffers%s: %d BRAM18K (in the total). Latency %d cycles = %.1f us; initiation interval %d cycles "
                + "(%s), %.0f samples/s.%n%n", m.isStream() ? " and FIFOs" : "", bufferBram(m), li[0], li[0] / clockMhz, li[1],
                m.isStream() ? "DATAFLOW: the slowest process" : "layers run in sequence", clockMhz * 1e6 / li[1]));
        b.append(String.format(Locale.ROOT, "Use of %s: DSP %d / %d (%.1f %%), BRAM18K %d / %d (%.1f %%), LUT %d / %d (%.1f %%).%n%n", p.name(),
                dsp, p.dsp(), 100.0 * dsp / p.dsp(), bram, p.bram18k(), 100.0 * bram / p.bram18k(), lut, p.lut(), 100.0 * lut / p.lut()));
        b.append(m.isStream()
                ? "Assumptions: --io stream runs one DATAFLOW process per graph input and per IR node, connected by hls::stream FIFOs each one "
                        + "sample's whole tensor deep (a process reads all its inputs, computes, then writes its output at one element per cycle, "
                        + "so no FIFO fills and consecutive samples overlap); "
                : "Assumptions: layers run one after another (no DATAFLOW); ");
        b.append("latency strategy: a conv or dense layer pipelines its output loop with II = reuse factor, with the taps unrolled and the "
                + "weights partitioned; resource strategy: the taps are folded into reuse-factor iterations of a II = 1 loop, weights in BRAM "
                + "(at least one BRAM18K per partition, however small); either way it computes ceil(taps / reuse) products per cycle on that many multipliers; a product with weights of 5 to 8 bits "
                + "(the IR's weightBits) takes one DSP (a DSP48E2 multiplies 27 x 18 bits, which holds int8 or int16 activations times the weight), "
                + "a product with weights of 2 to 4 bits is built in LUTs instead, activation bits x weight bits LUTs each (as Vitis HLS maps "
                + "narrow constant-width multiplies to fabric); a 32 x 32-bit requantization multiply four; other layers produce one output per reuse-factor cycles; constant arrays and buffers "
                + "take ceil(bits / 18 Kbit) BRAM18K per partition (weights partitioned cyclically by the multiplier count) when a partition holds "
                + "more than 1 Kbit, else LUTRAM; logic is 40 LUTs per multiplier plus 300 per layer; pipeline depth 8 cycles per layer. "
                + "Accumulator bits: the IR's accumulatorBits, the width the accumulator-bits pass proved from the actual weights, bias and "
                + "the input type's whole range (every partial sum of every output channel fits), which the generated code uses, against the "
                + "reference's int32 (int64 for int16 activations).\n");
        return b.toString();
    }

    /** report.json. */
    static String json(HlsModel m, Part p, double clockMhz) {
        List<Row> rows = rows(m);
        List<String> items = new ArrayList<>();
        long macs = 0, dsp = 0, bram = bufferBram(m), lut = 0, cycles = 0;
        for (Row r : rows) {
            items.add(String.format(Locale.ROOT, "    {\"layer\": \"%s\", \"op\": \"%s\", \"node\": \"%s\", \"accumulator_bits\": \"%s\", \"macs\": %d, \"multipliers\": %d, \"dsp\": %d, "
                    + "\"bram18k\": %d, \"lut\": %d, \"cycles\": %d}", r.id(), r.op(), r.irName().replace("\\", "\\\\").replace("\"", "\\\""),
                    r.accumulator(), r.macs(), r.multipliers(), r.dsp(), r.bram18k(), r.lut(), r.cycles()));
            macs += r.macs(); dsp += r.dsp(); bram += r.bram18k(); lut += r.lut(); cycles += r.cycles();
        }
        long[] li = latencyAndInterval(m, rows);
        return String.format(Locale.ROOT, "{\n  \"part\": {\"name\": \"%s\", \"dsp\": %d, \"bram18k\": %d, \"uram\": %d, \"lut\": %d},\n"
                + "  \"clock_mhz\": %s,\n  \"reuse_factor\": %d,\n  \"layers\": [\n%s\n  ],\n  \"total\": {\"macs\": %d, \"dsp\": %d, \"bram18k\": %d, "
                + "\"buffer_bram18k\": %d, \"lut\": %d, \"latency_cycles\": %d, \"latency_us\": %s, \"interval_cycles\": %d}\n}\n",
                p.name(), p.dsp(), p.bram18k(), p.uram(), p.lut(), num(clockMhz), m.reuseFactor, String.join(",\n", items), macs, dsp, bram,
                bufferBram(m), lut, li[0], num(li[0] / clockMhz), li[1]);
    }

    private static String num(double v) { return String.format(Locale.ROOT, "%.3f", v); }
}
