package nncc.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import nncc.ir.Shape;
import nncc.ir.Tensor;

/**
 * A measurement, not a test: runs the {@link FashionCnn} over 10,000 random images in batches on 1 and 2
 * threads and prints images per second. Run with
 * {@code java -cp <test-classes>:<classes>:<nncc-ir.jar> nncc.cpu.CnnThroughput [batch] [images]}.
 */
public final class CnnThroughput {
    private CnnThroughput() {}

    public static void main(String[] args) throws Exception {
        int batch = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        int images = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        Interpreter interp = new Interpreter(FashionCnn.build(1));
        List<Tensor> batches = new ArrayList<>();
        Random r = new Random(5);
        for (int done = 0; done < images; done += batch) batches.add(FashionCnn.images(r, Math.min(batch, images - done)));
        System.out.printf("CNN %s, %d images in batches of %d%n", Shape.of(1, 1, 28, 28), images, batch);
        for (int warm = 0; warm < 2; warm++) runAll(interp, batches, 2);
        for (int threads : new int[] {1, 2}) {
            long best = Long.MAX_VALUE;
            for (int rep = 0; rep < 3; rep++) {
                long t0 = System.nanoTime();
                runAll(interp, batches, threads);
                best = Math.min(best, System.nanoTime() - t0);
            }
            System.out.printf("threads=%d: %.2f s for %d images, %.0f images/s%n", threads, best / 1e9, images,
                    images / (best / 1e9));
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
