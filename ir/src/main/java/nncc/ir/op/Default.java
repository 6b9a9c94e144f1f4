package nncc.ir.op;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The default of an op attribute, in its text form (e.g. {@code "none"}, {@code "false"}, {@code "0"}). The text
 * IR omits an attribute that has its default value and fills it in when it is absent, so rarely used options
 * (a fused activation, say) do not clutter every op.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Default {
    String value();
}
