package nncc.ir.text;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import nncc.ir.Graph;
import nncc.ir.ModelException;
import nncc.ir.Verifier;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;

/**
 * Reads the {@code .nnir} text form (described on {@link IrPrinter}) into a verified {@link Graph}. Every
 * syntax or semantic error is a {@link ModelException} whose message starts with {@code file:line:col} and
 * names the offending token, node, value or attribute.
 */
public final class IrParser {
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
        SyntaxErrorListener errors = new SyntaxErrorListener(fileName);
        NnirLexer lexer = new NnirLexer(CharStreams.fromString(text, fileName));
        lexer.removeErrorListeners();
        lexer.addErrorListener(errors);
        NnirParser parser = new NnirParser(new CommonTokenStream(lexer));
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
        return g;
    }
}
