package nncc.ir.text;

import java.util.ArrayList;
import java.util.List;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * Turns the first lexer or parser error into a {@link nncc.ir.ModelException} at {@code file:line:col},
 * naming the offending token and what was expected in the format's own words (not ANTLR's token names).
 * Replaces ANTLR's console listener, so nothing is written to stderr.
 */
final class SyntaxErrorListener extends BaseErrorListener {
    private final String file;

    SyntaxErrorListener(String file) { this.file = file; }

    @Override public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int col,
                                      String msg, RecognitionException e) {
        SourcePosition at = new SourcePosition(file, line, col + 1);
        if (!(recognizer instanceof Parser parser) || !(offendingSymbol instanceof Token token))
            throw at.error(msg.replace("token recognition error at:", "unexpected character"));
        IntervalSet expected = e != null && e.getExpectedTokens() != null ? e.getExpectedTokens()
                : parser.getExpectedTokens();
        Token previous = parser.getTokenStream().LT(-1);
        String hint = previous != null && previous.getType() == NnirLexer.PCT_NAME && previous.getText().endsWith(":")
                ? " (':' is a name character: write '" + previous.getText().substring(0, previous.getText().length() - 1)
                + " :' with a space)" : "";
        throw at.error("unexpected " + describe(token) + ", expected " + describeExpected(expected) + hint);
    }

    private static String describe(Token t) {
        if (t.getType() == Token.EOF) return "end of input (truncated file?)";
        String text = t.getText();
        if (text.length() > 40) text = text.substring(0, 40) + "...";
        return "'" + text + "'";
    }

    private static String describeExpected(IntervalSet expected) {
        List<String> names = new ArrayList<>();
        for (int type : expected.toList()) {
            String n = tokenName(type);
            if (!names.contains(n)) names.add(n);
        }
        if (names.isEmpty()) return "something else";
        if (names.size() == 1) return names.get(0);
        return "one of " + String.join(", ", names);
    }

    private static String tokenName(int type) {
        return switch (type) {
            case Token.EOF -> "end of input";
            case NnirLexer.PCT_NAME -> "a value name (%name)";
            case NnirLexer.AT_NAME -> "a node or graph name (@name)";
            case NnirLexer.INT -> "an integer";
            case NnirLexer.FLOAT -> "a number";
            case NnirLexer.IDENT -> "an identifier";
            case NnirLexer.STRING -> "a string";
            case NnirLexer.B64 -> "b64\"...\" data";
            case NnirLexer.SYM_DIM -> "a symbolic dim (?N)";
            default -> NnirLexer.VOCABULARY.getLiteralName(type) != null
                    ? NnirLexer.VOCABULARY.getLiteralName(type) : NnirLexer.VOCABULARY.getDisplayName(type);
        };
    }
}
