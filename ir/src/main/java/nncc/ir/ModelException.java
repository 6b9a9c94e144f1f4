package nncc.ir;

/**
 * Bad input: a model, a file or an option nncc cannot accept. The message is one line naming the file,
 * node and offending value; the CLI prints it and exits with code 2.
 */
public class ModelException extends RuntimeException {
    private final String file;
    private final String node;

    public ModelException(String message) { this(null, null, message, null); }

    public ModelException(String file, String node, String message) { this(file, node, message, null); }

    public ModelException(String file, String node, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
        this.node = node;
    }

    /** The file the problem is in, or null. */
    public String file() { return file; }

    /** The node the problem is at, or null. */
    public String node() { return node; }

    /** A copy of this error that also names the file (keeps an existing file). */
    public ModelException inFile(String f) {
        if (file != null) return this;
        ModelException e = new ModelException(f, node, super.getMessage(), getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** A copy of this error that also names the node (keeps an existing node). */
    public ModelException atNode(String n) {
        if (node != null) return this;
        ModelException e = new ModelException(file, n, super.getMessage(), getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** The message without file and node. */
    public String getRawMessage() { return super.getMessage(); }

    /** The one-line message: {@code file: node 'n': what}. */
    @Override public String getMessage() {
        StringBuilder b = new StringBuilder();
        if (file != null) b.append(file).append(": ");
        if (node != null) b.append("node '").append(node).append("': ");
        b.append(super.getMessage());
        return clip(b.toString().replace('\n', ' '));
    }

    /** The longest message printed; longer ones (a hostile file's megabyte name) keep their start and end. */
    public static final int MAX_MESSAGE = 2000;

    /** {@code text} cut to at most about {@link #MAX_MESSAGE} characters, saying how much was left out. */
    public static String clip(String text) {
        if (text.length() <= MAX_MESSAGE) return text;
        int head = MAX_MESSAGE * 3 / 4, tail = MAX_MESSAGE / 4;
        return text.substring(0, head) + " [... " + (text.length() - head - tail) + " characters left out ...] "
                + text.substring(text.length() - tail);
    }

    /** A name or op type for a message: as it is, or its first 64 characters and its length when longer. */
    public static String shorten(String name) {
        return name.length() <= 80 ? name : name.substring(0, 64) + "...(" + name.length() + " characters)";
    }
}
