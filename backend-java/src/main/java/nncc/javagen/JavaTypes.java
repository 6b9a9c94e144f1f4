package nncc.javagen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;

/** JavaPoet type names for the few Java types the emitted helper methods use, spelled as in source. */
final class JavaTypes {
    private JavaTypes() {}

    static TypeName of(String text) {
        if (text.endsWith("[]")) return ArrayTypeName.of(of(text.substring(0, text.length() - 2)));
        return switch (text) {
            case "void" -> TypeName.VOID;
            case "boolean" -> TypeName.BOOLEAN;
            case "byte" -> TypeName.BYTE;
            case "short" -> TypeName.SHORT;
            case "int" -> TypeName.INT;
            case "long" -> TypeName.LONG;
            case "float" -> TypeName.FLOAT;
            case "double" -> TypeName.DOUBLE;
            case "String" -> ClassName.get(String.class);
            case "Object" -> ClassName.get(Object.class);
            default -> text.contains(".") ? ClassName.bestGuess(text) : ClassName.get("", text);
        };
    }
}
