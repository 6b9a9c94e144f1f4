package nncc.javagen;

/**
 * The generated program's command line: {@code java CLASS --input X.npy ... --output Y.npy ... [--dequantize]
 * [--time] [--repeat R]}. A leading batch of N samples runs sample by sample; integer .npy inputs are taken as the
 * model's integers, float ones quantized with the input's scale and zero point; outputs are the model's integers
 * (or floats, {@code scale * (q - zp)}, with {@code --dequantize}). {@code --time} prints samples per second of the
 * inference loop to stderr (with {@code --repeat R > 1}, the first pass over the data is an untimed warm-up). Bad input is one line on stderr and exit status 2.
 */
final class EmittedMain {
    private EmittedMain() {}

    static void add(JavaTargetGenerator gen) {
        String cls = gen.options.className();
        gen.type.addMethod(EmittedArithmetic.method("""
                public static void main(String[] args) throws java.io.IOException {
                    try {
                        System.exit(execute(args));
                    } catch (IllegalArgumentException e) {
                        System.err.println("CLASS: " + e.getMessage());
                        System.exit(2);
                    }
                }""".replace("CLASS", cls)));
        gen.type.addMethod(EmittedArithmetic.method("""
                /** Runs the command line; returns the exit status. */
                public static int execute(String[] args) throws java.io.IOException {
                    java.util.List<String> inputs = new java.util.ArrayList<>(), outputs = new java.util.ArrayList<>();
                    boolean dequantize = false, time = false;
                    int repeat = 1;
                    for (int i = 0; i < args.length; i++) {
                        String a = args[i];
                        if ((a.equals("--input") || a.equals("--output") || a.equals("--repeat")) && i + 1 == args.length) throw new IllegalArgumentException(a + " needs a value");
                        if (a.equals("--input")) inputs.add(args[++i]);
                        else if (a.equals("--output")) outputs.add(args[++i]);
                        else if (a.equals("--repeat")) repeat = Integer.parseInt(args[++i]);
                        else if (a.equals("--dequantize")) dequantize = true;
                        else if (a.equals("--time")) time = true;
                        else throw new IllegalArgumentException("unknown argument '" + a + "' (usage: --input X.npy ... --output Y.npy ... [--dequantize] [--time] [--repeat R])");
                    }
                    if (inputs.size() != INPUT_SHAPES.length || outputs.size() != OUTPUT_SHAPES.length)
                        throw new IllegalArgumentException("the model has " + INPUT_SHAPES.length + " input(s) and " + OUTPUT_SHAPES.length + " output(s); got " + inputs.size() + " --input and " + outputs.size() + " --output");
                    double[][] data = new double[inputs.size()][];
                    boolean[] raw = new boolean[inputs.size()];
                    int samples = -1;
                    for (int k = 0; k < inputs.size(); k++) {
                        int[][] shape = new int[1][];
                        String[] descr = new String[1];
                        data[k] = readNpy(inputs.get(k), shape, descr);
                        raw[k] = !descr[0].contains("f");
                        int[] s = shape[0], want = INPUT_SHAPES[k];
                        boolean same = s.length == want.length;
                        for (int d = 1; same && d < s.length; d++) same = s[d] == want[d];
                        if (!same || s.length == 0 || s[0] % want[0] != 0)
                            throw new IllegalArgumentException(inputs.get(k) + ": shape " + java.util.Arrays.toString(s) + " does not fit input " + k + " " + java.util.Arrays.toString(want) + " with a leading batch");
                        int n = s[0] / want[0];
                        if (samples >= 0 && n != samples) throw new IllegalArgumentException(inputs.get(k) + ": " + n + " samples, another input has " + samples);
                        samples = n;
                    }
                    CLASS model = new CLASS();
                    Object[] results = new Object[outputs.size()];
                    for (int k = 0; k < outputs.size(); k++) {
                        int size = 1;
                        for (int d : OUTPUT_SHAPES[k]) size *= d;
                        results[k] = OUTPUT_TYPES[k].equals("f32") || dequantize ? new float[samples * size] : new int[samples * size];
                    }
                    long start = System.nanoTime();
                    for (int r = 0; r < repeat; r++) {
                        if (r == 1) start = System.nanoTime();
                        for (int s = 0; s < samples; s++) {
                            for (int k = 0; k < inputs.size(); k++) fillInput(model, k, data[k], s, raw[k], inputs.get(k));
                            model.run();
                            for (int k = 0; k < outputs.size(); k++) copyOutput(model, k, results[k], s, dequantize);
                        }
                    }
                    long nanos = System.nanoTime() - start;
                    int timed = repeat > 1 ? repeat - 1 : 1;
                    if (time) System.err.printf(java.util.Locale.ROOT, "%d samples x %d in %.3f s: %.1f samples/s%n", samples, timed, nanos / 1e9, samples * (double) timed / (nanos / 1e9));
                    for (int k = 0; k < outputs.size(); k++) {
                        int[] shape = OUTPUT_SHAPES[k].clone();
                        shape[0] *= samples;
                        writeNpy(outputs.get(k), shape, results[k], results[k] instanceof float[] ? "f32" : OUTPUT_TYPES[k]);
                    }
                    return 0;
                }""".replace("CLASS", cls)));
        gen.type.addMethod(EmittedArithmetic.method("""
                /** Sample s of an input file into input k: raw integers checked against the type, or floats quantized. */
                private static void fillInput(CLASS model, int k, double[] data, int s, boolean raw, String file) {
                    Object buffer = model.input(k);
                    if (buffer instanceof float[] f) {
                        for (int i = 0; i < f.length; i++) f[i] = (float) data[s * f.length + i];
                        return;
                    }
                    int[] q = (int[]) buffer;
                    long lo = minValue(INPUT_TYPES[k]), hi = maxValue(INPUT_TYPES[k]);
                    for (int i = 0; i < q.length; i++) {
                        double v = data[s * q.length + i];
                        if (raw) {
                            if (v < lo || v > hi) throw new IllegalArgumentException(file + ": value " + (long) v + " at " + (s * q.length + i) + " is outside " + INPUT_TYPES[k]);
                            q[i] = (int) v;
                        } else q[i] = Fixed.quantize((float) v / INPUT_SCALES[k], INPUT_ZERO_POINTS[k], lo, hi);
                    }
                }""".replace("CLASS", cls)));
        gen.type.addMethod(EmittedArithmetic.method("""
                private static void copyOutput(CLASS model, int k, Object result, int s, boolean dequantize) {
                    Object buffer = model.output(k);
                    if (buffer instanceof float[] f) {
                        System.arraycopy(f, 0, (float[]) result, s * f.length, f.length);
                        return;
                    }
                    int[] q = (int[]) buffer;
                    if (!dequantize) {
                        System.arraycopy(q, 0, (int[]) result, s * q.length, q.length);
                        return;
                    }
                    float[] y = (float[]) result;
                    double scale = OUTPUT_SCALES[k];
                    for (int i = 0; i < q.length; i++) y[s * q.length + i] = (float) (scale * (q[i] - OUTPUT_ZERO_POINTS[k]));
                }""".replace("CLASS", cls)));
        gen.type.addMethod(EmittedArithmetic.method("""
                private static long minValue(String type) {
                    return switch (type) { case "i8" -> -128; case "u8" -> 0; case "i16" -> -32768; default -> Integer.MIN_VALUE; };
                }"""));
        gen.type.addMethod(EmittedArithmetic.method("""
                private static long maxValue(String type) {
                    return switch (type) { case "i8" -> 127; case "u8" -> 255; case "i16" -> 32767; default -> Integer.MAX_VALUE; };
                }"""));
        EmittedNpy.add(gen);
    }
}
