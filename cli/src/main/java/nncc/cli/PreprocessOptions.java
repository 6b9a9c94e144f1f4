package nncc.cli;

import java.util.ArrayList;
import java.util.List;
import nncc.passes.calib.Preprocess;
import picocli.CommandLine.Option;

/**
 * How images from a folder become model inputs: the image options of calibration ({@code quantize}, {@code compile},
 * through {@link QuantOptions}) and of {@code nncc qat}'s image-folder training, evaluation and calibration data.
 */
final class PreprocessOptions {
    @Option(names = "--resize", paramLabel = "WxH", description = "Image folders: resize to W x H (default: the model's input size).")
    String resize;

    @Option(names = "--pixel-scale", defaultValue = "0.00392156862745098", paramLabel = "S",
            description = "Image folders: multiply pixels by S (default 1/255).")
    double pixelScale;

    @Option(names = "--mean", split = ",", paramLabel = "M", description = "Image folders: per-channel mean subtracted after scaling.")
    List<Double> mean = new ArrayList<>();

    @Option(names = "--std", split = ",", paramLabel = "S", description = "Image folders: per-channel std divided after the mean.")
    List<Double> std = new ArrayList<>();

    @Option(names = "--channels", paramLabel = "C", description = "Image folders: rgb, bgr or grey (default: grey for 1-channel models, else rgb).")
    String channels;

    @Option(names = "--layout", paramLabel = "L", description = "Image folders: nchw (default) or nhwc.")
    String layout;

    Preprocess preprocess() {
        try {
            Preprocess p = Preprocess.defaults().withScale(pixelScale);
            if (resize != null) {
                String[] wh = resize.toLowerCase().split("x");
                try {
                    p = p.withSize(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
                } catch (RuntimeException e) {
                    throw new CliException("--resize takes WxH, e.g. 224x224; got '" + resize + "'");
                }
            }
            if (!mean.isEmpty() || !std.isEmpty())
                p = p.withMeanStd(mean.isEmpty() ? new double[] {0} : mean.stream().mapToDouble(Double::doubleValue).toArray(),
                        std.isEmpty() ? new double[] {1} : std.stream().mapToDouble(Double::doubleValue).toArray());
            if (channels != null) p = p.withChannels(parse(Preprocess.ChannelOrder.class, channels, "--channels"));
            if (layout != null) p = p.withLayout(parse(Preprocess.Layout.class, layout, "--layout"));
            return p;
        } catch (IllegalArgumentException e) {
            throw new CliException("image preprocessing: " + e.getMessage());
        }
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String text, String flag) {
        for (E e : type.getEnumConstants()) if (e.name().equalsIgnoreCase(text)) return e;
        throw new CliException(flag + " got '" + text + "'");
    }
}
