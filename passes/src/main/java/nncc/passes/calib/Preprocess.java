package nncc.passes.calib;

import java.util.Arrays;

/**
 * How calibration images become model inputs: resize (bilinear, to {@code width x height}, or to the model's
 * own H and W when those are 0), then per channel {@code x = (pixel * scale - mean[c]) / std[c]} with pixels in
 * 0..255, channels in {@code channels} order (a 1-channel model always gets the luminance), laid out as
 * {@code layout}. {@code mean} and {@code std} hold one entry per channel, or one for all.
 */
public record Preprocess(int width, int height, double scale, double[] mean, double[] std, ChannelOrder channels, Layout layout) {
    /** Channel order of a 3-channel input; GREY asks for one luminance channel. */
    public enum ChannelOrder { RGB, BGR, GREY }

    /** Where the channel dimension sits in the model's 4-d image input. */
    public enum Layout { NCHW, NHWC }

    public Preprocess {
        if (width < 0 || height < 0 || (width == 0) != (height == 0))
            throw new IllegalArgumentException("resize needs both width and height > 0, or both 0 for the model's size; got "
                    + width + "x" + height);
        if (!(scale > 0) || Double.isInfinite(scale)) throw new IllegalArgumentException("scale must be positive, got " + scale);
        mean = mean.clone();
        std = std.clone();
        if (mean.length == 0 || std.length == 0) throw new IllegalArgumentException("mean and std need at least one entry");
        for (double s : std) if (!(s > 0)) throw new IllegalArgumentException("std must be positive, got " + Arrays.toString(std));
        java.util.Objects.requireNonNull(channels, "channels");
        java.util.Objects.requireNonNull(layout, "layout");
    }

    /** The usual defaults: the model's size, {@code scale = 1/255}, no mean or std, RGB, NCHW. */
    public static Preprocess defaults() {
        return new Preprocess(0, 0, 1.0 / 255, new double[] {0}, new double[] {1}, ChannelOrder.RGB, Layout.NCHW);
    }

    public Preprocess withSize(int w, int h) { return new Preprocess(w, h, scale, mean, std, channels, layout); }

    public Preprocess withScale(double s) { return new Preprocess(width, height, s, mean, std, channels, layout); }

    public Preprocess withMeanStd(double[] m, double[] s) { return new Preprocess(width, height, scale, m, s, channels, layout); }

    public Preprocess withChannels(ChannelOrder c) { return new Preprocess(width, height, scale, mean, std, c, layout); }

    public Preprocess withLayout(Layout l) { return new Preprocess(width, height, scale, mean, std, channels, l); }

    @Override public double[] mean() { return mean.clone(); }

    @Override public double[] std() { return std.clone(); }

    @Override public boolean equals(Object o) {
        return o instanceof Preprocess p && width == p.width && height == p.height && scale == p.scale
                && Arrays.equals(mean, p.mean) && Arrays.equals(std, p.std) && channels == p.channels && layout == p.layout;
    }

    @Override public int hashCode() {
        return java.util.Objects.hash(width, height, scale, Arrays.hashCode(mean), Arrays.hashCode(std), channels, layout);
    }

    @Override public String toString() {
        return "Preprocess[" + (width == 0 ? "model size" : width + "x" + height) + ", scale " + scale + ", mean "
                + Arrays.toString(mean) + ", std " + Arrays.toString(std) + ", " + channels + ", " + layout + "]";
    }
}
