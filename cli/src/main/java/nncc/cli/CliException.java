package nncc.cli;

/** A bad option or argument detected by a command: printed as one line, exit code 2. */
final class CliException extends RuntimeException {
    CliException(String message) { super(message); }
}
