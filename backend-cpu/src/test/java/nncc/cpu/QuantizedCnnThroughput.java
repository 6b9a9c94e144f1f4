package nncc.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import nncc.ir.Tensor;

/**
 * A measurement, not a test: runs the int8 {@link QuantizedFashionCnn} over 10,000 random images in batches on 1
 * and 2 threads and prints images per second, next to the float {@link FashionCnn} for comparison. Run with
 * {@code java -cp <test-classes>:<classes>:<nncc-ir.jar> nncc.cpu.QuantizedCnnThroughput [batch] [images]}.
 */
public final class QuantizedCnnThroughput {
    private QuantizedCnnThroughput() {}

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        List<Tensor> batches = new ArrayList<>();
        Random r = new Random(5);
        for (int done = 0; done < images; done += batch) batches.add(FashionCnn.images(r, Math.min(batch, images - done)));
        measure("int8 ", new Interpreter(QuantizedFashionCnn.build(1)), batches, images, batch);
        measure("float", new Interpreter(FashionCnn.build(1)), batches, images, batch);
    }

    private static void measure(String name, Interpreter interp, List<Tensor> batches, int images, int batch) throws Exception {
        for (int warm = 0; warm < 2; warm++) runAll(interp, batches, 2);
        for (int threads : new int[] {1, 2}) {
            long best = Long.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                runAll(interp, batches, threads);
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf("%s CNN, %d images in batches of %d, threads=%d: %.2f s, %.0f images/s%n", name, images, batch,
                    threads, best / 1e9, images / (best / 1e9));
        }
    }

    private static void runAll(Interpreter interp, List<Tensor> batches, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Tensor b : batches) futures.add(pool.submit(() -> interp.run(List.of(b))));
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
    }
}
