package nncc.ir.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Verifier;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;

/**
 * Reads the {@code .nnir} text form (described on {@link IrPrinter}) into a verified {@link Graph}. Every
 * syntax or semantic error is a {@link ModelException} whose message starts with {@code file:line:col} and
 * names the offending token, node, value or attribute.
 */
public final class IrParser {
    /** Deepest nesting of {@code { [ (} brackets accepted (attribute blocks in real graphs nest 3 or 4 deep). */
    public static final int MAX_NESTING = 64;
    /** Longest name, symbol or quoted string accepted, in characters. */
    public static final int MAX_NAME_LENGTH = 4096;

    private IrParser() {}

    /** Parses a .nnir file; the path is the file name in messages. */
    public static Graph parse(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ModelException(path.toString(), null, "cannot read .nnir file: " + e.getMessage(), e);
        }
        return parse(text, path.toString());
    }

    /** Parses .nnir text; {@code fileName} is used in error messages only. Runs the {@link Verifier}. */
    public static Graph parse(String text, String fileName) {
        if (text.startsWith("\uFEFF")) text = text.substring(1); // a UTF-8 byte order mark, as some editors write
        SyntaxErrorListener errors = new SyntaxErrorListener(fileName);
        NnirLexer lexer = new NnirLexer(CharStreams.fromString(text, fileName));
        lexer.removeErrorListeners();
        lexer.addErrorListener(errors);
        CommonTokenStream tokens = new CommonTokenStream(lexer);
        tokens.fill();
        checkLimits(tokens.getTokens(), fileName);
        NnirParser parser = new NnirParser(tokens);
        parser.removeErrorListeners();
        parser.addErrorListener(errors);
        NnirParser.FileContext tree = parser.file();
        GraphBuilder builder = new GraphBuilder(fileName);
        Graph g = builder.build(tree);
        try {
            Verifier.verify(g);
        } catch (ModelException e) {
            throw builder.locate(e);
        }
        if (g.outputs().isEmpty())
            throw builder.locate(new ModelException("graph @" + g.name() + " declares no output (add a line 'output %name')"));
        return g;
    }

    /**
     * Refuses, before parsing, what would make the recursive-descent parser or the graph builder overflow the
     * stack or hold absurd names: brackets nested deeper than {@link #MAX_NESTING}, names and strings longer than
     * {@link #MAX_NAME_LENGTH} characters (both far above anything a real model has).
     */
    private static void checkLimits(List<Token> tokens, String fileName) {
        int depth = 0;
        for (Token t : tokens) {
            String s = t.getText();
            switch (t.getType()) {
                case NnirLexer.PCT_NAME, NnirLexer.AT_NAME, NnirLexer.SYM_DIM, NnirLexer.STRING, NnirLexer.IDENT -> {
                    if (s.length() > MAX_NAME_LENGTH + 3)
                        throw SourcePosition.of(fileName, t).error("name or string of " + s.length()
                                + " characters, longer than the limit of " + MAX_NAME_LENGTH + ": " + s.substring(0, 40) + "...");
                }
                default -> {
                    if (s.equals("{") || s.equals("[") || s.equals("(")) {
                        if (++depth > MAX_NESTING)
                            throw SourcePosition.of(fileName, t).error("brackets nested deeper than " + MAX_NESTING + " levels");
                    } else if (s.equals("}") || s.equals("]") || s.equals(")")) {
                        depth--;
                    }
                }
            }
        }
    }
}
